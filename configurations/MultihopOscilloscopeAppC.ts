import { configuration, type ConfigurationContext } from "../components/mote.ts";
import { ActiveMessageC } from "../components/am/ActiveMessageC.ts";
import { AM_OSCILLOSCOPE, OSCILLOSCOPE_INTERVAL_KEY } from "../components/apps/MultihopOscilloscopeMsg.ts";
import { MultihopOscilloscopeC } from "../components/apps/MultihopOscilloscopeC.ts";
import { CollectionC } from "../components/collection/CollectionC.ts";
import { CollectionSenderC } from "../components/collection/CollectionSenderC.ts";
import { DisseminationC } from "../components/dissemination/DisseminationC.ts";
import { DisseminatorC } from "../components/dissemination/DisseminatorC.ts";
import { MainC } from "../components/kernel/MainC.ts";
import { LedsC } from "../components/leds/LedsC.ts";
import { SerialActiveMessageC } from "../components/serial/SerialActiveMessageC.ts";
import { SerialAMReceiverC } from "../components/serial/SerialAMReceiverC.ts";
import { SerialAMSenderC } from "../components/serial/SerialAMSenderC.ts";
import { TimerMilliC } from "../components/timer/TimerMilliC.ts";
import { NodeIdC, PlatformSensorC } from "#platform";

/**
 * Wires MultihopOscilloscopeC with everything but the sampling interval's
 * dissemination (its DisseminationControl, IntervalValue and IntervalUpdate
 * are left to the caller); returns the component.
 */
export function wireMultihopOscilloscope(c: ConfigurationContext<Record<string, never>>) {
  const app = c.component(MultihopOscilloscopeC);
  c.wire(app.Boot, c.component(MainC).Boot);
  c.wire(app.Timer, c.new(TimerMilliC).Timer);
  c.wire(app.Read, c.new(PlatformSensorC, 0).Read);
  c.wire(app.Leds, c.component(LedsC).Leds);
  c.wire(app.NodeId, c.component(NodeIdC).NodeId);

  // Communication: collection over the radio, Active Messages on the serial port.
  const collector = c.component(CollectionC);
  const sender = c.new(CollectionSenderC, AM_OSCILLOSCOPE);
  c.wire(app.RadioControl, c.component(ActiveMessageC).SplitControl);
  c.wire(app.SerialControl, c.component(SerialActiveMessageC).SplitControl);
  c.wire(app.RoutingControl, collector.StdControl);
  c.wire(app.Send, sender.Send);
  c.wire(app.Snoop, collector.Snoop.at(AM_OSCILLOSCOPE));
  c.wire(app.Receive, collector.Receive.at(AM_OSCILLOSCOPE));
  c.wire(app.RootControl, collector.RootControl);
  const serialSender = c.new(SerialAMSenderC, AM_OSCILLOSCOPE);
  c.wire(app.SerialSend, serialSender.AMSend);
  c.wire(app.SerialReceive, c.new(SerialAMReceiverC, AM_OSCILLOSCOPE).Receive);
  return app;
}

/**
 * MultihopOscilloscope, as TinyOS's MultihopOscilloscopeAppC: readings over
 * collection (CollectionC, collection id 0x93) to the root, which puts them
 * on its serial port for TinyOS's Oscilloscope tool or `mote basestation`;
 * the sampling interval the PC sets at the root reaches every mote by
 * dissemination.
 */
export const MultihopOscilloscopeAppC = configuration("MultihopOscilloscopeAppC", {}, (c) => {
  const app = wireMultihopOscilloscope(c);
  // The sampling interval, (version << 16 | interval), everywhere.
  const interval = c.new(DisseminatorC, 4, OSCILLOSCOPE_INTERVAL_KEY);
  c.wire(app.DisseminationControl, c.component(DisseminationC).StdControl);
  c.wire(app.IntervalValue, interval.DisseminationValue);
  c.wire(app.IntervalUpdate, interval.DisseminationUpdate);
});
