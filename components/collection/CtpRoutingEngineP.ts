import { genericModule } from "../mote.ts";
import { SUCCESS } from "../TinyError.ts";
import { AMPacket } from "../interfaces/AMPacket.ts";
import { AMSend } from "../interfaces/AMSend.ts";
import { CollectionDebug } from "../interfaces/CollectionDebug.ts";
import { CompareBit } from "../interfaces/CompareBit.ts";
import { CtpInfo } from "../interfaces/CtpInfo.ts";
import { LinkEstimator } from "../interfaces/LinkEstimator.ts";
import { Random } from "../interfaces/Random.ts";
import { Receive } from "../interfaces/Receive.ts";
import { RootControl } from "../interfaces/RootControl.ts";
import { SplitControl } from "../interfaces/SplitControl.ts";
import { StdControl } from "../interfaces/StdControl.ts";
import { Timer } from "../interfaces/Timer.ts";
import { UnicastNameFreeRouting } from "../interfaces/UnicastNameFreeRouting.ts";
import { AM_BROADCAST_ADDR, createMessage, getU16, setU16 } from "../message/Message.ts";
import {
  BEACON_INTERVAL,
  CTP_OPT_PULL,
  CTP_ROUTING_HEADER_SIZE,
  ignoreCollectionEvent,
  INVALID_ADDR,
  MAX_METRIC,
  NET_C_TREE_NEW_PARENT,
  NET_C_TREE_NO_ROUTE,
  NET_C_TREE_SENT_BEACON,
  PARENT_SWITCH_THRESHOLD,
  ROUTING_ETX,
  ROUTING_OPTIONS,
  ROUTING_PARENT,
} from "./Ctp.ts";

/** A path ETX (tenths) at or above this is treated as no route: it only grows around a loop cut off from every root. */
const MAX_PATH_ETX = 0xfff0;
/** The advertised path ETX rising by this much (tenths) since the last beacon is news worth beaconing soon. */
const ETX_RISE_THRESHOLD = 10;

/**
 * CTP's routing engine (TinyOS CtpRoutingEngineP, TEP 123): keeps a table
 * of neighbours' advertised routes (parent, path ETX), picks as parent the
 * neighbour with the lowest path ETX (its advertised ETX plus the link's,
 * from the link estimator), switching only when another is better by
 * 1.5 ETX, and advertises its own route in beacons.
 *
 * Beacons go out on a Trickle-like timer: a random point in the second half
 * of an interval that doubles from `minInterval` to `maxInterval` (128 ms
 * to 512 s) and goes back to the minimum on news: a new parent, a lost
 * route, the advertised ETX rising, a pull bit heard (a neighbour without a
 * route), or a loop sign from the forwarding engine
 * (`CtpInfo.triggerRouteUpdate`). Without a route, beacons carry the pull
 * bit. The route is re-evaluated before each beacon, every 8 s, after each
 * unacknowledged packet and when the parent's advertisement changes.
 *
 * Loops: a neighbour whose parent is this node is never chosen; a parent
 * that becomes one (its beacon names us) is dropped at once; a parent whose
 * route is gone leaves us without a route (and pulling) when nobody else has
 * one. Around a longer loop each beacon raises the advertised ETX until a
 * neighbour outside it is better.
 */
export const CtpRoutingEngineP = genericModule(
  "CtpRoutingEngineP",
  (_tableSize: number, _minInterval: number, _maxInterval: number) => ({
    provides: { Routing: UnicastNameFreeRouting, RootControl, CtpInfo, StdControl },
    uses: {
      BeaconSend: AMSend,
      BeaconReceive: Receive,
      LinkEstimator,
      CompareBit,
      AMPacket,
      RadioControl: SplitControl,
      BeaconTimer: Timer,
      RouteTimer: Timer,
      Random,
      CollectionDebug,
    },
    tasks: ["updateRouteTask", "sendBeaconTask"],
    defaults: ["CollectionDebug"],
  }),
  (c, _host, tableSize, minInterval, maxInterval) => {
    let radioOn = false;
    let running = false;
    let sending = false;
    let justEvicted = false;
    let isRoot = false;
    let myAddr = INVALID_ADDR;
    /** The current parent and the path ETX it last advertised. */
    let parent = INVALID_ADDR;
    let parentEtx = 0;
    /** The path ETX in the last beacon sent (MAX_METRIC: none, or no route). */
    let advertisedEtx = MAX_METRIC;

    const beacon = createMessage();

    // The routing table: neighbours' advertised parent and path ETX.
    const nAddr = new Uint16Array(tableSize);
    const nParent = new Uint16Array(tableSize);
    const nEtx = new Uint16Array(tableSize);
    let active = 0;

    // The beacon timer: interval, chosen transmit point, whether it has passed.
    let currentInterval = minInterval;
    let t = 0;
    let tHasPassed = false;

    const chooseAdvertiseTime = () => {
      t = currentInterval >>> 1;
      t += c.Random.rand32() % (t > 0 ? t : 1);
      tHasPassed = false;
      c.BeaconTimer.stop();
      c.BeaconTimer.startOneShot(t);
    };
    const resetInterval = () => {
      currentInterval = minInterval;
      chooseAdvertiseTime();
    };

    const find = (neighbor: number): number => {
      for (let i = 0; i < active; i++) if (nAddr[i] === neighbor) return i;
      return -1;
    };
    /** Link ETX plus advertised path ETX, or MAX_METRIC when either is unknown. */
    const pathThrough = (i: number): number => {
      const link = c.LinkEstimator.getLinkQuality(nAddr[i]!);
      if (link >= MAX_METRIC) return MAX_METRIC;
      const path = link + nEtx[i]!;
      return path >= MAX_PATH_ETX ? MAX_METRIC : path;
    };
    const myEtx = (): number => {
      if (isRoot) return 0;
      if (parent === INVALID_ADDR) return MAX_METRIC;
      const link = c.LinkEstimator.getLinkQuality(parent);
      if (link >= MAX_METRIC) return MAX_METRIC;
      const path = link + parentEtx;
      return path >= MAX_PATH_ETX ? MAX_METRIC : path;
    };
    const updateEntry = (from: number, p: number, e: number) => {
      let i = find(from);
      if (i < 0) {
        if (active >= tableSize) return;
        i = active++;
        nAddr[i] = from;
      }
      nParent[i] = p;
      nEtx[i] = e;
    };

    const updateRoute = () => {
      if (isRoot) return;
      let best = -1;
      let minEtx = MAX_METRIC;
      let currentEtx = MAX_METRIC;
      for (let i = 0; i < active; i++) {
        const p = nParent[i]!;
        // No route there, or a one-hop loop (its parent is us).
        if (p === INVALID_ADDR || p === myAddr) continue;
        const path = pathThrough(i);
        if (nAddr[i] === parent) {
          currentEtx = path;
          parentEtx = nEtx[i]!;
          continue;
        }
        // Feasibility: a neighbour advertising an ETX no lower than ours may be routing through us.
        if (advertisedEtx !== MAX_METRIC && nEtx[i]! >= advertisedEtx) continue;
        if (path < minEtx) {
          minEtx = path;
          best = i;
        }
      }
      const hadRoute = parent !== INVALID_ADDR;
      let changed = false;
      if (minEtx !== MAX_METRIC && (currentEtx === MAX_METRIC || minEtx + PARENT_SWITCH_THRESHOLD < currentEtx)) {
        const next = nAddr[best]!;
        if (parent !== INVALID_ADDR) c.LinkEstimator.unpinNeighbor(parent);
        c.LinkEstimator.pinNeighbor(next);
        c.LinkEstimator.clearDLQ(next);
        parent = next;
        parentEtx = nEtx[best]!;
        changed = true;
        c.CollectionDebug.logEventRoute(NET_C_TREE_NEW_PARENT, parent, 0, minEtx);
      } else if (currentEtx === MAX_METRIC && hadRoute) {
        // The parent has no route any more (or routes through us), and nobody else has one.
        c.LinkEstimator.unpinNeighbor(parent);
        parent = INVALID_ADDR;
        parentEtx = 0;
      }
      if (parent === INVALID_ADDR) {
        if (hadRoute || justEvicted) {
          c.CollectionDebug.logEvent(NET_C_TREE_NO_ROUTE);
          c.Routing.noRoute();
          resetInterval(); // pull: ask the neighbours for their routes now
        }
      } else {
        if (!hadRoute) c.Routing.routeFound();
        if (changed) resetInterval();
        else {
          const e = myEtx();
          if (advertisedEtx !== MAX_METRIC && e !== MAX_METRIC && e >= advertisedEtx + ETX_RISE_THRESHOLD) resetInterval();
        }
      }
      justEvicted = false;
    };

    const sendBeacon = () => {
      if (sending || !radioOn) return;
      const payload = c.BeaconSend.getPayload(beacon, CTP_ROUTING_HEADER_SIZE);
      if (payload === null) return;
      let options = 0;
      let etx: number;
      if (isRoot) etx = 0;
      else if (parent === INVALID_ADDR) {
        etx = MAX_METRIC;
        options |= CTP_OPT_PULL;
      } else etx = myEtx();
      if (etx === MAX_METRIC && !isRoot) options |= CTP_OPT_PULL;
      payload[ROUTING_OPTIONS] = options;
      setU16(payload, ROUTING_PARENT, etx === MAX_METRIC ? INVALID_ADDR : parent);
      setU16(payload, ROUTING_ETX, etx);
      c.CollectionDebug.logEventRoute(NET_C_TREE_SENT_BEACON, parent, 0, etx);
      if (c.BeaconSend.send(AM_BROADCAST_ADDR, beacon, CTP_ROUTING_HEADER_SIZE) === SUCCESS) {
        sending = true;
        advertisedEtx = etx;
      }
    };

    return {
      StdControl: {
        start() {
          if (!running) {
            running = true;
            myAddr = c.AMPacket.address();
            resetInterval();
            c.RouteTimer.startPeriodic(BEACON_INTERVAL);
          }
          return SUCCESS;
        },
        stop() {
          running = false;
          c.BeaconTimer.stop();
          c.RouteTimer.stop();
          return SUCCESS;
        },
      },
      RadioControl: {
        startDone(error) {
          if (error !== SUCCESS) return;
          radioOn = true;
          if (running) resetInterval();
        },
        stopDone() {
          radioOn = false;
        },
      },
      RouteTimer: {
        fired() {
          if (radioOn && running) c.post.updateRouteTask();
        },
      },
      BeaconTimer: {
        fired() {
          if (!running) return;
          if (!tHasPassed) {
            if (radioOn) {
              updateRoute(); // always advertise the freshest route
              c.post.sendBeaconTask();
            }
            // Wait out the rest of the interval.
            tHasPassed = true;
            c.BeaconTimer.startOneShot(currentInterval - t);
          } else {
            // The interval is over: the next one is twice as long.
            currentInterval *= 2;
            if (currentInterval > maxInterval) currentInterval = maxInterval;
            chooseAdvertiseTime();
          }
        },
      },
      BeaconSend: {
        sendDone(msg) {
          if (msg === beacon) sending = false;
        },
      },
      BeaconReceive: {
        receive(msg, payload, len) {
          if (len !== CTP_ROUTING_HEADER_SIZE) return msg;
          const from = c.AMPacket.source(msg);
          const p = getU16(payload, ROUTING_PARENT);
          const e = getU16(payload, ROUTING_ETX);
          if (p !== INVALID_ADDR) {
            if (e === 0) {
              // A root: keep it in the link estimator's table whatever else is there.
              c.LinkEstimator.insertNeighbor(from);
              c.LinkEstimator.pinNeighbor(from);
            }
            updateEntry(from, p, e);
          } else {
            // No route there: it cannot be anybody's parent.
            updateEntry(from, INVALID_ADDR, MAX_METRIC);
          }
          if (from === parent && (p === INVALID_ADDR || p === myAddr || e !== parentEtx)) c.post.updateRouteTask();
          if ((payload[ROUTING_OPTIONS]! & CTP_OPT_PULL) !== 0 && running) resetInterval();
          return msg;
        },
      },
      LinkEstimator: {
        evicted(neighbor) {
          const i = find(neighbor);
          if (i >= 0) {
            active--;
            for (let k = i; k < active; k++) {
              nAddr[k] = nAddr[k + 1]!;
              nParent[k] = nParent[k + 1]!;
              nEtx[k] = nEtx[k + 1]!;
            }
          }
          if (neighbor === parent && !isRoot) {
            parent = INVALID_ADDR;
            parentEtx = 0;
            justEvicted = true;
            c.post.updateRouteTask();
          }
        },
      },
      CompareBit: {
        shouldInsert(_msg, payload, len) {
          if (len !== CTP_ROUTING_HEADER_SIZE) return false;
          if (getU16(payload, ROUTING_PARENT) === INVALID_ADDR) return false;
          const e = getU16(payload, ROUTING_ETX);
          if (e === 0) return true;
          for (let i = 0; i < active; i++) {
            if (nAddr[i] === parent) continue;
            if (e < nEtx[i]!) return true;
          }
          return false;
        },
      },
      tasks: {
        updateRouteTask: updateRoute,
        sendBeaconTask: sendBeacon,
      },
      Routing: {
        nextHop: () => parent,
        hasRoute: () => parent !== INVALID_ADDR,
      },
      CtpInfo: {
        getParent: () => parent,
        getEtx: myEtx,
        recomputeRoutes() {
          c.post.updateRouteTask();
        },
        triggerRouteUpdate() {
          if (running) resetInterval();
        },
        triggerImmediateRouteUpdate() {
          if (running) resetInterval();
        },
        setNeighborCongested() {
          // ECN is off, as in TinyOS's CTP.
        },
        isNeighborCongested: () => false,
        numNeighbors: () => active,
        getNeighborAddr: (i) => (i < active ? nAddr[i]! : INVALID_ADDR),
        getNeighborLinkQuality: (i) => (i < active ? c.LinkEstimator.getLinkQuality(nAddr[i]!) : MAX_METRIC),
        getNeighborRouteQuality: (i) => (i < active ? pathThrough(i) : MAX_METRIC),
      },
      RootControl: {
        setRoot() {
          const found = parent === INVALID_ADDR;
          isRoot = true;
          parent = myAddr === INVALID_ADDR ? c.AMPacket.address() : myAddr;
          parentEtx = 0;
          if (found) c.Routing.routeFound();
          c.CollectionDebug.logEventRoute(NET_C_TREE_NEW_PARENT, parent, 0, 0);
          if (running) resetInterval();
          return SUCCESS;
        },
        unsetRoot() {
          isRoot = false;
          parent = INVALID_ADDR;
          parentEtx = 0;
          c.post.updateRouteTask();
          return SUCCESS;
        },
        isRoot: () => isRoot,
      },
      // Written here, not through a variable: the build leaves out what nobody calls (see ignoreCollectionEvent).
      defaults: { CollectionDebug: { logEvent: ignoreCollectionEvent, logEventSimple: ignoreCollectionEvent, logEventDbg: ignoreCollectionEvent, logEventMsg: ignoreCollectionEvent, logEventRoute: ignoreCollectionEvent } },
    };
  },
);
