import { module } from "../../components/mote.ts";
import { EALREADY, EBUSY, EOFF, ESIZE, FAIL, SUCCESS } from "../../components/TinyError.ts";
import { PacketLink } from "../../components/interfaces/PacketLink.ts";
import { Scheduler } from "../../components/interfaces/Scheduler.ts";
import { SplitControl } from "../../components/interfaces/SplitControl.ts";
import { ACKED, createMessage, FOOTER, HEADER_SIZE, LENGTH, LQI, RSSI, type Message } from "../../components/message/Message.ts";
import type { MoteHost } from "./MoteHost.ts";

/*
 * TinyOS's radio build flags (apps/BaseStation/Makefile: `CFLAGS +=
 * -DCC2420_NO_ACKNOWLEDGEMENTS -DCC2420_NO_ADDRESS_RECOGNITION`): a
 * configuration declares `export const CC2420_NO_ADDRESS_RECOGNITION = true;`
 * and the build defines MOTE_CC2420_NO_ADDRESS_RECOGNITION (false when not
 * declared, so the radioConfigure call below folds away). Unbuilt
 * (components loaded as they are), both are off.
 */
declare const MOTE_CC2420_NO_ADDRESS_RECOGNITION: boolean | undefined;
declare const MOTE_CC2420_NO_ACKNOWLEDGEMENTS: boolean | undefined;

const OFF = 0;
const STARTING = 1;
const ON = 2;
const STOPPING = 3;

/**
 * The radio on the host's radio functions: the host does the MAC (carrier
 * sense, backoff, acknowledgements, retries), this module keeps the one
 * outstanding send, copies each received frame into its spare buffer and
 * swaps buffers with the upper layer (TinyOS's receive buffer swap), and
 * makes power control split-phase. Its host callbacks are interrupts: each
 * ends with the task loop. The spare buffer is made once at start, so
 * nothing is allocated per packet. An application built without address
 * recognition gets frames for other motes too (ActiveMessageP hands them to
 * Snoop); one built without acknowledgements never acknowledges.
 */
export const SimRadioP = module(
  "SimRadioP",
  { provides: { PacketLink, SplitControl }, uses: { Scheduler }, tasks: ["started", "stopped"] },
  (c, host) => {
    // Constants local and first: esbuild folds only those (not a module's top level across the bundle).
    const noAddressRecognition = typeof MOTE_CC2420_NO_ADDRESS_RECOGNITION === "boolean" && MOTE_CC2420_NO_ADDRESS_RECOGNITION;
    const noAcks = typeof MOTE_CC2420_NO_ACKNOWLEDGEMENTS === "boolean" && MOTE_CC2420_NO_ACKNOWLEDGEMENTS;
    const hal = host as MoteHost;
    const radioSend = hal.radioSend;
    let spare: Message = createMessage();
    let sending: Message | null = null;
    let state = OFF;
    if (noAddressRecognition || noAcks) hal.radioConfigure?.(!noAddressRecognition, !noAcks);

    hal.onRadioSendDone((error, acked) => {
      const msg = sending;
      sending = null;
      if (msg !== null) {
        msg.bytes[msg.metadataOffset + ACKED] = acked ? 1 : 0;
        c.PacketLink.sendDone(msg, error, acked);
      }
      c.Scheduler.taskLoop();
    });

    hal.onRadioReceive((frame, length, rssi) => {
      const msg = spare;
      const bytes = msg.bytes;
      // Frames longer than this buffer's payload (TOSH_DATA_LENGTH), or whose length byte disagrees, are dropped.
      if (state === ON && length <= FOOTER && frame[LENGTH] === length - HEADER_SIZE) {
        for (let i = 0; i < length; i++) bytes[i] = frame[i];
        const meta = msg.metadataOffset;
        bytes[meta + RSSI] = rssi; // dBm as a signed byte
        bytes[meta + LQI] = 0;
        bytes[meta + ACKED] = 0;
        spare = c.PacketLink.receive(msg);
      }
      c.Scheduler.taskLoop();
    });

    return {
      PacketLink: {
        send(msg, wantAck) {
          if (state !== ON) return EOFF;
          if (sending !== null) return EBUSY;
          const length = HEADER_SIZE + msg.bytes[LENGTH];
          if (length > FOOTER) return ESIZE;
          sending = msg;
          radioSend(msg.bytes, length, wantAck);
          return SUCCESS;
        },
        cancel(msg) {
          if (sending !== msg) return FAIL;
          return hal.radioCancel() ? SUCCESS : FAIL;
        },
      },
      SplitControl: {
        start() {
          if (state === ON) return EALREADY;
          if (state !== OFF) return EBUSY;
          state = STARTING;
          hal.radioPower(true);
          c.post.started();
          return SUCCESS;
        },
        stop() {
          if (state === OFF) return EALREADY;
          if (state !== ON) return EBUSY;
          state = STOPPING;
          hal.radioPower(false);
          c.post.stopped();
          return SUCCESS;
        },
      },
      tasks: {
        started() {
          state = ON;
          c.SplitControl.startDone(SUCCESS);
        },
        stopped() {
          state = OFF;
          c.SplitControl.stopDone(SUCCESS);
        },
      },
    };
  },
);
