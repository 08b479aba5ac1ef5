import { module } from "../../components/mote.ts";
import { EBUSY, EOFF, ESIZE, FAIL, SUCCESS } from "../../components/TinyError.ts";
import { PacketLink } from "../../components/interfaces/PacketLink.ts";
import { Scheduler } from "../../components/interfaces/Scheduler.ts";
import { SplitControl } from "../../components/interfaces/SplitControl.ts";
import { ACKED, createMessage, DEST, FOOTER, HEADER_SIZE, LENGTH, RSSI, SRC, type Message } from "../../components/message/Message.ts";
import type { EspruinoBleDevice, EspruinoNrf } from "./EspruinoApi.ts";

/**
 * TinyOS's CC2420_NO_ACKNOWLEDGEMENTS (apps/BaseStation/Makefile): a
 * configuration declares `export const CC2420_NO_ACKNOWLEDGEMENTS = true;`
 * and the build defines this (false when not declared, so the check folds
 * away). A sniffer such as BaseStationAppC then never acknowledges a frame,
 * whoever it is addressed to. This radio has no address recognition to turn
 * off: every frame goes up, and the AM layer tells Receive from Snoop.
 */
declare const MOTE_CC2420_NO_ACKNOWLEDGEMENTS: boolean | undefined;
declare const NRF: EspruinoNrf;
declare const setTimeout: (callback: () => void, ms: number) => number;

/** Espruino's Bluetooth company id (Pur3 Ltd): the manufacturer data that carries mote frames. */
export const MOTE_MANUFACTURER = 0x0590;
// Written out, not computed from each other: the image keeps only the literals it uses.
/** Legacy advertising leaves 24 bytes of manufacturer data (31 - flags 3 - length, type and company id 4). */
export const MANUFACTURER_DATA_MAX = 24;
/** Frame bytes one advertisement carries after its first byte (MANUFACTURER_DATA_MAX - 1). */
export const BLE_FRAME_MAX = 23;
/** A frame longer than BLE_FRAME_MAX goes in two parts: payloads up to this (2 × BLE_FRAME_MAX - HEADER_SIZE, past the default TOSH_DATA_LENGTH; longer sends get ESIZE). */
export const BLE_PAYLOAD_MAX = 39;
/** The first byte: the sequence number (0..63), and these flags. */
export const FIRST_PART = 0x80;
export const SECOND_PART = 0x40;
/** An acknowledgement's first byte: both part flags (no frame has them), and the acknowledged frame's sequence number. */
export const ACK = 0xc0;
/** How long an acknowledgement is on the air (three advertisements). */
export const ACK_BURST_MS = 60;
/** How long each advertisement (a whole frame, or one part) is on the air, and how often within that time. */
export const BURST_MS = 160;
export const ADVERTISING_INTERVAL_MS = 20;
/** Frames whose (source, sequence) is remembered, to drop the repeats of a burst. */
const SEEN = 8;

/**
 * The radio on nRF52 boards (Puck.js, MDBT42Q) over BLE advertising, as a
 * PacketLink: a packet is advertised as manufacturer data (company 0x0590:
 * a sequence byte, then the AM header and payload) for a burst of
 * BURST_MS at ADVERTISING_INTERVAL_MS, then the board's normal advertising
 * comes back and `sendDone` follows; receiving is a scan filtered on that
 * manufacturer, with the repeats of a burst dropped by (source, sequence)
 * among the last SEEN frames heard.
 *
 * - A frame longer than one advertisement carries (BLE_FRAME_MAX bytes: a
 *   payload over 16 bytes, such as Oscilloscope's 28) goes in two parts, one
 *   burst each: the first flagged FIRST_PART, the rest SECOND_PART, both
 *   with the same sequence number. A receiver joins a second part to the
 *   first part it heard last from the same device address (`device.id`).
 * - Software acknowledgements, as TinyOS radios without them in hardware
 *   do: a board that hears a whole frame addressed to it advertises
 *   [ACK | sequence, source address] for ACK_BURST_MS, unless it is sending
 *   itself; the sender, scanning during its burst, says acked = true in
 *   `sendDone` (and the ACKED metadata byte) if it heard that and wanted an
 *   ack. The board's own address is the source of the frames it sends (the
 *   AM layer's): a neighbour can address it only after hearing one of them.
 *   A send asked for while an acknowledgement is on the air starts after it.
 *   Built with CC2420_NO_ACKNOWLEDGEMENTS, the board acknowledges nothing.
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
    // A constant local and first: esbuild folds only those (not a module's top level across the bundle).
    const noAcks = typeof MOTE_CC2420_NO_ACKNOWLEDGEMENTS === "boolean" && MOTE_CC2420_NO_ACKNOWLEDGEMENTS;
    let rxMsg = createMessage();
    const tx = new Uint8Array(MANUFACTURER_DATA_MAX);
    // source << 8 | sequence, of the last SEEN frames heard; none has key 0xffffffff (what -1 stores).
    const seen = new Uint32Array(SEEN).fill(-1);
    let seenNext = 0;
    let seq = 0;
    let on = false;
    let sending: Message | undefined;
    // A first part heard, waiting for its second: where from, its first byte, how many frame bytes.
    let partFrom: string | undefined;
    let partHead = 0;
    let partLength = 0;
    // Our address (-1 until we send), whether the frame on the air wants an ack and has one, an ack on the air.
    let self = -1;
    let wantAck = false;
    let acked = false;
    let acking = false;
    // The (source, sequence) key of the frame acknowledged last.
    let ackedKey = -1;
    const ackTx = new Uint8Array(3);

    /** Puts frame bytes [offset, offset + BLE_FRAME_MAX) of the message being sent on the air, for one burst. */
    const advertise = (offset: number) => {
      const msg = sending as Message;
      const n = HEADER_SIZE + msg.bytes[LENGTH]! - offset;
      const part = n > BLE_FRAME_MAX ? BLE_FRAME_MAX : n;
      tx[0] = seq | (offset ? SECOND_PART : part < n ? FIRST_PART : 0);
      tx.set(msg.bytes.subarray(offset, offset + part), 1);
      NRF.setAdvertising(
        {},
        { manufacturer: MOTE_MANUFACTURER, manufacturerData: tx.subarray(0, part + 1), interval: ADVERTISING_INTERVAL_MS, showName: false },
      );
      setTimeout(part < n ? secondPart : endBurst, BURST_MS);
    };
    const secondPart = () => advertise(BLE_FRAME_MAX);

    const endBurst = () => {
      NRF.setAdvertising({});
      const msg = sending as Message;
      sending = undefined;
      const ok = wantAck && acked;
      msg.bytes[msg.metadataOffset + ACKED] = ok ? 1 : 0;
      c.PacketLink.sendDone(msg, SUCCESS, ok);
      c.Scheduler.taskLoop();
    };

    /** Advertises the acknowledgement of frame `sequence` from `source` (bytes: high, low). */
    const acknowledge = (sequence: number, high: number, low: number) => {
      acking = true;
      ackTx[0] = ACK | sequence;
      ackTx[1] = high;
      ackTx[2] = low;
      NRF.setAdvertising({}, { manufacturer: MOTE_MANUFACTURER, manufacturerData: ackTx, interval: ADVERTISING_INTERVAL_MS, showName: false });
      setTimeout(endAck, ACK_BURST_MS);
    };
    const endAck = () => {
      acking = false;
      // A send that came meanwhile goes on the air now.
      if (sending) advertise(0);
      else NRF.setAdvertising({});
    };

    /** Whether this (source, sequence) is among the last SEEN heard (a repeat of a burst); remembers it. */
    const repeated = (key: number) => {
      for (let i = 0; i < SEEN; i++) if (seen[i] === key) return true;
      seen[seenNext] = key;
      seenNext = (seenNext + 1) % SEEN;
      return false;
    };

    const heard = (device: EspruinoBleDevice) => {
      const md = device.manufacturerData;
      if (!md) return;
      const data = new Uint8Array(md);
      const head = data[0]!;
      let n = data.length - 1;
      const bytes = rxMsg.bytes;
      if ((head & ACK) === ACK) {
        // An acknowledgement: of the frame we have on the air?
        const msg = sending;
        if (msg && !acking && n === 2 && (head & 63) === seq && data[1] === msg.bytes[SRC] && data[2] === msg.bytes[SRC + 1]) acked = true;
        return;
      }
      if (head & SECOND_PART) {
        // Only the second part of the first part heard last, from the same board, fitting the buffer.
        if (device.id !== partFrom || (head ^ partHead) !== (SECOND_PART | FIRST_PART) || partLength + n > FOOTER) return;
        bytes.set(data.subarray(1), partLength);
        n += partLength;
        partFrom = undefined;
      } else {
        // Nor more than the buffer holds (an application may set TOSH_DATA_LENGTH below the 16 one part carries).
        if (n < HEADER_SIZE || n > (FOOTER < BLE_FRAME_MAX ? FOOTER : BLE_FRAME_MAX)) return;
        bytes.set(data.subarray(1), 0);
        if (head & FIRST_PART) {
          partFrom = device.id;
          partHead = head;
          partLength = n;
          return;
        }
      }
      if (HEADER_SIZE + bytes[LENGTH]! !== n) return;
      const key = (bytes[SRC]! << 16) | (bytes[SRC + 1]! << 8) | (head & 63);
      // Addressed to us, not acknowledged yet, and we are not on the air ourselves: acknowledge it, before
      // the buffer goes up; a repeat of the burst too, if we were on the air when we heard it first.
      if (!noAcks && key !== ackedKey && !sending && !acking && ((bytes[DEST]! << 8) | bytes[DEST + 1]!) === self) {
        ackedKey = key;
        acknowledge(head & 63, bytes[SRC]!, bytes[SRC + 1]!);
      }
      if (repeated(key)) return;
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
        send(msg, ack) {
          if (!on) return EOFF;
          if (sending) return EBUSY;
          if (HEADER_SIZE + msg.bytes[LENGTH]! > 2 * BLE_FRAME_MAX) return ESIZE;
          seq = (seq + 1) & 63;
          sending = msg;
          self = (msg.bytes[SRC]! << 8) | msg.bytes[SRC + 1]!;
          wantAck = ack && ((msg.bytes[DEST]! << 8) | msg.bytes[DEST + 1]!) !== 0xffff;
          acked = false;
          if (!acking) advertise(0);
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
