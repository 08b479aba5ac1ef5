import { module } from "../../components/mote.ts";
import { EBUSY, EOFF, ESIZE, FAIL, SUCCESS } from "../../components/TinyError.ts";
import { PacketLink } from "../../components/interfaces/PacketLink.ts";
import { Scheduler } from "../../components/interfaces/Scheduler.ts";
import { SplitControl } from "../../components/interfaces/SplitControl.ts";
import { ACKED, HEADER_SIZE, LENGTH, METADATA_SIZE, RSSI, SRC, TOSH_DATA_LENGTH, type Message } from "../../components/message/Message.ts";
import type { EspruinoBleDevice, EspruinoNrf } from "./EspruinoApi.ts";

declare const NRF: EspruinoNrf;
declare const setTimeout: (callback: () => void, ms: number) => number;

/** Espruino's Bluetooth company id (Pur3 Ltd): the manufacturer data that carries mote frames. */
export const MOTE_MANUFACTURER = 0x0590;
/** Legacy advertising leaves 24 bytes of manufacturer data (31 - flags 3 - length, type and company id 4). */
export const MANUFACTURER_DATA_MAX = 24;
/** A frame on the air: one sequence byte, then the AM header and payload. */
export const BLE_FRAME_MAX = MANUFACTURER_DATA_MAX - 1;
/** So a payload may be at most this long over BLE advertising (the AM header takes 7 bytes). */
export const BLE_PAYLOAD_MAX = BLE_FRAME_MAX - HEADER_SIZE;
/** How long one packet is advertised, and how often within that time. */
export const BURST_MS = 160;
export const ADVERTISING_INTERVAL_MS = 20;
/** Senders whose last sequence number is remembered, to drop the repeats of a burst. */
const SEEN = 8;

/**
 * The radio on nRF52 boards (Puck.js, MDBT42Q) over BLE advertising, as a
 * PacketLink: a packet is advertised as manufacturer data (company 0x0590:
 * a sequence byte, then the AM header and payload) for a burst of
 * BURST_MS at ADVERTISING_INTERVAL_MS, then the board's normal advertising
 * comes back and `sendDone` follows; receiving is a scan filtered on that
 * manufacturer, with the repeats of a burst dropped by (source, sequence).
 *
 * - Payloads are at most BLE_PAYLOAD_MAX (16) bytes: `send` says ESIZE
 *   beyond that (legacy advertising carries 24 bytes of manufacturer data).
 * - No link-layer acknowledgements over advertising: `sendDone` always says
 *   acked = false (and the ACKED metadata byte is 0).
 * - A packet is on the air from `send` on, so `cancel` cannot take it back:
 *   it says FAIL.
 * - SplitControl starts and stops the scan (scanning draws current: a
 *   Puck.js on a coin cell should not scan all the time).
 * - RSSI of a received packet goes to its metadata (RSSI byte, two's complement).
 */
export const EspruinoBleRadioP = module(
  "EspruinoBleRadioP",
  {
    provides: { PacketLink, SplitControl },
    uses: { Scheduler },
    tasks: ["startDone", "stopDone"],
  },
  (c) => {
    const size = HEADER_SIZE + TOSH_DATA_LENGTH + METADATA_SIZE;
    const buffer = new Uint8Array(size);
    let rxMsg: Message = {
      bytes: buffer,
      data: buffer.subarray(HEADER_SIZE, HEADER_SIZE + TOSH_DATA_LENGTH),
      metadataOffset: HEADER_SIZE + TOSH_DATA_LENGTH,
    };
    const tx = new Uint8Array(MANUFACTURER_DATA_MAX);
    const seenSource = new Uint16Array(SEEN);
    const seenSeq = new Uint16Array(SEEN).fill(0xffff);
    let seenNext = 0;
    let seq = 0;
    let on = false;
    let sending: Message | undefined;

    const endBurst = () => {
      NRF.setAdvertising({});
      const msg = sending as Message;
      sending = undefined;
      msg.bytes[msg.metadataOffset + ACKED] = 0;
      c.PacketLink.sendDone(msg, SUCCESS, false);
      c.Scheduler.taskLoop();
    };

    /** Whether this (source, sequence) was heard last time from that source; remembers it. */
    const repeated = (source: number, s: number) => {
      for (let i = 0; i < SEEN; i++) {
        if (seenSource[i] === source && seenSeq[i] !== 0xffff) {
          if (seenSeq[i] === s) return true;
          seenSeq[i] = s;
          return false;
        }
      }
      seenSource[seenNext] = source;
      seenSeq[seenNext] = s;
      seenNext = (seenNext + 1) % SEEN;
      return false;
    };

    const heard = (device: EspruinoBleDevice) => {
      const md = device.manufacturerData;
      if (!md) return;
      const frame = new Uint8Array(md);
      const n = frame.length - 1;
      if (n < HEADER_SIZE || n > BLE_FRAME_MAX || HEADER_SIZE + frame[1 + LENGTH]! !== n) return;
      if (repeated((frame[1 + SRC]! << 8) | frame[2 + SRC]!, frame[0]!)) return;
      const bytes = rxMsg.bytes;
      bytes.set(frame.subarray(1), 0);
      bytes[rxMsg.metadataOffset + RSSI] = device.rssi & 0xff;
      bytes[rxMsg.metadataOffset + ACKED] = 0;
      rxMsg = c.PacketLink.receive(rxMsg);
      c.Scheduler.taskLoop();
    };

    return {
      SplitControl: {
        start() {
          // 0x0590 is MOTE_MANUFACTURER, written out: Espruino has no computed keys.
          if (!on) NRF.setScan(heard, { filters: [{ manufacturerData: { 0x0590: {} } }] });
          on = true;
          c.post.startDone();
          return SUCCESS;
        },
        stop() {
          if (on) NRF.setScan();
          on = false;
          c.post.stopDone();
          return SUCCESS;
        },
      },
      PacketLink: {
        send(msg) {
          if (!on) return EOFF;
          if (sending) return EBUSY;
          const n = HEADER_SIZE + msg.bytes[LENGTH]!;
          if (n > BLE_FRAME_MAX) return ESIZE;
          seq = (seq + 1) & 0xff;
          tx[0] = seq;
          tx.set(msg.bytes.subarray(0, n), 1);
          NRF.setAdvertising(
            {},
            { manufacturer: MOTE_MANUFACTURER, manufacturerData: tx.subarray(0, n + 1), interval: ADVERTISING_INTERVAL_MS, showName: false },
          );
          sending = msg;
          setTimeout(endBurst, BURST_MS);
          return SUCCESS;
        },
        cancel: () => FAIL,
      },
      tasks: {
        startDone: () => c.SplitControl.startDone(SUCCESS),
        stopDone: () => c.SplitControl.stopDone(SUCCESS),
      },
    };
  },
);
