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
import { RadioCountMsg } from "./RadioCountMsg.ts";

/**
 * TinyOS's RadioCountToLeds: once the radio is on, count four times a
 * second and broadcast the counter unless the last send is still in flight;
 * show the low three bits of every counter heard on the LEDs.
 */
export const RadioCountToLedsC = module(
  "RadioCountToLedsC",
  { uses: { Boot, AMControl: SplitControl, Leds, Receive, AMSend, MilliTimer: Timer, Packet } },
  (c) => {
    const packet = createMessage();
    let locked = false;
    let counter = 0;
    return {
      Boot: {
        booted() {
          c.AMControl.start();
        },
      },
      AMControl: {
        startDone(error) {
          if (error === SUCCESS) c.MilliTimer.startPeriodic(250);
          else c.AMControl.start();
        },
        stopDone() {},
      },
      MilliTimer: {
        fired() {
          counter = (counter + 1) & 0xffff;
          if (locked) return;
          const payload = c.Packet.getPayload(packet, RadioCountMsg.size);
          if (payload === null) return;
          RadioCountMsg.set.counter(payload, counter);
          if (c.AMSend.send(AM_BROADCAST_ADDR, packet, RadioCountMsg.size) === SUCCESS) locked = true;
        },
      },
      AMSend: {
        sendDone(msg) {
          if (msg === packet) locked = false;
        },
      },
      Receive: {
        receive(msg, payload, len) {
          if (len === RadioCountMsg.size) c.Leds.set(RadioCountMsg.get.counter(payload) & 7);
          return msg;
        },
      },
    };
  },
);
