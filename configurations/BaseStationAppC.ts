import { configuration } from "../components/mote.ts";
import { ActiveMessageC } from "../components/am/ActiveMessageC.ts";
import { BaseStationP } from "../components/apps/BaseStationP.ts";
import { MainC } from "../components/kernel/MainC.ts";
import { LedsC } from "../components/leds/LedsC.ts";
import { SerialActiveMessageC } from "../components/serial/SerialActiveMessageC.ts";

/**
 * TinyOS's apps/BaseStation/Makefile: `CFLAGS += -DCC2420_NO_ACKNOWLEDGEMENTS
 * -DCC2420_NO_ADDRESS_RECOGNITION`. The base station is a sniffer: its radio
 * takes in unicast frames meant for other motes (they reach Snoop, and so
 * the PC) and never acknowledges one, so it neither acknowledges data for
 * others nor makes a sender believe a lost frame arrived.
 */
export const CC2420_NO_ADDRESS_RECOGNITION = true;
export const CC2420_NO_ACKNOWLEDGEMENTS = true;

/**
 * TinyOS's BaseStation (apps/BaseStation/BaseStationC.nc): the mote a PC
 * talks to a radio network through. Every AM type is bridged both ways
 * (whole parameterized interfaces: `AMSend[am_id_t]`, `Receive[am_id_t]`,
 * `Snoop[am_id_t]`), 12 messages queued each way.
 * Built with the two radio flags above, as TinyOS builds it.
 */
export const BaseStationAppC = configuration("BaseStationAppC", {}, (c) => {
  const app = c.component(BaseStationP);
  const radio = c.component(ActiveMessageC);
  const serial = c.component(SerialActiveMessageC);
  c.wire(app.Boot, c.component(MainC).Boot);
  c.wire(app.RadioControl, radio.SplitControl);
  c.wire(app.SerialControl, serial.SplitControl);

  c.wire(app.UartSend, serial.AMSend);
  c.wire(app.UartReceive, serial.Receive);
  c.wire(app.UartPacket, serial.Packet);
  c.wire(app.UartAMPacket, serial.AMPacket);

  c.wire(app.RadioSend, radio.AMSend);
  c.wire(app.RadioReceive, radio.Receive);
  c.wire(app.RadioSnoop, radio.Snoop);
  c.wire(app.RadioPacket, radio.Packet);
  c.wire(app.RadioAMPacket, radio.AMPacket);

  c.wire(app.Leds, c.component(LedsC).Leds);
});
