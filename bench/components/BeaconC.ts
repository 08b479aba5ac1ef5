import { module } from "../../components/mote.ts";
import { SUCCESS } from "../../components/TinyError.ts";
import { Boot } from "../../components/interfaces/Boot.ts";
import { Leds } from "../../components/interfaces/Leds.ts";
import { NodeId } from "../../components/interfaces/NodeId.ts";
import { PacketLink } from "../../components/interfaces/PacketLink.ts";
import { SplitControl } from "../../components/interfaces/SplitControl.ts";
import { Timer } from "../../components/interfaces/Timer.ts";
import { AM_BROADCAST_ADDR, createMessage, DEST, GROUP, LENGTH, SRC, TOS_AM_GROUP, TYPE } from "../../components/message/Message.ts";

/** The beacon's AM type. */
export const BEACON_AM_TYPE = 0x50;
/** Payload bytes per beacon. */
export const BEACON_LENGTH = 20;

/**
 * The simulator benchmark's beacon: starts the radio at boot, then every
 * second broadcasts 20 bytes (a sequence number, then the node id) on
 * PacketLink; shows the low bits of the count of beacons heard on the LEDs.
 * Its one message buffer is made at start; nothing is allocated per beacon.
 */
export const BeaconC = module("BeaconC", { uses: { Boot, Radio: SplitControl, Link: PacketLink, Timer, NodeId, Leds } }, (c) => {
  const msg = createMessage();
  let busy = false;
  let seq = 0;
  let heard = 0;
  return {
    Boot: { booted: () => c.Radio.start() },
    Radio: {
      startDone(error) {
        if (error !== SUCCESS) return;
        const b = msg.bytes;
        const me = c.NodeId.get();
        b[DEST] = AM_BROADCAST_ADDR >> 8;
        b[DEST + 1] = AM_BROADCAST_ADDR & 255;
        b[SRC] = me >> 8;
        b[SRC + 1] = me & 255;
        b[LENGTH] = BEACON_LENGTH;
        b[GROUP] = TOS_AM_GROUP;
        b[TYPE] = BEACON_AM_TYPE;
        msg.data[2] = me >> 8;
        msg.data[3] = me & 255;
        c.Timer.startPeriodic(1000);
      },
      stopDone() {},
    },
    Timer: {
      fired() {
        if (busy) return;
        msg.data[0] = seq >> 8;
        msg.data[1] = seq & 255;
        if (c.Link.send(msg, false) === SUCCESS) {
          busy = true;
          seq = (seq + 1) & 0xffff;
        }
      },
    },
    Link: {
      sendDone() {
        busy = false;
      },
      receive(m) {
        heard++;
        c.Leds.set(heard & 7);
        return m;
      },
    },
  };
});
