import { configuration, parameterized } from "../mote.ts";
import { AMReceiverC } from "../am/AMReceiverC.ts";
import { AMSenderC } from "../am/AMSenderC.ts";
import { AMSnooperC } from "../am/AMSnooperC.ts";
import { ActiveMessageC } from "../am/ActiveMessageC.ts";
import { CollectionDebug } from "../interfaces/CollectionDebug.ts";
import { CollectionId } from "../interfaces/CollectionId.ts";
import { CollectionPacket } from "../interfaces/CollectionPacket.ts";
import { CtpInfo } from "../interfaces/CtpInfo.ts";
import { Intercept } from "../interfaces/Intercept.ts";
import { LinkEstimator } from "../interfaces/LinkEstimator.ts";
import { Packet } from "../interfaces/Packet.ts";
import { Receive } from "../interfaces/Receive.ts";
import { RootControl } from "../interfaces/RootControl.ts";
import { Send } from "../interfaces/Send.ts";
import { StdControl } from "../interfaces/StdControl.ts";
import { RandomC } from "../random/RandomC.ts";
import { TimerMilliC } from "../timer/TimerMilliC.ts";
import {
  AM_CTP_DATA,
  AM_CTP_ROUTING,
  FORWARD_COUNT,
  MAX_BEACON_INTERVAL,
  MIN_BEACON_INTERVAL,
  ROUTING_TABLE_SIZE,
  SENT_CACHE_SIZE,
  UQ_CTP_CLIENT,
} from "./Ctp.ts";
import { CtpForwardingEngineP } from "./CtpForwardingEngineP.ts";
import { CtpRoutingEngineP } from "./CtpRoutingEngineP.ts";
import { LinkEstimatorP } from "./LinkEstimatorP.ts";

/**
 * The Collection Tree Protocol put together (TinyOS CtpP): the routing
 * engine over the 4-bit link estimator on AM 0x70 beacons, the forwarding
 * engine on AM 0x71 data (sent with acknowledgements, overheard by
 * snooping), each with its timers, all sharing the radio's send queue.
 * Applications wire `CollectionC` and `CollectionSenderC` instead.
 */
export const CtpP = configuration(
  "CtpP",
  {
    provides: {
      StdControl,
      Send: parameterized(Send),
      Receive: parameterized(Receive),
      Snoop: parameterized(Receive),
      Intercept: parameterized(Intercept),
      Packet,
      CollectionPacket,
      RootControl,
      CtpInfo,
      LinkEstimator,
    },
    uses: { CollectionId: parameterized(CollectionId), CollectionDebug },
  },
  (c) => {
    const router = c.new(CtpRoutingEngineP, ROUTING_TABLE_SIZE, MIN_BEACON_INTERVAL, MAX_BEACON_INTERVAL);
    const forwarder = c.new(CtpForwardingEngineP, c.uniqueCount(UQ_CTP_CLIENT), FORWARD_COUNT, SENT_CACHE_SIZE);
    const estimator = c.component(LinkEstimatorP);
    const am = c.component(ActiveMessageC);
    const random = c.component(RandomC);

    c.equate(c.provides.StdControl, router.StdControl);
    c.equate(c.provides.StdControl, forwarder.StdControl);
    c.equate(c.provides.Send, forwarder.Send);
    c.equate(c.provides.Receive, forwarder.Receive);
    c.equate(c.provides.Snoop, forwarder.Snoop);
    c.equate(c.provides.Intercept, forwarder.Intercept);
    c.equate(c.provides.Packet, forwarder.Packet);
    c.equate(c.provides.CollectionPacket, forwarder.CollectionPacket);
    c.equate(c.provides.RootControl, router.RootControl);
    c.equate(c.provides.CtpInfo, router.CtpInfo);
    c.equate(c.provides.LinkEstimator, estimator.LinkEstimator);
    c.equate(c.uses.CollectionId, forwarder.CollectionId);
    c.equate(c.uses.CollectionDebug, forwarder.CollectionDebug);
    c.equate(c.uses.CollectionDebug, router.CollectionDebug);
    c.equate(c.uses.CollectionDebug, estimator.CollectionDebug);

    // Data: unicast with acknowledgements, received when addressed here, overheard otherwise.
    const dataSender = c.new(AMSenderC, AM_CTP_DATA);
    c.wire(forwarder.SubSend, dataSender.AMSend);
    c.wire(forwarder.Acks, dataSender.Acks);
    c.wire(forwarder.SubPacket, dataSender.Packet);
    c.wire(forwarder.AMPacket, dataSender.AMPacket);
    c.wire(forwarder.SubReceive, c.new(AMReceiverC, AM_CTP_DATA).Receive);
    c.wire(forwarder.SubSnoop, c.new(AMSnooperC, AM_CTP_DATA).Receive);
    c.wire(forwarder.RetxmitTimer, c.new(TimerMilliC).Timer);
    c.wire(forwarder.Random, random.Random);
    c.wire(forwarder.LinkEstimator, estimator.LinkEstimator);
    c.wire(forwarder.Routing, router.Routing);
    c.wire(forwarder.CtpInfo, router.CtpInfo);
    c.wire(forwarder.RootControl, router.RootControl);
    c.wire(forwarder.RadioControl, am.SplitControl);

    // Beacons: through the link estimator, which adds its sequence-number header.
    const beaconSender = c.new(AMSenderC, AM_CTP_ROUTING);
    c.wire(estimator.AMSend, beaconSender.AMSend);
    c.wire(estimator.SubPacket, beaconSender.Packet);
    c.wire(estimator.SubAMPacket, beaconSender.AMPacket);
    c.wire(estimator.SubReceive, c.new(AMReceiverC, AM_CTP_ROUTING).Receive);
    c.wire(router.BeaconSend, estimator.Send);
    c.wire(router.BeaconReceive, estimator.Receive);
    c.wire(router.LinkEstimator, estimator.LinkEstimator);
    c.wire(router.CompareBit, estimator.CompareBit);
    c.wire(router.AMPacket, beaconSender.AMPacket);
    c.wire(router.RadioControl, am.SplitControl);
    c.wire(router.BeaconTimer, c.new(TimerMilliC).Timer);
    c.wire(router.RouteTimer, c.new(TimerMilliC).Timer);
    c.wire(router.Random, random.Random);
  },
);
