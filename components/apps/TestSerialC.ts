import { module } from "../mote.ts";
import { SUCCESS } from "../TinyError.ts";
import { AMSend } from "../interfaces/AMSend.ts";
import { Boot } from "../interfaces/Boot.ts";
import { Leds } from "../interfaces/Leds.ts";
import { Packet } from "../interfaces/Packet.ts";
import { Receive } from "../interfaces/Receive.ts";
import { SplitControl } from "../interfaces/SplitControl.ts";
import { Timer } from "../interfaces/Timer.ts";
import { AM_BROADCAST_ADDR, createMessage } from "../message/Message.ts";
import { TestSerialMsg } from "./TestSerialMsg.ts";

/**
 * TinyOS's TestSerial (apps/tests/TestSerial): once the serial stack is on,
 * count once a second and send the counter to the PC unless the last send
 * is still in flight; show the low three bits of every counter the PC sends
 * on the LEDs.
 */
export const TestSerialC = module(
  "TestSerialC",
  { uses: { Boot, Control: SplitControl, Leds, Receive, AMSend, MilliTimer: Timer, Packet } },
  (c) => {
    const packet = createMessage();
    let locked = false;
    let counter = 0;
    return {
      Boot: {
        booted() {
          c.Control.start();
        },
      },
      Control: {
        startDone(error) {
          if (error === SUCCESS) c.MilliTimer.startPeriodic(1000);
        },
        stopDone() {},
      },
      MilliTimer: {
        fired() {
          counter = (counter + 1) & 0xffff;
          if (locked) return;
          const payload = c.Packet.getPayload(packet, TestSerialMsg.size);
          if (payload === null || c.Packet.maxPayloadLength() < TestSerialMsg.size) return;
          TestSerialMsg.set.counter(payload, counter);
          if (c.AMSend.send(AM_BROADCAST_ADDR, packet, TestSerialMsg.size) === SUCCESS) locked = true;
        },
      },
      AMSend: {
        sendDone(msg) {
          if (msg === packet) locked = false;
        },
      },
      Receive: {
        receive(msg, payload, len) {
          if (len === TestSerialMsg.size) c.Leds.set(TestSerialMsg.get.counter(payload) & 7);
          return msg;
        },
      },
    };
  },
);
