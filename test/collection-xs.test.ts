/**
 * The forwarding path allocates nothing: a relay mote (CollectionC only)
 * runs on the Moddable XS engine under a host that plays its neighbours —
 * a root whose beacons it hears, a child whose readings it must forward —
 * and acknowledges every frame it sends. After warm-up, XS's live heap-slot
 * count stays flat over thousands of forwarded packets (as
 * test/xs-blink.test.ts measures Blink).
 */
import { describe, expect, it } from "vitest";
import { openXs } from "../tools/xs/XsRunner.ts";
import { buildApp } from "./support.ts";

const RELAY = "test/fixtures/collection/CollectionRelayAppC.ts";

/**
 * The relay's world, as a script for XS: a millisecond clock and one alarm,
 * a radio whose sends complete (acknowledged) at the next step, and two
 * neighbours: mote 1, a root beaconing, and mote 9, sending readings to the
 * relay (mote 5). Nothing here allocates per step; functions do not use `this`.
 */
const RELAY_HOST = `
var rTime = 0, rAlarmAt = 0, rArmed = false, rAlarm, rReceive, rSendDone;
var rPending = false, rPendingAck = false, rDataSent = 0, rBeaconsSent = 0, rDest = -1;
var rFrame = new Uint8Array(64);
var relayHost = {
  nodeId: 5,
  now: function () { return rTime >>> 0; },
  onAlarm: function (f) { rAlarm = f; },
  startAlarmAt: function (t0, dt) { rAlarmAt = (t0 + dt) >>> 0; rArmed = true; },
  stopAlarm: function () { rArmed = false; },
  alarmRunning: function () { return rArmed; },
  alarmTime: function () { return rAlarmAt; },
  setLed: function () {},
  sleep: function () {},
  debug: function () {},
  radioPower: function () {},
  radioSend: function (f, length, wantAck) {
    rPending = true;
    rPendingAck = wantAck;
    if (f[6] === 0x71) { rDataSent++; rDest = (f[0] << 8) | f[1]; }
    if (f[6] === 0x70) rBeaconsSent++;
  },
  radioCancel: function () { return false; },
  onRadioSendDone: function (h) { rSendDone = h; },
  onRadioReceive: function (h) { rReceive = h; },
  uartSend: function () {},
  onUartSendDone: function () {},
  onUartReceive: function () {},
  readSensor: function () { return 0; },
};
function rHeader(dest, src, len, type) {
  rFrame[0] = dest >> 8; rFrame[1] = dest & 255; rFrame[2] = src >> 8; rFrame[3] = src & 255;
  rFrame[4] = len; rFrame[5] = 0x22; rFrame[6] = type;
}
/** One event: a send completes (acknowledged), else time jumps to the alarm and it fires. */
function rStep() {
  if (rPending) { rPending = false; rTime = (rTime + 2) >>> 0; rSendDone(0, rPendingAck); return; }
  if (rArmed) { rArmed = false; rTime = rAlarmAt; rAlarm(); }
}
/** Mote 1, a root, beacons: link estimator header (flags, seq), then options, parent 1, ETX 0. */
function rBeacon(seq) {
  rHeader(0xffff, 1, 7, 0x70);
  rFrame[7] = 0; rFrame[8] = seq & 255; rFrame[9] = 0; rFrame[10] = 0; rFrame[11] = 1; rFrame[12] = 0; rFrame[13] = 0;
  rReceive(rFrame, 14, -50);
}
/** Mote 9 hands the relay reading k: the CTP data header (THL 0, ETX 25.6, origin 9, seqno k, collection 0x93), 18 bytes. */
function rData(k) {
  rHeader(5, 9, 26, 0x71);
  rFrame[7] = 0; rFrame[8] = 0; rFrame[9] = 1; rFrame[10] = 0; rFrame[11] = 0; rFrame[12] = 9; rFrame[13] = k & 255; rFrame[14] = 0x93;
  for (var i = 15; i < 33; i++) rFrame[i] = (k + i) & 255;
  rReceive(rFrame, 33, -50);
}
/** Forwards n readings, each once it has left: returns how many went out to mote 1. */
function rForward(n, first) {
  var forwarded = 0;
  for (var k = 0; k < n; k++) {
    var before = rDataSent;
    rData(first + k);
    for (var s = 0; s < 1000 && rDataSent === before; s++) rStep();
    while (rPending) rStep();
    if (rDataSent > before && rDest === 1) forwarded++;
    // Let time pass between readings (the forwarder's pacing timer, now and then a beacon).
    for (var q = 0; q < 3; q++) rStep();
  }
  return forwarded;
}
`;

describe("CollectionC on the Moddable XS engine", () => {
  it("forwards readings without allocating: the live heap stays flat over 2,000 forwarded packets", async () => {
    const report = await buildApp(RELAY);
    const xs = await openXs({ meteringLimit: 0 });
    try {
      await xs.evaluate(RELAY_HOST);
      await xs.evaluate(report.image);
      await xs.evaluate("mote(relayHost);");
      // Boot, radio on, then the root's beacons until the relay has a route.
      await xs.evaluate("for (var s = 0; s < 20; s++) rStep(); for (var b = 0; b < 6; b++) { rBeacon(b); for (var s = 0; s < 5; s++) rStep(); }");
      const warm = await xs.evaluate("report(rForward(300, 0));");
      expect(warm.output[0]).toBe(300); // every reading went on to the root
      // As eventCostOnXs measures: the same text run for 0, 0 and n packets, each after a collection.
      await xs.evaluate("var rCounts = [0, 0, 2000], rRun = 0, rNext = 300;");
      const measure = "gc(); var rN = rCounts[rRun++]; report(rForward(rN, rNext)); rNext += rN;";
      const empty1 = await xs.evaluate(measure);
      const empty2 = await xs.evaluate(measure);
      const run = await xs.evaluate(measure);
      expect(run.output[0]).toBe(2000);
      const drift = empty2.heapCount - empty1.heapCount;
      expect(run.heapCount - empty2.heapCount - drift).toBe(0);
    } finally {
      await xs.close();
    }
  });
});
