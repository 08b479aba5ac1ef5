import { module } from "../mote.ts";
import { ESIZE, FAIL, SUCCESS } from "../TinyError.ts";
import { AMPacket } from "../interfaces/AMPacket.ts";
import { AMSend } from "../interfaces/AMSend.ts";
import { CollectionDebug } from "../interfaces/CollectionDebug.ts";
import { CompareBit } from "../interfaces/CompareBit.ts";
import { LinkEstimator } from "../interfaces/LinkEstimator.ts";
import { Packet } from "../interfaces/Packet.ts";
import { Receive } from "../interfaces/Receive.ts";
import { AM_BROADCAST_ADDR } from "../message/Message.ts";
import {
  LE_FLAGS,
  LE_FOOTER_ENTRY_SIZE,
  LE_HEADER_SIZE,
  LE_NUM_ENTRIES_MASK,
  LE_SEQ,
  MAX_METRIC,
  NET_C_LE_EVICT_DEAD,
  ignoreCollectionEvent,
  ROUTING_TABLE_SIZE,
} from "./Ctp.ts";
import { payloadView } from "./PayloadView.ts";

// Entry flags (4bitle's LinkEstimator.h), plus DEAD.
const VALID = 1;
const MATURE = 2;
const INIT = 4;
const PINNED = 8;

/** Beacons between inbound-quality updates (BLQ_PKT_WINDOW). */
const BLQ_WINDOW = 3;
/** Unicasts between data-driven updates (DLQ_PKT_WINDOW). */
const DLQ_WINDOW = 5;
/** A sequence gap larger than this starts the link's estimate over (MAX_PKT_GAP). */
const MAX_PKT_GAP = 10;
/** Weight of the old estimate, tenths (ALPHA: 0.9 old, 0.1 new), for beacon and data windows alike. */
const ALPHA = 9;
/** Link ETX (tenths) above which a mature, unpinned neighbour may be replaced by a new one (4bitle: EETX 5.5). */
const EVICT_ETX_THRESHOLD = 65;
/** The largest link ETX an estimate reports, tenths. */
const MAX_LINK_ETX = 250;
/** Link ETX of a neighbour heard but not yet estimated, tenths: usable only when nothing else is. */
const IMMATURE_LINK_ETX = 250;
/** Data windows in a row without a single acknowledgement after which the neighbour is taken for gone. */
const DEAD_WINDOWS = 2;

/**
 * The 4-bit link estimator (Fonseca et al., HotNets 2007; TinyOS
 * tos/lib/net/4bitle): a table of neighbours with a bidirectional ETX per
 * link, from two sources. Inbound: routing beacons carry a sequence number
 * (the 2-byte header this module puts in front of each beacon), so gaps
 * count lost beacons; every 3 beacons the inbound reception ratio is
 * smoothed and turned into an ETX. Outbound: the forwarding engine reports
 * whether each unicast was acknowledged; every 5 the ratio becomes an ETX.
 * Both feed one smoothed ETX (reported in tenths). A neighbour the table
 * has no room for replaces the worst mature, unpinned one above ETX 6.5,
 * or, if the routing engine says its route is worth it (CompareBit), the
 * worst unpinned one. Pinned entries (the parent, roots) stay.
 *
 * Beyond 4bitle: a neighbour that acknowledges none of 10 unicasts in a row
 * (two data windows) is evicted at once, pinned or not, so a dead parent is
 * dropped within a few packets instead of after its ETX creeps up; if it is
 * alive its next beacon brings it back.
 */
export const LinkEstimatorP = module(
  "LinkEstimatorP",
  {
    provides: { Send: AMSend, Receive, LinkEstimator, CompareBit },
    uses: { AMSend, SubReceive: Receive, SubPacket: Packet, SubAMPacket: AMPacket, CollectionDebug },
    defaults: ["CollectionDebug"],
  },
  (c) => {
    const N = ROUTING_TABLE_SIZE;
    const addr = new Uint16Array(N);
    const flags = new Uint8Array(N);
    const lastSeq = new Uint8Array(N);
    const rcvCnt = new Uint8Array(N);
    const failCnt = new Uint8Array(N);
    /** Inbound reception ratio, 0..255. */
    const inQuality = new Uint8Array(N);
    /**
     * Link ETX in hundredths (valid once MATURE), reported in tenths. 4bitle
     * smooths in tenths, and its rounding then pins an estimate up to half a
     * transmission from the truth for good: one collision among a link's
     * first beacons made a perfect link cost 1.5 for ever.
     */
    const etx = new Uint16Array(N);
    const dataSuccess = new Uint8Array(N);
    const dataTotal = new Uint8Array(N);
    const deadWindows = new Uint8Array(N);
    let linkEstSeq = 0;

    const findIdx = (a: number): number => {
      for (let i = 0; i < N; i++) if ((flags[i]! & VALID) !== 0 && addr[i] === a) return i;
      return -1;
    };
    const findEmpty = (): number => {
      for (let i = 0; i < N; i++) if ((flags[i]! & VALID) === 0) return i;
      return -1;
    };
    /** The unpinned entry with the highest ETX (immature entries count as worst), if it is at least `threshold` tenths; else -1. */
    const findWorst = (threshold: number, matureOnly: boolean): number => {
      let worst = -1;
      let worstEtx = 0;
      for (let i = 0; i < N; i++) {
        const f = flags[i]!;
        if ((f & VALID) === 0 || (f & PINNED) !== 0) continue;
        if ((f & MATURE) === 0 && matureOnly) continue;
        const e = (f & MATURE) !== 0 ? etx[i]! : MAX_METRIC;
        if (e >= worstEtx) {
          worst = i;
          worstEtx = e;
        }
      }
      return worst >= 0 && worstEtx >= threshold * 10 ? worst : -1;
    };
    const initEntry = (i: number, a: number) => {
      addr[i] = a;
      flags[i] = VALID | INIT;
      lastSeq[i] = 0;
      rcvCnt[i] = 0;
      failCnt[i] = 0;
      inQuality[i] = 0;
      etx[i] = 0;
      dataSuccess[i] = 0;
      dataTotal[i] = 0;
      deadWindows[i] = 0;
    };
    const evict = (i: number) => {
      const a = addr[i]!;
      flags[i] = 0;
      c.LinkEstimator.evicted(a);
    };

    /** Folds a new link ETX estimate (tenths) into the entry's. */
    const updateEtx = (i: number, estimate: number) => {
      const est = 10 * (estimate > MAX_LINK_ETX ? MAX_LINK_ETX : estimate < 10 ? 10 : estimate);
      if ((flags[i]! & MATURE) === 0) {
        flags[i]! |= MATURE;
        etx[i] = est;
      } else {
        etx[i] = ((ALPHA * etx[i]! + (10 - ALPHA) * est + 5) / 10) | 0;
      }
    };

    /** Every BLQ_WINDOW beacons: the inbound ratio, smoothed, as an ETX. */
    const updateInbound = (i: number) => {
      let total = rcvCnt[i]! + failCnt[i]!;
      if (total < BLQ_WINDOW) total = BLQ_WINDOW;
      const estimate = ((255 * rcvCnt[i]!) / total) | 0;
      if ((flags[i]! & MATURE) === 0) inQuality[i] = estimate;
      else inQuality[i] = ((ALPHA * inQuality[i]! + (10 - ALPHA) * estimate + 5) / 10) | 0;
      rcvCnt[i] = 0;
      failCnt[i] = 0;
      const q = inQuality[i]!;
      updateEtx(i, q > 0 ? (2550 / q) | 0 : MAX_LINK_ETX);
    };

    /** A beacon with sequence number `seq` came from entry i. */
    const beaconSeen = (i: number, seq: number) => {
      if ((flags[i]! & INIT) !== 0) {
        lastSeq[i] = seq;
        flags[i]! &= ~INIT;
      }
      const gap = (seq - lastSeq[i]!) & 255;
      lastSeq[i] = seq;
      rcvCnt[i]!++;
      if (gap > 0) failCnt[i] = failCnt[i]! + gap - 1;
      deadWindows[i] = 0; // it is alive
      if (rcvCnt[i]! + failCnt[i]! >= BLQ_WINDOW || gap >= BLQ_WINDOW) updateInbound(i);
      if (gap > MAX_PKT_GAP) {
        const pinned = flags[i]! & PINNED;
        initEntry(i, addr[i]!);
        flags[i]! |= pinned;
        flags[i]! &= ~INIT;
        lastSeq[i] = seq;
        rcvCnt[i] = 1;
      }
    };

    /** Every DLQ_WINDOW unicasts to entry i: acknowledged ratio as an ETX. */
    const updateData = (i: number) => {
      const total = dataTotal[i]!;
      const success = dataSuccess[i]!;
      dataTotal[i] = 0;
      dataSuccess[i] = 0;
      if (success === 0) {
        deadWindows[i]!++;
        if (deadWindows[i]! >= DEAD_WINDOWS) {
          c.CollectionDebug.logEventSimple(NET_C_LE_EVICT_DEAD, addr[i]!);
          evict(i);
          return;
        }
        updateEtx(i, total * 10);
      } else {
        deadWindows[i] = 0;
        updateEtx(i, ((10 * total) / success) | 0);
      }
    };

    const dataOutcome = (neighbor: number, acked: boolean) => {
      const i = findIdx(neighbor);
      if (i < 0) return FAIL;
      if (acked) dataSuccess[i]!++;
      dataTotal[i]!++;
      if (dataTotal[i]! >= DLQ_WINDOW) updateData(i);
      return SUCCESS;
    };

    return {
      Send: {
        send(a, msg, len) {
          if (len + LE_HEADER_SIZE > c.SubPacket.maxPayloadLength()) return ESIZE;
          const data = msg.data;
          data[LE_FLAGS] = 0; // no footer entries: 4bitle does not read them
          data[LE_SEQ] = linkEstSeq;
          const error = c.AMSend.send(a, msg, len + LE_HEADER_SIZE);
          if (error === SUCCESS) linkEstSeq = (linkEstSeq + 1) & 255;
          return error;
        },
        cancel: (msg) => c.AMSend.cancel(msg),
        maxPayloadLength: () => c.SubPacket.maxPayloadLength() - LE_HEADER_SIZE,
        getPayload: (msg, len) =>
          len + LE_HEADER_SIZE > c.SubPacket.maxPayloadLength() ? null : payloadView(msg, LE_HEADER_SIZE),
      },
      AMSend: {
        sendDone: (msg, error) => c.Send.sendDone(msg, error),
      },
      SubReceive: {
        receive(msg, payload, len) {
          if (len < LE_HEADER_SIZE) return msg;
          const inner = len - LE_HEADER_SIZE - LE_FOOTER_ENTRY_SIZE * (payload[LE_FLAGS]! & LE_NUM_ENTRIES_MASK);
          if (inner < 0) return msg;
          const innerPayload = payloadView(msg, LE_HEADER_SIZE);
          if (c.SubAMPacket.destination(msg) === AM_BROADCAST_ADDR) {
            const from = c.SubAMPacket.source(msg);
            const seq = payload[LE_SEQ]!;
            let i = findIdx(from);
            if (i < 0) {
              i = findEmpty();
              if (i < 0) i = findWorst(EVICT_ETX_THRESHOLD, true);
              if (i < 0 && c.CompareBit.shouldInsert(msg, innerPayload, inner)) i = findWorst(0, false);
              if (i >= 0) {
                if ((flags[i]! & VALID) !== 0) evict(i);
                initEntry(i, from);
              }
            }
            if (i >= 0) beaconSeen(i, seq);
          }
          return c.Receive.receive(msg, innerPayload, inner);
        },
      },
      LinkEstimator: {
        getLinkQuality(neighbor) {
          const i = findIdx(neighbor);
          if (i < 0) return MAX_METRIC;
          return (flags[i]! & MATURE) !== 0 ? ((etx[i]! + 5) / 10) | 0 : IMMATURE_LINK_ETX;
        },
        insertNeighbor(neighbor) {
          if (findIdx(neighbor) >= 0) return SUCCESS;
          let i = findEmpty();
          if (i < 0) {
            i = findWorst(0, false);
            if (i < 0) return FAIL;
            evict(i);
          }
          initEntry(i, neighbor);
          return SUCCESS;
        },
        pinNeighbor(neighbor) {
          const i = findIdx(neighbor);
          if (i < 0) return FAIL;
          flags[i]! |= PINNED;
          return SUCCESS;
        },
        unpinNeighbor(neighbor) {
          const i = findIdx(neighbor);
          if (i < 0) return FAIL;
          flags[i]! &= ~PINNED;
          return SUCCESS;
        },
        clearDLQ(neighbor) {
          const i = findIdx(neighbor);
          if (i < 0) return FAIL;
          dataTotal[i] = 0;
          dataSuccess[i] = 0;
          deadWindows[i] = 0;
          return SUCCESS;
        },
        txAck: (neighbor) => dataOutcome(neighbor, true),
        txNoAck: (neighbor) => dataOutcome(neighbor, false),
      },
      // Written here, not through a variable: the build leaves out what nobody calls (see ignoreCollectionEvent).
      defaults: { CollectionDebug: { logEvent: ignoreCollectionEvent, logEventSimple: ignoreCollectionEvent, logEventDbg: ignoreCollectionEvent, logEventMsg: ignoreCollectionEvent, logEventRoute: ignoreCollectionEvent } },
    };
  },
);
