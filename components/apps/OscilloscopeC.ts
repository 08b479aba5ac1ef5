import { module } from "../mote.ts";
import { SUCCESS } from "../TinyError.ts";
import { AMSend } from "../interfaces/AMSend.ts";
import { Boot } from "../interfaces/Boot.ts";
import { Leds } from "../interfaces/Leds.ts";
import { NodeId } from "../interfaces/NodeId.ts";
import { Read } from "../interfaces/Read.ts";
import { Receive } from "../interfaces/Receive.ts";
import { SplitControl } from "../interfaces/SplitControl.ts";
import { Timer } from "../interfaces/Timer.ts";
import { AM_BROADCAST_ADDR, createMessage } from "../message/Message.ts";
import { DEFAULT_INTERVAL, NREADINGS, OscilloscopeMsg } from "./OscilloscopeMsg.ts";

/** Bytes of a received message that carry version, interval, id and count. */
const HEADER_FIELDS = 8;

/**
 * TinyOS's Oscilloscope (apps/Oscilloscope/OscilloscopeC.nc): once the radio
 * is on, sample the sensor every `interval` ms (256 by default) and
 * broadcast the readings ten at a time (AM type 0x93, OscilloscopeMsg).
 *
 * - A failed read is stored as 0xFFFF; a refused `read` stores nothing.
 * - A message heard with a newer `version` makes this mote adopt its
 *   `interval` (and restart sampling); that is how the PC changes the
 *   interval, by broadcasting a message with a newer version through a base
 *   station, and how the change spreads from mote to mote.
 * - A message heard with a higher `count` makes this mote jump to it (and
 *   not count its own next message): a cheap "time sync", so all motes'
 *   counts stay together.
 * - A message too short to hold version, interval, id and count (8 bytes)
 *   is only counted as heard (TinyOS reads whatever the buffer holds).
 * - LEDs: 0 toggles on a problem (a refused read or send, a failed read or
 *   send), 1 on each message sent, 2 on each message heard.
 *
 * State is one static send buffer, numbers and a 10-entry array: sampling
 * and sending allocate nothing. As in TinyOS a message goes out at the
 * timer event after its tenth reading: the first at the 11th tick, then one
 * every 10 ticks.
 */
export const OscilloscopeC = module(
  "OscilloscopeC",
  { uses: { Boot, RadioControl: SplitControl, AMSend, Receive, Timer, Read: Read<number>(), Leds, NodeId } },
  (c) => {
    const sendBuf = createMessage();
    let sendBusy = false;
    // The local oscilloscope_t.
    let version = 0;
    let interval = DEFAULT_INTERVAL;
    let id = 0;
    let count = 0;
    const readings = new Uint16Array(NREADINGS);
    /** Readings taken so far, 0..NREADINGS. */
    let reading = 0;
    /** Set when we jumped to a higher count heard: our next message does not count. */
    let suppressCountChange = false;

    const startTimer = () => {
      c.Timer.startPeriodic(interval);
      reading = 0;
    };

    return {
      Boot: {
        booted() {
          interval = DEFAULT_INTERVAL;
          id = c.NodeId.get();
          if (c.RadioControl.start() !== SUCCESS) c.Leds.led0Toggle();
        },
      },
      RadioControl: {
        startDone() {
          startTimer();
        },
        stopDone() {},
      },
      Receive: {
        receive(msg, payload, len) {
          c.Leds.led2Toggle();
          if (len < HEADER_FIELDS) return msg;
          // A newer version: adopt its interval. A higher count: jump ahead, and do not count our next message.
          const v = OscilloscopeMsg.get.version(payload);
          if (v > version) {
            version = v;
            interval = OscilloscopeMsg.get.interval(payload);
            startTimer();
          }
          const n = OscilloscopeMsg.get.count(payload);
          if (n > count) {
            count = n;
            suppressCountChange = true;
          }
          return msg;
        },
      },
      Timer: {
        fired() {
          if (reading === NREADINGS) {
            if (!sendBusy && OscilloscopeMsg.size <= c.AMSend.maxPayloadLength()) {
              const out = c.AMSend.getPayload(sendBuf, OscilloscopeMsg.size)!;
              const set = OscilloscopeMsg.set;
              set.version(out, version);
              set.interval(out, interval);
              set.id(out, id);
              set.count(out, count);
              for (let i = 0; i < NREADINGS; i++) set.readings(out, i, readings[i]!);
              if (c.AMSend.send(AM_BROADCAST_ADDR, sendBuf, OscilloscopeMsg.size) === SUCCESS) sendBusy = true;
            }
            if (!sendBusy) c.Leds.led0Toggle();
            reading = 0;
            // Part 2 of the cheap time sync: count this message unless we just jumped ahead.
            if (!suppressCountChange) count = (count + 1) & 0xffff;
            suppressCountChange = false;
          }
          if (c.Read.read() !== SUCCESS) c.Leds.led0Toggle();
        },
      },
      AMSend: {
        sendDone(_msg, error) {
          if (error === SUCCESS) c.Leds.led1Toggle();
          else c.Leds.led0Toggle();
          sendBusy = false;
        },
      },
      Read: {
        readDone(error, data) {
          if (error !== SUCCESS) {
            data = 0xffff;
            c.Leds.led0Toggle();
          }
          if (reading < NREADINGS) readings[reading++] = data;
        },
      },
    };
  },
);
