import { genericModule, parameterized } from "../mote.ts";
import { SUCCESS } from "../TinyError.ts";
import { AMSend } from "../interfaces/AMSend.ts";
import { DisseminationCache } from "../interfaces/DisseminationCache.ts";
import { Receive } from "../interfaces/Receive.ts";
import { StdControl } from "../interfaces/StdControl.ts";
import { TrickleTimer } from "../interfaces/TrickleTimer.ts";
import { AM_BROADCAST_ADDR, createMessage, getU16 } from "../message/Message.ts";
import {
  DISSEMINATION_HEADER_SIZE,
  DISSEMINATION_KEY,
  DISSEMINATION_SEQNO,
  DISSEMINATION_SEQNO_UNKNOWN,
} from "./Dissemination.ts";

const u32 = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/**
 * Drip's engine (TinyOS DisseminationEngineImplP, TEP 118): for each of the
 * `count` disseminated values a Trickle timer decides when to broadcast it
 * (key, version, value). Hearing a newer version replaces ours and resets
 * the timer (so the news spreads fast); hearing the same version counts
 * toward Trickle's suppression; hearing an older one makes us send ours at
 * once. A local change is broadcast at once and resets the timer. Probes
 * (a key alone) are answered with the value if we have one.
 */
export const DisseminationEngineImplP = genericModule(
  "DisseminationEngineImplP",
  (count: number) => ({
    provides: { StdControl },
    uses: {
      Cache: parameterized(DisseminationCache, count),
      TrickleTimer: parameterized(TrickleTimer, count),
      AMSend,
      Receive,
      ProbeReceive: Receive,
    },
  }),
  (c, _host, count) => {
    const buf = createMessage();
    let running = false;
    let busy = false;
    const indexOf = (key: number): number => {
      for (let i = 0; i < count; i++) if (c.Cache.key(i) === key) return i;
      return -1;
    };

    const sendObject = (i: number) => {
      if (!running || busy) return;
      const payload = c.AMSend.getPayload(buf, DISSEMINATION_HEADER_SIZE);
      if (payload === null) return;
      const key = c.Cache.key(i);
      const seqno = c.Cache.requestSeqno(i);
      payload[DISSEMINATION_KEY] = key >> 8;
      payload[DISSEMINATION_KEY + 1] = key;
      payload[DISSEMINATION_SEQNO] = seqno >>> 24;
      payload[DISSEMINATION_SEQNO + 1] = seqno >>> 16;
      payload[DISSEMINATION_SEQNO + 2] = seqno >>> 8;
      payload[DISSEMINATION_SEQNO + 3] = seqno;
      let size = 0;
      if (seqno !== DISSEMINATION_SEQNO_UNKNOWN) {
        size = c.Cache.requestData(i, payload, DISSEMINATION_HEADER_SIZE, c.AMSend.maxPayloadLength() - DISSEMINATION_HEADER_SIZE);
      }
      if (c.AMSend.send(AM_BROADCAST_ADDR, buf, DISSEMINATION_HEADER_SIZE + size) === SUCCESS) busy = true;
    };

    return {
      StdControl: {
        start() {
          if (running) return SUCCESS;
          running = true;
          for (let i = 0; i < count; i++) {
            c.TrickleTimer.start(i);
            c.TrickleTimer.reset(i);
          }
          return SUCCESS;
        },
        stop() {
          running = false;
          for (let i = 0; i < count; i++) c.TrickleTimer.stop(i);
          return SUCCESS;
        },
      },
      Cache: {
        newData(i) {
          sendObject(i);
          // Reset even when stopped, so the timer's state stays right for later (as Drip does).
          c.TrickleTimer.reset(i);
        },
      },
      TrickleTimer: {
        fired(i) {
          sendObject(i);
        },
      },
      AMSend: {
        sendDone(msg) {
          if (msg === buf) busy = false;
        },
      },
      Receive: {
        receive(msg, payload, len) {
          if (!running || len < DISSEMINATION_HEADER_SIZE) return msg;
          const i = indexOf(getU16(payload, DISSEMINATION_KEY));
          if (i < 0) return msg;
          const incoming = u32(payload, DISSEMINATION_SEQNO);
          const current = c.Cache.requestSeqno(i);
          const size = len - DISSEMINATION_HEADER_SIZE;
          if (current === DISSEMINATION_SEQNO_UNKNOWN && incoming !== DISSEMINATION_SEQNO_UNKNOWN) {
            c.Cache.storeData(i, payload, DISSEMINATION_HEADER_SIZE, size, incoming);
            c.TrickleTimer.reset(i);
          } else if (incoming === DISSEMINATION_SEQNO_UNKNOWN && current !== DISSEMINATION_SEQNO_UNKNOWN) {
            c.TrickleTimer.reset(i);
          } else if (((incoming - current) | 0) > 0) {
            c.Cache.storeData(i, payload, DISSEMINATION_HEADER_SIZE, size, incoming);
            c.TrickleTimer.reset(i);
          } else if (incoming === current) {
            c.TrickleTimer.incrementCounter(i);
          } else {
            sendObject(i); // they are behind: tell them now
          }
          return msg;
        },
      },
      ProbeReceive: {
        receive(msg, payload, len) {
          if (!running || len < 2) return msg;
          const i = indexOf(getU16(payload, DISSEMINATION_KEY));
          if (i >= 0 && c.Cache.requestSeqno(i) !== DISSEMINATION_SEQNO_UNKNOWN) sendObject(i);
          return msg;
        },
      },
    };
  },
);
