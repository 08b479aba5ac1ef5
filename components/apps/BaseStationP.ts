import { module, parameterized } from "../mote.ts";
import { EALREADY, SUCCESS } from "../TinyError.ts";
import { AMPacket } from "../interfaces/AMPacket.ts";
import { AMSend } from "../interfaces/AMSend.ts";
import { Boot } from "../interfaces/Boot.ts";
import { Leds } from "../interfaces/Leds.ts";
import { Packet } from "../interfaces/Packet.ts";
import { Receive } from "../interfaces/Receive.ts";
import { SplitControl } from "../interfaces/SplitControl.ts";
import { createMessage, type Message } from "../message/Message.ts";

/** Messages waiting for the serial port (TinyOS's UART_QUEUE_LEN). */
export const UART_QUEUE_LEN = 12;
/** Messages waiting for the radio (TinyOS's RADIO_QUEUE_LEN). */
export const RADIO_QUEUE_LEN = 12;

/** am_id_t has 256 values: the base station bridges every one. */
const AM_TYPES = 256;

/**
 * TinyOS's BaseStationP (apps/BaseStation): bridges every AM type between
 * the radio and the serial port, each way through a ring of 12 messages.
 *
 * - Radio to serial: every packet received or overheard (snooped) goes to
 *   the PC with its AM destination, type and payload, and the radio
 *   source and group copied into the serial header.
 * - Serial to radio: every packet from the PC is sent on the radio to its
 *   AM destination, with its type and payload (the radio stack puts in this
 *   mote's address and group).
 * - Buffer swap: a received message takes a queue slot and the receiver
 *   gets that slot's free buffer back, so nothing is copied or allocated;
 *   when a ring is full the packet is dropped (its buffer handed straight
 *   back).
 * - LEDs as TinyOS's: 0 toggles per radio send, 1 per serial send, 2 per
 *   dropped packet or failed send.
 *
 * One difference: TinyOS re-posts its send task at once when a send is
 * refused, and waits for the link's interrupt to end the refusal. Here an
 * interrupt never preempts a task, so that would spin for ever; a refused
 * send instead leaves the ring waiting, and the next packet into that ring
 * tries again. (Neither stack refuses a send in this application: each
 * ring has one send outstanding at a time.) A send that fails in
 * `sendDone` is retried at once, as in TinyOS.
 */
export const BaseStationP = module(
  "BaseStationP",
  {
    uses: {
      Boot,
      SerialControl: SplitControl,
      RadioControl: SplitControl,
      UartSend: parameterized(AMSend, AM_TYPES),
      UartReceive: parameterized(Receive, AM_TYPES),
      UartPacket: Packet,
      UartAMPacket: AMPacket,
      RadioSend: parameterized(AMSend, AM_TYPES),
      RadioReceive: parameterized(Receive, AM_TYPES),
      RadioSnoop: parameterized(Receive, AM_TYPES),
      RadioPacket: Packet,
      RadioAMPacket: AMPacket,
      Leds,
    },
    tasks: ["uartSendTask", "radioSendTask"],
  },
  (c) => {
    const uartQueue: Message[] = [];
    for (let i = 0; i < UART_QUEUE_LEN; i++) uartQueue.push(createMessage());
    let uartIn = 0;
    let uartOut = 0;
    let uartBusy = false;
    let uartFull = true;

    const radioQueue: Message[] = [];
    for (let i = 0; i < RADIO_QUEUE_LEN; i++) radioQueue.push(createMessage());
    let radioIn = 0;
    let radioOut = 0;
    let radioBusy = false;
    let radioFull = true;

    const dropBlink = () => c.Leds.led2Toggle();
    const failBlink = () => c.Leds.led2Toggle();

    /** A radio packet (received or snooped) into the serial ring; returns the buffer the radio gets back. */
    const receive = (msg: Message): Message => {
      let ret = msg;
      if (!uartFull) {
        ret = uartQueue[uartIn]!;
        uartQueue[uartIn] = msg;
        uartIn = (uartIn + 1) % UART_QUEUE_LEN;
        if (uartIn === uartOut) uartFull = true;
        if (!uartBusy) {
          c.post.uartSendTask();
          uartBusy = true;
        }
      } else {
        dropBlink();
      }
      return ret;
    };

    return {
      Boot: {
        booted() {
          if (c.RadioControl.start() === EALREADY) radioFull = false;
          if (c.SerialControl.start() === EALREADY) uartFull = false;
        },
      },
      RadioControl: {
        startDone(error) {
          if (error === SUCCESS) radioFull = false;
        },
        stopDone() {},
      },
      SerialControl: {
        startDone(error) {
          if (error === SUCCESS) uartFull = false;
        },
        stopDone() {},
      },
      RadioReceive: {
        receive: (_id, msg) => receive(msg),
      },
      RadioSnoop: {
        receive: (_id, msg) => receive(msg),
      },
      UartSend: {
        sendDone(_id, msg, error) {
          if (error !== SUCCESS) failBlink();
          else if (msg === uartQueue[uartOut]) {
            if (++uartOut >= UART_QUEUE_LEN) uartOut = 0;
            uartFull = false;
          }
          c.post.uartSendTask();
        },
      },
      UartReceive: {
        receive(_id, msg) {
          let ret = msg;
          if (!radioFull) {
            ret = radioQueue[radioIn]!;
            radioQueue[radioIn] = msg;
            if (++radioIn >= RADIO_QUEUE_LEN) radioIn = 0;
            if (radioIn === radioOut) radioFull = true;
            if (!radioBusy) {
              c.post.radioSendTask();
              radioBusy = true;
            }
          } else {
            dropBlink();
          }
          return ret;
        },
      },
      RadioSend: {
        sendDone(_id, msg, error) {
          if (error !== SUCCESS) failBlink();
          else if (msg === radioQueue[radioOut]) {
            if (++radioOut >= RADIO_QUEUE_LEN) radioOut = 0;
            radioFull = false;
          }
          c.post.radioSendTask();
        },
      },
      tasks: {
        uartSendTask() {
          if (uartIn === uartOut && !uartFull) {
            uartBusy = false;
            return;
          }
          const msg = uartQueue[uartOut]!;
          const len = c.RadioPacket.payloadLength(msg);
          const id = c.RadioAMPacket.type(msg);
          const addr = c.RadioAMPacket.destination(msg);
          const src = c.RadioAMPacket.source(msg);
          const grp = c.RadioAMPacket.group(msg);
          c.UartPacket.clear(msg);
          c.UartAMPacket.setSource(msg, src);
          c.UartAMPacket.setGroup(msg, grp);
          if (c.UartSend.send(id, addr, msg, len) === SUCCESS) c.Leds.led1Toggle();
          else {
            failBlink();
            uartBusy = false; // the next packet from the radio tries again
          }
        },
        radioSendTask() {
          if (radioIn === radioOut && !radioFull) {
            radioBusy = false;
            return;
          }
          const msg = radioQueue[radioOut]!;
          const len = c.UartPacket.payloadLength(msg);
          const addr = c.UartAMPacket.destination(msg);
          const source = c.UartAMPacket.source(msg);
          const id = c.UartAMPacket.type(msg);
          c.RadioPacket.clear(msg);
          c.RadioAMPacket.setSource(msg, source);
          if (c.RadioSend.send(id, addr, msg, len) === SUCCESS) c.Leds.led0Toggle();
          else {
            failBlink();
            radioBusy = false; // the next packet from the PC tries again
          }
        },
      },
    };
  },
);
