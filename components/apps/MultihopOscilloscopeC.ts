import { module } from "../mote.ts";
import { SUCCESS } from "../TinyError.ts";
import { AMSend } from "../interfaces/AMSend.ts";
import { Boot } from "../interfaces/Boot.ts";
import { DisseminationUpdate } from "../interfaces/DisseminationUpdate.ts";
import { DisseminationValue } from "../interfaces/DisseminationValue.ts";
import { Leds } from "../interfaces/Leds.ts";
import { NodeId } from "../interfaces/NodeId.ts";
import { Read } from "../interfaces/Read.ts";
import { Receive } from "../interfaces/Receive.ts";
import { RootControl } from "../interfaces/RootControl.ts";
import { Send } from "../interfaces/Send.ts";
import { SplitControl } from "../interfaces/SplitControl.ts";
import { StdControl } from "../interfaces/StdControl.ts";
import { Timer } from "../interfaces/Timer.ts";
import { AM_BROADCAST_ADDR, createMessage } from "../message/Message.ts";
import { DEFAULT_INTERVAL, MultihopOscilloscopeMsg, NREADINGS } from "./MultihopOscilloscopeMsg.ts";

/** Readings the root may hold for the serial port while it is busy (TinyOS's UART_QUEUE_LEN). */
const UART_QUEUE_LEN = 12;
const SIZE = MultihopOscilloscopeMsg.size;
const M = MultihopOscilloscopeMsg;

/**
 * TinyOS's MultihopOscilloscope: every mote samples its sensor each
 * `interval` ms and sends the last 5 readings over collection; the root
 * (a mote whose id is a multiple of 500) hands every reading message to the
 * PC on its serial port, as the same Oscilloscope frame (AM type 0x93) that
 * TinyOS's root sends, queueing up to 12 while the port is busy.
 *
 * The sampling interval: the PC sends the root an Oscilloscope packet with
 * a newer `version`; the root takes its interval and disseminates
 * (version, interval) to every mote (our addition: TinyOS's app has no PC
 * path and spreads a newer version only by overhearing). As in TinyOS, a
 * newer version or a higher `count` overheard in a neighbour's readings is
 * adopted too (the count jump is its cheap "time synchronisation").
 *
 * LEDs as TinyOS's: led0 toggles on a problem, led1 on a reading sent,
 * led2 on a reading overheard; all three on means a fatal problem.
 */
export const MultihopOscilloscopeC = module(
  "MultihopOscilloscopeC",
  {
    uses: {
      Boot,
      RadioControl: SplitControl,
      SerialControl: SplitControl,
      RoutingControl: StdControl,
      DisseminationControl: StdControl,
      Send,
      Snoop: Receive,
      Receive,
      SerialSend: AMSend,
      SerialReceive: Receive,
      RootControl,
      IntervalValue: DisseminationValue<number>(),
      IntervalUpdate: DisseminationUpdate<number>(),
      Timer,
      Read: Read<number>(),
      Leds,
      NodeId,
    },
    tasks: ["uartSendTask"],
  },
  (c) => {
    // Our readings so far, as the message we will send: `local` in TinyOS.
    const local = new Uint8Array(SIZE);
    let reading = 0;
    let suppressCountChange = false;
    const sendbuf = createMessage();
    let sendbusy = false;

    // The root's serial queue: a ring of readings, copied into the one serial message as it goes out
    // (a message buffer per entry would be an object, a typed array and a view each: JsVars on a Puck.js).
    const uartRing = new Uint8Array(UART_QUEUE_LEN * SIZE);
    const uartbuf = createMessage();
    let uartHead = 0;
    let uartCount = 0;
    let uartbusy = false;

    const fatalProblem = () => {
      c.Leds.led0On();
      c.Leds.led1On();
      c.Leds.led2On();
      c.Timer.stop();
    };
    const reportProblem = () => c.Leds.led0Toggle();
    const reportSent = () => c.Leds.led1Toggle();
    const reportReceived = () => c.Leds.led2Toggle();

    const startTimer = () => {
      if (c.Timer.isRunning()) c.Timer.stop();
      c.Timer.startPeriodic(M.get.interval(local));
      reading = 0;
    };

    /** A newer (version, interval), from the PC, the dissemination layer or a neighbour. */
    const adopt = (version: number, interval: number): boolean => {
      if (version <= M.get.version(local) || interval === 0) return false;
      M.set.version(local, version);
      M.set.interval(local, interval);
      startTimer();
      return true;
    };

    return {
      Boot: {
        booted() {
          M.set.interval(local, DEFAULT_INTERVAL);
          M.set.id(local, c.NodeId.get());
          M.set.version(local, 0);
          if (c.RadioControl.start() !== SUCCESS) fatalProblem();
          if (c.RoutingControl.start() !== SUCCESS) fatalProblem();
          if (c.DisseminationControl.start() !== SUCCESS) fatalProblem();
        },
      },
      RadioControl: {
        startDone(error) {
          if (error !== SUCCESS) fatalProblem();
          if (SIZE > c.Send.maxPayloadLength()) fatalProblem();
          if (c.SerialControl.start() !== SUCCESS) fatalProblem();
        },
        stopDone() {},
      },
      SerialControl: {
        startDone(error) {
          if (error !== SUCCESS) fatalProblem();
          // How to become a root of the collection tree, as TinyOS's app does it.
          if (M.get.id(local) % 500 === 0) c.RootControl.setRoot();
          startTimer();
        },
        stopDone() {},
      },
      // Only a root receives: each reading message goes to the PC.
      Receive: {
        receive(msg, payload, len) {
          if (len !== SIZE) return msg;
          if (uartCount >= UART_QUEUE_LEN) {
            reportProblem(); // dropped: the queue is full
            return msg;
          }
          const at = ((uartHead + uartCount) % UART_QUEUE_LEN) * SIZE;
          for (let i = 0; i < SIZE; i++) uartRing[at + i] = payload[i]!;
          uartCount++;
          if (!uartbusy) c.post.uartSendTask();
          return msg;
        },
      },
      tasks: {
        uartSendTask() {
          if (uartbusy || uartCount === 0) return;
          const out = c.SerialSend.getPayload(uartbuf, SIZE);
          if (out !== null) for (let i = 0, at = uartHead * SIZE; i < SIZE; i++) out[i] = uartRing[at + i]!;
          if (out !== null && c.SerialSend.send(AM_BROADCAST_ADDR, uartbuf, SIZE) === SUCCESS) uartbusy = true;
          else {
            reportProblem();
            uartHead = (uartHead + 1) % UART_QUEUE_LEN;
            uartCount--;
            if (uartCount > 0) c.post.uartSendTask();
          }
        },
      },
      SerialSend: {
        sendDone() {
          if (!uartbusy) return;
          uartbusy = false;
          uartHead = (uartHead + 1) % UART_QUEUE_LEN;
          uartCount--;
          if (uartCount > 0) c.post.uartSendTask();
        },
      },
      // The PC sets the interval: a newer version goes to every mote.
      SerialReceive: {
        receive(msg, payload, len) {
          if (len >= 4 && adopt(M.get.version(payload), M.get.interval(payload))) {
            c.IntervalUpdate.change(((M.get.version(local) << 16) | M.get.interval(local)) >>> 0);
          }
          return msg;
        },
      },
      IntervalValue: {
        changed() {
          const v = c.IntervalValue.get();
          adopt(v >>> 16, v & 0xffff);
        },
      },
      // Overhearing other motes' readings.
      Snoop: {
        receive(msg, payload, len) {
          if (len !== SIZE) return msg;
          reportReceived();
          adopt(M.get.version(payload), M.get.interval(payload));
          // A count from the future: jump ahead, but do not count the next period.
          if (M.get.count(payload) > M.get.count(local)) {
            M.set.count(local, M.get.count(payload));
            suppressCountChange = true;
          }
          return msg;
        },
      },
      // Each period: if the readings are complete, send them; then take the next one.
      Timer: {
        fired() {
          if (reading === NREADINGS) {
            if (!sendbusy) {
              const o = c.Send.getPayload(sendbuf, SIZE);
              if (o === null) {
                fatalProblem();
                return;
              }
              for (let i = 0; i < SIZE; i++) o[i] = local[i]!;
              if (c.Send.send(sendbuf, SIZE) === SUCCESS) sendbusy = true;
              else reportProblem();
            }
            reading = 0;
            if (!suppressCountChange) M.set.count(local, M.get.count(local) + 1);
            suppressCountChange = false;
          }
          if (c.Read.read() !== SUCCESS) fatalProblem();
        },
      },
      Send: {
        sendDone(_msg, error) {
          if (error === SUCCESS) reportSent();
          else reportProblem();
          sendbusy = false;
        },
      },
      Read: {
        readDone(result, data) {
          if (reading >= NREADINGS) return;
          M.set.readings(local, reading++, result === SUCCESS ? data : 0xffff);
          if (result !== SUCCESS) reportProblem();
        },
      },
    };
  },
);
