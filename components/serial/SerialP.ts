import { module, parameterized } from "../mote.ts";
import { EBUSY, ECANCEL, ESIZE, FAIL, SUCCESS, type ErrorT } from "../TinyError.ts";
import { Get } from "../interfaces/Get.ts";
import { PacketLink } from "../interfaces/PacketLink.ts";
import { SplitControl } from "../interfaces/SplitControl.ts";
import { UartStream } from "../interfaces/UartStream.ts";
import { createMessage, HEADER_SIZE, LENGTH, type Message, TOSH_DATA_LENGTH } from "../message/Message.ts";
import {
  AM_UNKNOWN_DISPATCH,
  amPacketLength,
  createDeframer,
  deframeByte,
  DROP_OVERRUN,
  DROP_REASON_COUNT,
  DROP_TOO_LONG,
  DROP_TRUNCATED,
  DROP_UNKNOWN_DISPATCH,
  maxFrameLength,
  SERIAL_PROTO_ACK,
  SERIAL_PROTO_PACKET_ACK,
  SERIAL_PROTO_PACKET_NOACK,
  TOS_SERIAL_ACTIVE_MESSAGE_ID,
  writeFrame,
} from "./SerialProtocol.ts";

// What the data frame is doing.
const TX_IDLE = 0;
/** Framed, waiting for the UART (it is sending an ACK). */
const TX_QUEUED = 1;
/** Handed to the UART. */
const TX_SENDING = 2;
/** Over (sent, failed or cancelled); sendDone is posted. */
const TX_DONE = 3;

// What the UART is sending.
const UART_IDLE = 0;
const UART_ACK = 1;
const UART_DATA = 2;

/** ACKs owed to the PC, sent before the next data frame. */
const ACK_QUEUE = 4;

/**
 * The serial link (TinyOS's SerialP and SerialDispatcherC in one): TEP 113
 * framing over the platform's UART byte stream, for Active Message packets
 * only (dispatch byte 0). It provides PacketLink, as the radio does, so the
 * AM layer above is the same shape on both links.
 *
 * - Sending: the message's header and `length` payload bytes go out as one
 *   0x45 frame (motes never ask the PC for ACKs, as in TinyOS), built in a
 *   static buffer and handed to the UART whole. `wantAck` is ignored and
 *   `sendDone` reports acked = false. One frame at a time: EBUSY while one
 *   is outstanding; `cancel` succeeds only while the frame still waits for
 *   the UART (behind an ACK), and then sendDone says ECANCEL.
 * - Receiving: bytes are deframed one at a time into a fixed buffer; a good
 *   AM packet is copied into the receive message and delivered from a task
 *   (buffer swap). A 0x44 packet is answered with `7E 43 seq CRC CRC 7E`,
 *   unless it had to be dropped for want of a free buffer (then the PC's
 *   retry may get through). Every dropped frame is counted by reason:
 *   `DropCount[reason].get()` (DROP_* in SerialProtocol.ts), which an
 *   image that never asks leaves out.
 * - SplitControl: the UART is always on; start and stop complete at once
 *   (from a task), as TinyOS's SerialP does on platforms without power
 *   control of the UART.
 *
 * Static buffers: the receive frame (TOSH_DATA_LENGTH + 12 bytes, 40 by default), the transmit frame (2 × TOSH_DATA_LENGTH + 24, 80),
 * one receive message and the ACK frame.
 */
export const SerialP = module(
  "SerialP",
  {
    provides: { PacketLink, SplitControl, DropCount: parameterized(Get, DROP_REASON_COUNT) },
    uses: { UartStream },
    tasks: ["receiveTask", "sendDoneTask", "startDoneTask", "stopDoneTask"],
  },
  (c) => {
    // Receive: protocol, seq, dispatch, header, payload, CRC.
    const rx = createDeframer(2 + 1 + HEADER_SIZE + TOSH_DATA_LENGTH + 2);
    let rxMsg = createMessage();
    let rxBusy = false;

    // Transmit: protocol, dispatch, header, payload (no seq: 0x45).
    const txFrame = new Uint8Array(maxFrameLength(2 + HEADER_SIZE + TOSH_DATA_LENGTH));
    let txLength = 0;
    let txMsg: Message | null = null;
    let txState = TX_IDLE;
    let txError: ErrorT = SUCCESS;

    const ackFrame = new Uint8Array(maxFrameLength(2));
    const acks = new Uint8Array(ACK_QUEUE);
    let ackHead = 0;
    let ackCount = 0;
    let uart = UART_IDLE;

    const txOver = (error: ErrorT) => {
      txError = error;
      txState = TX_DONE;
      c.post.sendDoneTask();
    };

    /** Starts the UART on the next thing to send: ACKs first, then the data frame. */
    const kick = () => {
      if (uart !== UART_IDLE) return;
      if (ackCount > 0) {
        const n = writeFrame(ackFrame, SERIAL_PROTO_ACK, acks[ackHead]!, -1, ackFrame, 0, 0);
        ackHead = (ackHead + 1) % ACK_QUEUE;
        ackCount--;
        uart = UART_ACK;
        if (c.UartStream.send(ackFrame, n) !== SUCCESS) uart = UART_IDLE; // the ACK is lost; the PC retries
        return;
      }
      if (txState === TX_QUEUED) {
        uart = UART_DATA;
        txState = TX_SENDING;
        if (c.UartStream.send(txFrame, txLength) !== SUCCESS) {
          uart = UART_IDLE;
          txOver(FAIL);
        }
      }
    };

    const owe = (seq: number) => {
      if (ackCount === ACK_QUEUE) return; // the PC will retry
      let tail = ackHead + ackCount;
      if (tail >= ACK_QUEUE) tail -= ACK_QUEUE;
      acks[tail] = seq;
      ackCount++;
    };

    return {
      PacketLink: {
        send(msg, _wantAck) {
          if (txState !== TX_IDLE) return EBUSY;
          const len = msg.bytes[LENGTH]!;
          if (len > TOSH_DATA_LENGTH) return ESIZE;
          txLength = writeFrame(txFrame, SERIAL_PROTO_PACKET_NOACK, -1, TOS_SERIAL_ACTIVE_MESSAGE_ID, msg.bytes, 0, HEADER_SIZE + len);
          txMsg = msg;
          txState = TX_QUEUED;
          kick();
          return SUCCESS;
        },
        cancel(msg) {
          if (txState !== TX_QUEUED || msg !== txMsg) return FAIL;
          txOver(ECANCEL);
          return SUCCESS;
        },
      },
      UartStream: {
        receivedByte(byte) {
          if (!deframeByte(rx, byte)) return;
          const protocol = rx.protocol;
          if (protocol === SERIAL_PROTO_ACK) return; // the mote never asks for ACKs
          const len = amPacketLength(rx.buf, rx.start, rx.length);
          if (len < 0) {
            rx.drops[len === AM_UNKNOWN_DISPATCH ? DROP_UNKNOWN_DISPATCH : DROP_TRUNCATED]++;
          } else if (len > TOSH_DATA_LENGTH) {
            rx.drops[DROP_TOO_LONG]++;
          } else if (rxBusy) {
            rx.drops[DROP_OVERRUN]++;
            return; // no ACK: the PC may send it again
          } else {
            const bytes = rxMsg.bytes;
            const from = rx.start + 1; // past the dispatch byte
            const buf = rx.buf;
            for (let i = 0; i < HEADER_SIZE + len; i++) bytes[i] = buf[from + i]!;
            rxBusy = true;
            c.post.receiveTask();
          }
          if (protocol === SERIAL_PROTO_PACKET_ACK) {
            owe(rx.seq);
            kick();
          }
        },
        sendDone(_buffer, _length, error) {
          const was = uart;
          uart = UART_IDLE;
          if (was === UART_DATA) txOver(error);
          kick();
        },
      },
      DropCount: {
        get: (reason) => rx.drops[reason]!,
      },
      SplitControl: {
        start() {
          c.post.startDoneTask();
          return SUCCESS;
        },
        stop() {
          c.post.stopDoneTask();
          return SUCCESS;
        },
      },
      tasks: {
        receiveTask() {
          rxMsg = c.PacketLink.receive(rxMsg);
          rxBusy = false;
        },
        sendDoneTask() {
          const msg = txMsg!;
          txMsg = null;
          txState = TX_IDLE;
          c.PacketLink.sendDone(msg, txError, false);
        },
        startDoneTask: () => c.SplitControl.startDone(SUCCESS),
        stopDoneTask: () => c.SplitControl.stopDone(SUCCESS),
      },
    };
  },
);
