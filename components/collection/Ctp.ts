/**
 * The Collection Tree Protocol's numbers and wire formats (TEP 123; TinyOS
 * tos/lib/net/ctp/Ctp.h, CtpForwardingEngine.h, TreeRouting.h and the 4-bit
 * link estimator's LinkEstimator.h), so frames are byte for byte what
 * TinyOS motes send and understand. All fields are big-endian.
 *
 * Data frame, AM 0x71, unicast to the parent with a link-layer ack
 * (ctp_data_header_t, then the application payload):
 *
 *   options u8 (P 0x80 pull, C 0x40 congested) | THL u8 | ETX u16 |
 *   origin u16 | origin seqno u8 | collect id u8 | payload...
 *
 * Routing frame, AM 0x70, broadcast: the link estimator's header (flags u8:
 * number of footer entries in the low 4 bits; beacon sequence number u8),
 * then ctp_routing_header_t (options u8 | parent u16 | ETX u16), then
 * `flags & 15` footer entries of 3 bytes (neighbour u16, inbound quality
 * u8) that 4bitle ignores on receipt. We send no footer entries.
 *
 * ETX is in tenths: 10 is one transmission; a root advertises 0.
 *
 * Image code: keep to the Espruino dialect.
 */
import { type ErrorT, SUCCESS } from "../TinyError.ts";
import { defineMessage, u16, u8 } from "../message/TypedMessage.ts";

export const AM_CTP_ROUTING = 0x70;
export const AM_CTP_DATA = 0x71;
export const AM_CTP_DEBUG = 0x72;

/** TEP 123: the P field (pull: send me routing beacons). */
export const CTP_OPT_PULL = 0x80;
/** TEP 123: the C field (congested). */
export const CTP_OPT_ECN = 0x40;

/** No node (no parent, no route): TOS_BCAST_ADDR. */
export const INVALID_ADDR = 0xffff;
/** Infinite ETX: no route, or an unknown link. */
export const MAX_METRIC = 0xffff;

/** The `unique()` key of collection sender clients (TinyOS UQ_CTP_CLIENT). */
export const UQ_CTP_CLIENT = "CtpSenderC.CollectId";

// ---------------------------------------------------------------------------
// Data header offsets, within the AM payload

export const CTP_DATA_HEADER_SIZE = 8;
export const DATA_OPTIONS = 0;
export const DATA_THL = 1;
export const DATA_ETX = 2;
export const DATA_ORIGIN = 4;
export const DATA_SEQNO = 6;
export const DATA_TYPE = 7;

// ---------------------------------------------------------------------------
// Routing frame offsets, within the AM payload (after the link estimator header)

export const LE_HEADER_SIZE = 2;
export const LE_FLAGS = 0;
export const LE_SEQ = 1;
/** Footer entries: the low four bits of the flags byte. */
export const LE_NUM_ENTRIES_MASK = 15;
export const LE_FOOTER_ENTRY_SIZE = 3;

export const CTP_ROUTING_HEADER_SIZE = 5;
export const ROUTING_OPTIONS = 0;
export const ROUTING_PARENT = 1;
export const ROUTING_ETX = 3;

// ---------------------------------------------------------------------------
// Protocol constants (TinyOS's values)

/** Period of the route re-evaluation, ms (TreeRouting.h BEACON_INTERVAL). */
export const BEACON_INTERVAL = 8192;
/** A new parent must be better than the current one by this much, ETX tenths (1.5 ETX). */
export const PARENT_SWITCH_THRESHOLD = 15;
/** Transmissions of one packet on one hop before it is dropped. */
export const MAX_RETRIES = 30;
/**
 * Forwarding buffers in the pool, and so the forwarding queue's capacity
 * beyond one entry per client (CtpP's FORWARD_COUNT). TinyOS writes
 * `#ifndef FORWARD_COUNT #define FORWARD_COUNT 12`, which an application's
 * CFLAGS or a small platform lowers; here the build defines
 * MOTE_FORWARD_COUNT from the configuration's `export const FORWARD_COUNT =
 * n;`, else the board's description (small-RAM boards), else the default.
 * Code run on the host (not built) sees the default.
 */
declare const MOTE_FORWARD_COUNT: number | undefined;
export const DEFAULT_FORWARD_COUNT = 12;
export const FORWARD_COUNT: number = typeof MOTE_FORWARD_COUNT === "number" ? MOTE_FORWARD_COUNT : DEFAULT_FORWARD_COUNT;
/** Entries in the cache of packets recently forwarded (CtpP's cache size). */
export const SENT_CACHE_SIZE = 4;
/** Routing table entries (CtpP's TREE_ROUTING_TABLE_SIZE) and link estimator neighbours. */
export const ROUTING_TABLE_SIZE = 10;
/** Beacon interval bounds, ms: from 128 ms doubling to 512 s. */
export const MIN_BEACON_INTERVAL = 128;
export const MAX_BEACON_INTERVAL = 512000;
/** Time to send one packet on a CC2420-class radio, ms; the forwarder's waits are multiples of it. */
export const FORWARD_PACKET_TIME = 7;
/** Wait before looking for a route again when there is none, ms. */
export const NO_ROUTE_RETRY = 10000;

// ---------------------------------------------------------------------------
// CollectionDebug event codes (CtpDebugMsg.h)

export const NET_C_FE_MSG_POOL_EMPTY = 0x10;
export const NET_C_FE_SEND_QUEUE_FULL = 0x11;
export const NET_C_FE_NO_ROUTE = 0x12;
export const NET_C_FE_SUBSEND_OFF = 0x13;
export const NET_C_FE_SUBSEND_BUSY = 0x14;
export const NET_C_FE_BAD_SENDDONE = 0x15;
export const NET_C_FE_QENTRY_POOL_EMPTY = 0x16;
export const NET_C_FE_SUBSEND_SIZE = 0x17;
export const NET_C_FE_LOOP_DETECTED = 0x18;
export const NET_C_FE_SEND_BUSY = 0x19;
export const NET_C_FE_SENT_MSG = 0x20;
export const NET_C_FE_RCV_MSG = 0x21;
export const NET_C_FE_FWD_MSG = 0x22;
export const NET_C_FE_DST_MSG = 0x23;
export const NET_C_FE_SENDDONE_FAIL = 0x24;
export const NET_C_FE_SENDDONE_WAITACK = 0x25;
export const NET_C_FE_SENDDONE_FAIL_ACK_SEND = 0x26;
export const NET_C_FE_SENDDONE_FAIL_ACK_FWD = 0x27;
export const NET_C_FE_DUPLICATE_CACHE = 0x28;
export const NET_C_FE_DUPLICATE_QUEUE = 0x29;
export const NET_C_FE_DUPLICATE_CACHE_AT_SEND = 0x2a;
export const NET_C_TREE_NO_ROUTE = 0x30;
export const NET_C_TREE_NEW_PARENT = 0x31;
export const NET_C_TREE_ROUTE_INFO = 0x32;
export const NET_C_TREE_SENT_BEACON = 0x33;
export const NET_C_TREE_RCV_BEACON = 0x34;
/** Not in TinyOS: the link estimator dropped a neighbour that stopped acknowledging (arg: the neighbour). */
export const NET_C_LE_EVICT_DEAD = 0x35;

/**
 * The CollectionDebug default: every event is dropped. Each module names it
 * for every command in its `defaults`, written in the object it returns, so
 * that the build leaves out the commands nobody calls and, on a board, all
 * of them are one function.
 */
export const ignoreCollectionEvent = (): ErrorT => SUCCESS;

// ---------------------------------------------------------------------------
// Declarations for host tools (decoding sniffed frames); images use the offsets above.

/** ctp_data_header_t (the payload follows it). */
export const CtpDataHeader = defineMessage("CtpDataHeader", AM_CTP_DATA, {
  options: u8,
  thl: u8,
  etx: u16,
  origin: u16,
  originSeqNo: u8,
  type: u8,
});

/** A routing beacon as TinyOS's CTP with the 4-bit estimator sends it (no footer entries). */
export const CtpRoutingFrame = defineMessage("CtpRoutingFrame", AM_CTP_ROUTING, {
  leFlags: u8,
  leSeq: u8,
  options: u8,
  parent: u16,
  etx: u16,
});
