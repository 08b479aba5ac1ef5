import { genericModule, parameterized } from "../mote.ts";
import { EBUSY, ENOACK, EOFF, ESIZE, FAIL, SUCCESS } from "../TinyError.ts";
import { AMPacket } from "../interfaces/AMPacket.ts";
import { AMSend } from "../interfaces/AMSend.ts";
import { CollectionDebug } from "../interfaces/CollectionDebug.ts";
import { CollectionId } from "../interfaces/CollectionId.ts";
import { CollectionPacket } from "../interfaces/CollectionPacket.ts";
import { CtpInfo } from "../interfaces/CtpInfo.ts";
import { Intercept } from "../interfaces/Intercept.ts";
import { LinkEstimator } from "../interfaces/LinkEstimator.ts";
import { Packet } from "../interfaces/Packet.ts";
import { PacketAcknowledgements } from "../interfaces/PacketAcknowledgements.ts";
import { Random } from "../interfaces/Random.ts";
import { Receive } from "../interfaces/Receive.ts";
import { RootControl } from "../interfaces/RootControl.ts";
import { Send } from "../interfaces/Send.ts";
import { SplitControl } from "../interfaces/SplitControl.ts";
import { StdControl } from "../interfaces/StdControl.ts";
import { Timer } from "../interfaces/Timer.ts";
import { UnicastNameFreeRouting } from "../interfaces/UnicastNameFreeRouting.ts";
import { createMessage, getU16, HEADER_SIZE, type Message, setU16 } from "../message/Message.ts";
import {
  CTP_DATA_HEADER_SIZE,
  CTP_OPT_ECN,
  CTP_OPT_PULL,
  DATA_ETX,
  DATA_OPTIONS,
  DATA_ORIGIN,
  DATA_SEQNO,
  DATA_THL,
  DATA_TYPE,
  FORWARD_PACKET_TIME,
  MAX_METRIC,
  MAX_RETRIES,
  NET_C_FE_DST_MSG,
  NET_C_FE_DUPLICATE_CACHE,
  NET_C_FE_DUPLICATE_CACHE_AT_SEND,
  NET_C_FE_DUPLICATE_QUEUE,
  NET_C_FE_FWD_MSG,
  NET_C_FE_LOOP_DETECTED,
  NET_C_FE_MSG_POOL_EMPTY,
  NET_C_FE_NO_ROUTE,
  NET_C_FE_RCV_MSG,
  NET_C_FE_SEND_QUEUE_FULL,
  NET_C_FE_SENDDONE_FAIL,
  NET_C_FE_SENDDONE_FAIL_ACK_FWD,
  NET_C_FE_SENDDONE_FAIL_ACK_SEND,
  NET_C_FE_SENDDONE_WAITACK,
  NET_C_FE_SENT_MSG,
  ignoreCollectionEvent,
  NO_ROUTE_RETRY,
} from "./Ctp.ts";
import { payloadView } from "./PayloadView.ts";

// Waits before the next transmission, ms: [offset, offset + window) (CtpForwardingEngine.h).
const SENDDONE_OK_OFFSET = FORWARD_PACKET_TIME;
const SENDDONE_OK_WINDOW = FORWARD_PACKET_TIME;
const SENDDONE_NOACK_OFFSET = FORWARD_PACKET_TIME;
const SENDDONE_NOACK_WINDOW = FORWARD_PACKET_TIME;
const SENDDONE_FAIL_OFFSET = FORWARD_PACKET_TIME << 2;
const SENDDONE_FAIL_WINDOW = SENDDONE_FAIL_OFFSET;
const LOOPY_OFFSET = FORWARD_PACKET_TIME << 2;
const LOOPY_WINDOW = LOOPY_OFFSET;

/** The queue entry's client for a packet being forwarded (not one of ours). */
const FORWARDED = 255;

/**
 * CTP's forwarding engine (TinyOS CtpForwardingEngineP, TEP 123): one FIFO
 * send queue for this node's clients (one entry each) and for packets it
 * forwards (`forwardCount` buffers from a pool made at start, swapped with
 * the radio's on receipt), so nothing is allocated per packet.
 *
 * Each packet goes to the routing engine's current parent with a link-layer
 * acknowledgement requested and the node's path ETX in its header; without
 * an acknowledgement it is sent again (after a short random wait, with the
 * route re-evaluated) up to 30 times, then dropped. Each outcome goes to the
 * link estimator. At a root, packets are signalled on `Receive` (the root's
 * own ones through a loopback buffer).
 *
 * Duplicates: a packet is known by (origin, origin seqno, collect id, THL);
 * one already in the queue or among the last `cacheSize` forwarded (or
 * delivered) is dropped. A packet that went around a loop has a higher THL,
 * so it is not mistaken for a duplicate.
 *
 * Loops: a packet arriving with an ETX no higher than ours means the sender
 * thinks we are further from the root than it is (a loop, or stale
 * routes): the routing engine beacons soon and the queue waits a little.
 */
export const CtpForwardingEngineP = genericModule(
  "CtpForwardingEngineP",
  (numClients: number, _forwardCount: number, _cacheSize: number) => ({
    provides: {
      StdControl,
      Send: parameterized(Send, numClients),
      Receive: parameterized(Receive, 256),
      Snoop: parameterized(Receive, 256),
      Intercept: parameterized(Intercept, 256),
      Packet,
      CollectionPacket,
    },
    uses: {
      SubSend: AMSend,
      SubReceive: Receive,
      SubSnoop: Receive,
      SubPacket: Packet,
      AMPacket,
      Acks: PacketAcknowledgements,
      RetxmitTimer: Timer,
      Random,
      LinkEstimator,
      Routing: UnicastNameFreeRouting,
      CtpInfo,
      RootControl,
      CollectionId: parameterized(CollectionId, numClients),
      RadioControl: SplitControl,
      CollectionDebug,
    },
    tasks: ["sendTask"],
    defaults: ["Receive", "Snoop", "Intercept", "CollectionDebug"],
  }),
  (c, _host, numClients, forwardCount, cacheSize) => {
    let running = false;
    let radioOn = false;
    /** A packet is with the radio (from SubSend.send until its sendDone). */
    let sending = false;
    let ackPending = false;
    let seqno = 0;

    // The send queue: a ring of (message, client, retries left).
    const capacity = forwardCount + numClients;
    const qMsg: (Message | null)[] = [];
    for (let i = 0; i < capacity; i++) qMsg.push(null);
    const qClient = new Uint8Array(capacity || 1);
    const qRetries = new Uint8Array(capacity || 1);
    let qHead = 0;
    let qSize = 0;

    const clientBusy = new Uint8Array(numClients || 1);

    // The forwarding buffers' pool.
    const pool: Message[] = [];
    for (let i = 0; i < forwardCount; i++) pool.push(createMessage());
    let poolFree = forwardCount;

    let loopback: Message = createMessage();


    // The cache of packets recently forwarded or delivered: key (origin << 16 | seqno << 8 | collect id) and THL, most recent first.
    const cacheKey = new Uint32Array(cacheSize || 1);
    const cacheThl = new Uint8Array(cacheSize || 1);
    let cacheCount = 0;

    const keyOf = (data: Uint8Array) => ((getU16(data, DATA_ORIGIN) << 16) | (data[DATA_SEQNO]! << 8) | data[DATA_TYPE]!) >>> 0;
    const cacheLookup = (data: Uint8Array): boolean => {
      const k = keyOf(data);
      const thl = data[DATA_THL]!;
      for (let i = 0; i < cacheCount; i++) if (cacheKey[i] === k && cacheThl[i] === thl) return true;
      return false;
    };
    const cacheInsert = (data: Uint8Array) => {
      const k = keyOf(data);
      const thl = data[DATA_THL]!;
      let i = 0;
      while (i < cacheCount && !(cacheKey[i] === k && cacheThl[i] === thl)) i++;
      if (i === cacheCount) {
        if (cacheCount < cacheSize) cacheCount++;
        i = cacheCount - 1; // the oldest goes
      }
      for (; i > 0; i--) {
        cacheKey[i] = cacheKey[i - 1]!;
        cacheThl[i] = cacheThl[i - 1]!;
      }
      cacheKey[0] = k;
      cacheThl[0] = thl;
    };
    /** Whether a queued packet is the same instance: origin, seqno, collect id and THL. */
    const inQueue = (data: Uint8Array): boolean => {
      for (let n = 0; n < qSize; n++) {
        const q = qMsg[(qHead + n) % capacity]!.data;
        if (
          q[DATA_SEQNO] === data[DATA_SEQNO] &&
          q[DATA_TYPE] === data[DATA_TYPE] &&
          q[DATA_THL] === data[DATA_THL] &&
          q[DATA_ORIGIN] === data[DATA_ORIGIN] &&
          q[DATA_ORIGIN + 1] === data[DATA_ORIGIN + 1]
        ) {
          return true;
        }
      }
      return false;
    };

    const enqueue = (msg: Message, client: number): boolean => {
      if (qSize >= capacity) return false;
      const at = (qHead + qSize) % capacity;
      qMsg[at] = msg;
      qClient[at] = client;
      qRetries[at] = MAX_RETRIES;
      qSize++;
      return true;
    };
    const dequeue = () => {
      qMsg[qHead] = null;
      qHead = (qHead + 1) % capacity;
      qSize--;
    };

    const startRetxmitTimer = (window: number, offset: number) => {
      c.RetxmitTimer.startOneShot(offset + (c.Random.rand16() % window));
    };

    const packetComplete = (msg: Message, client: number, success: boolean) => {
      const data = msg.data;
      const origin = getU16(data, DATA_ORIGIN);
      const dest = c.AMPacket.destination(msg);
      if (client !== FORWARDED) {
        clientBusy[client] = 0;
        c.CollectionDebug.logEventMsg(
          success ? NET_C_FE_SENT_MSG : NET_C_FE_SENDDONE_FAIL_ACK_SEND,
          data[DATA_SEQNO]!,
          origin,
          dest,
        );
        c.Send.sendDone(client, msg, success ? SUCCESS : ENOACK);
      } else {
        if (success) {
          cacheInsert(data);
          c.CollectionDebug.logEventMsg(NET_C_FE_FWD_MSG, data[DATA_SEQNO]!, origin, dest);
        } else {
          c.CollectionDebug.logEventMsg(NET_C_FE_SENDDONE_FAIL_ACK_FWD, data[DATA_SEQNO]!, origin, dest);
        }
        pool[poolFree++] = msg;
      }
    };

    const sendTask = () => {
      if (sending || qSize === 0 || !radioOn) return;
      const isRoot = c.RootControl.isRoot();
      const gradient = c.CtpInfo.getEtx();
      if ((!isRoot && !c.Routing.hasRoute()) || gradient === MAX_METRIC) {
        c.RetxmitTimer.startOneShot(NO_ROUTE_RETRY);
        c.CollectionDebug.logEvent(NET_C_FE_NO_ROUTE);
        return;
      }
      const msg = qMsg[qHead]!;
      const client = qClient[qHead]!;
      const data = msg.data;
      if (client === FORWARDED && cacheLookup(data)) {
        // Forwarded meanwhile (a retransmission we had already queued): drop it.
        c.CollectionDebug.logEvent(NET_C_FE_DUPLICATE_CACHE_AT_SEND);
        dequeue();
        pool[poolFree++] = msg;
        c.post.sendTask();
        return;
      }
      c.RetxmitTimer.stop();
      if (isRoot) {
        // Our own packet at a root: deliver it through the loopback buffer (Receive may keep it).
        const n = HEADER_SIZE + c.SubPacket.payloadLength(msg);
        const into = loopback.bytes;
        const from = msg.bytes;
        for (let i = 0; i < n && i < loopback.metadataOffset; i++) into[i] = from[i]!;
        const len = c.SubPacket.payloadLength(loopback) - CTP_DATA_HEADER_SIZE;
        cacheInsert(data);
        c.CollectionDebug.logEventMsg(NET_C_FE_DST_MSG, data[DATA_SEQNO]!, getU16(data, DATA_ORIGIN), c.AMPacket.address());
        loopback = c.Receive.receive(data[DATA_TYPE]!, loopback, payloadView(loopback, CTP_DATA_HEADER_SIZE), len);
        dequeue();
        packetComplete(msg, client, true);
        if (qSize > 0) c.post.sendTask();
        return;
      }
      let options = data[DATA_OPTIONS]! & ~(CTP_OPT_ECN | CTP_OPT_PULL);
      if (qSize * 4 >= capacity * 3) options |= CTP_OPT_ECN; // the queue is near full: congested
      data[DATA_OPTIONS] = options;
      setU16(data, DATA_ETX, gradient);
      ackPending = c.Acks.requestAck(msg) === SUCCESS;
      const error = c.SubSend.send(c.Routing.nextHop(), msg, c.SubPacket.payloadLength(msg));
      if (error === SUCCESS) sending = true;
      else startRetxmitTimer(SENDDONE_FAIL_WINDOW, SENDDONE_FAIL_OFFSET);
    };

    /** Takes `m` into the queue to forward, handing the radio a free buffer in exchange. */
    const forward = (m: Message): Message => {
      if (poolFree === 0) {
        c.CollectionDebug.logEvent(NET_C_FE_MSG_POOL_EMPTY);
        return m;
      }
      if (!enqueue(m, FORWARDED)) {
        c.CollectionDebug.logEvent(NET_C_FE_SEND_QUEUE_FULL);
        return m;
      }
      const fresh = pool[--poolFree]!;
      const data = m.data;
      const gradient = c.CtpInfo.getEtx();
      if (gradient !== MAX_METRIC && getU16(data, DATA_ETX) <= gradient) {
        // The sender is no further from the root than we are: a loop, or stale routes.
        c.CtpInfo.triggerImmediateRouteUpdate();
        startRetxmitTimer(LOOPY_WINDOW, LOOPY_OFFSET);
        c.CollectionDebug.logEventMsg(NET_C_FE_LOOP_DETECTED, data[DATA_SEQNO]!, getU16(data, DATA_ORIGIN), c.AMPacket.source(m));
      }
      if (!c.RetxmitTimer.isRunning()) c.post.sendTask();
      return fresh;
    };

    return {
      StdControl: {
        start() {
          running = true;
          return SUCCESS;
        },
        stop() {
          running = false;
          return SUCCESS;
        },
      },
      RadioControl: {
        startDone(error) {
          if (error !== SUCCESS) return;
          radioOn = true;
          if (qSize > 0) c.post.sendTask();
        },
        stopDone(error) {
          if (error === SUCCESS) radioOn = false;
        },
      },
      Routing: {
        routeFound() {
          c.post.sendTask();
        },
        noRoute() {},
      },
      Send: {
        send(client, msg, len) {
          if (!running) return EOFF;
          if (client >= numClients) return FAIL;
          if (len > c.SubPacket.maxPayloadLength() - CTP_DATA_HEADER_SIZE) return ESIZE;
          if (clientBusy[client]) return EBUSY;
          c.SubPacket.setPayloadLength(msg, len + CTP_DATA_HEADER_SIZE);
          const data = msg.data;
          data[DATA_OPTIONS] = 0;
          data[DATA_THL] = 0;
          setU16(data, DATA_ETX, 0);
          setU16(data, DATA_ORIGIN, c.AMPacket.address());
          data[DATA_SEQNO] = seqno;
          data[DATA_TYPE] = c.CollectionId.fetch(client);
          if (!enqueue(msg, client)) {
            c.CollectionDebug.logEvent(NET_C_FE_SEND_QUEUE_FULL);
            return FAIL;
          }
          seqno = (seqno + 1) & 255;
          clientBusy[client] = 1;
          if (radioOn && !sending && !c.RetxmitTimer.isRunning()) c.post.sendTask();
          return SUCCESS;
        },
        cancel() {
          return FAIL; // as TinyOS's CTP: a queued packet cannot be pulled out
        },
        maxPayloadLength: () => c.SubPacket.maxPayloadLength() - CTP_DATA_HEADER_SIZE,
        getPayload: (_client, msg, len) =>
          len + CTP_DATA_HEADER_SIZE > c.SubPacket.maxPayloadLength() ? null : payloadView(msg, CTP_DATA_HEADER_SIZE),
      },
      SubSend: {
        sendDone(msg, error) {
          if (!sending || qSize === 0 || qMsg[qHead] !== msg) return;
          sending = false;
          const dest = c.AMPacket.destination(msg);
          const data = msg.data;
          if (error !== SUCCESS) {
            // The radio could not send it (channel busy, radio off): try again a little later.
            c.CollectionDebug.logEventMsg(NET_C_FE_SENDDONE_FAIL, data[DATA_SEQNO]!, getU16(data, DATA_ORIGIN), dest);
            startRetxmitTimer(SENDDONE_FAIL_WINDOW, SENDDONE_FAIL_OFFSET);
          } else if (ackPending && !c.Acks.wasAcked(msg)) {
            c.LinkEstimator.txNoAck(dest);
            c.CtpInfo.recomputeRoutes();
            qRetries[qHead]!--;
            if (qRetries[qHead]! > 0) {
              c.CollectionDebug.logEventMsg(NET_C_FE_SENDDONE_WAITACK, data[DATA_SEQNO]!, getU16(data, DATA_ORIGIN), dest);
              startRetxmitTimer(SENDDONE_NOACK_WINDOW, SENDDONE_NOACK_OFFSET);
            } else {
              const client = qClient[qHead]!;
              dequeue();
              startRetxmitTimer(SENDDONE_OK_WINDOW, SENDDONE_OK_OFFSET);
              packetComplete(msg, client, false);
            }
          } else {
            const client = qClient[qHead]!;
            dequeue();
            startRetxmitTimer(SENDDONE_OK_WINDOW, SENDDONE_OK_OFFSET);
            c.LinkEstimator.txAck(dest);
            packetComplete(msg, client, true);
          }
        },
      },
      SubReceive: {
        receive(msg, _payload, len) {
          if (len < CTP_DATA_HEADER_SIZE || !running) return msg;
          const data = msg.data;
          const collectId = data[DATA_TYPE]!;
          // One more hop lived: the root sees the whole path's length.
          data[DATA_THL] = (data[DATA_THL]! + 1) & 255;
          c.CollectionDebug.logEventMsg(NET_C_FE_RCV_MSG, data[DATA_SEQNO]!, getU16(data, DATA_ORIGIN), c.AMPacket.source(msg));
          if (cacheLookup(data)) {
            c.CollectionDebug.logEvent(NET_C_FE_DUPLICATE_CACHE);
            return msg;
          }
          if (inQueue(data)) {
            c.CollectionDebug.logEvent(NET_C_FE_DUPLICATE_QUEUE);
            return msg;
          }
          const payload = payloadView(msg, CTP_DATA_HEADER_SIZE);
          const payloadLen = len - CTP_DATA_HEADER_SIZE;
          if (c.RootControl.isRoot()) {
            cacheInsert(data);
            c.CollectionDebug.logEventMsg(NET_C_FE_DST_MSG, data[DATA_SEQNO]!, getU16(data, DATA_ORIGIN), c.AMPacket.source(msg));
            return c.Receive.receive(collectId, msg, payload, payloadLen);
          }
          if (!c.Intercept.forward(collectId, msg, payload, payloadLen)) return msg;
          return forward(msg);
        },
      },
      SubSnoop: {
        receive(msg, _payload, len) {
          if (len < CTP_DATA_HEADER_SIZE) return msg;
          const data = msg.data;
          // A neighbour without a route: tell it ours soon (TEP 123's P bit).
          if ((data[DATA_OPTIONS]! & CTP_OPT_PULL) !== 0) c.CtpInfo.triggerRouteUpdate();
          return c.Snoop.receive(data[DATA_TYPE]!, msg, payloadView(msg, CTP_DATA_HEADER_SIZE), len - CTP_DATA_HEADER_SIZE);
        },
      },
      RetxmitTimer: {
        fired() {
          c.post.sendTask();
        },
      },
      LinkEstimator: {
        evicted() {},
      },
      tasks: { sendTask },
      Packet: {
        clear: (msg) => c.SubPacket.clear(msg),
        payloadLength: (msg) => c.SubPacket.payloadLength(msg) - CTP_DATA_HEADER_SIZE,
        setPayloadLength(msg, len) {
          c.SubPacket.setPayloadLength(msg, len + CTP_DATA_HEADER_SIZE);
        },
        maxPayloadLength: () => c.SubPacket.maxPayloadLength() - CTP_DATA_HEADER_SIZE,
        getPayload: (msg, len) =>
          len + CTP_DATA_HEADER_SIZE > c.SubPacket.maxPayloadLength() ? null : payloadView(msg, CTP_DATA_HEADER_SIZE),
      },
      CollectionPacket: {
        getOrigin: (msg) => getU16(msg.data, DATA_ORIGIN),
        setOrigin(msg, a) {
          setU16(msg.data, DATA_ORIGIN, a);
        },
        getType: (msg) => msg.data[DATA_TYPE]!,
        setType(msg, id) {
          msg.data[DATA_TYPE] = id;
        },
        getSequenceNumber: (msg) => msg.data[DATA_SEQNO]!,
        setSequenceNumber(msg, s) {
          msg.data[DATA_SEQNO] = s;
        },
      },
      // Written here, not through a variable: the build leaves out what nobody calls (see ignoreCollectionEvent).
      defaults: {
        Receive: { receive: (_id, msg) => msg },
        Snoop: { receive: (_id, msg) => msg },
        Intercept: { forward: () => true },
        CollectionDebug: { logEvent: ignoreCollectionEvent, logEventSimple: ignoreCollectionEvent, logEventDbg: ignoreCollectionEvent, logEventMsg: ignoreCollectionEvent, logEventRoute: ignoreCollectionEvent },
      },
    };
  },
);
