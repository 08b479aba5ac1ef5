// The smallest possible HAL for measuring an image's own per-event cost on
// XS or Node: a millisecond counter, one alarm and three LEDs; nothing is
// allocated per event, and no function depends on `this` (as MoteHost
// requires). `runEvents(n)` advances time straight to the alarm and fires
// it, n times. The framework image and the hand-written equivalent run on
// it alike, so their costs compare directly.
var benchTime = 0, benchAlarmAt = 0, benchAlarm = undefined, benchLeds = 0, benchToggles = 0;
var benchHost = {
  nodeId: 1,
  now: function () { return benchTime >>> 0; },
  setAlarm: function (at, fired) { benchAlarmAt = at; benchAlarm = fired; },
  cancelAlarm: function () { benchAlarm = undefined; },
  setLed: function (index, on) {
    var bit = 1 << index;
    if (((benchLeds & bit) !== 0) !== on) { benchLeds ^= bit; benchToggles++; }
  },
  sleep: function () {},
  debug: function () {},
};
function runEvents(n) {
  for (var i = 0; i < n; i++) {
    var fired = benchAlarm;
    benchAlarm = undefined;
    benchTime = benchAlarmAt;
    fired();
  }
  return benchToggles;
}
// Blink written by hand against the same HAL: three virtual timers on the
// one alarm, toggling the LEDs, with the same wrap-safe arithmetic.
function handBlink(host) {
  var t0 = new Uint32Array(3), dt = new Uint32Array([250, 500, 1000]), leds = 0;
  var now = host.now, setAlarm = host.setAlarm, setLed = host.setLed, sleep = host.sleep;
  function update(at) {
    var soonest = 0xffffffff;
    for (var i = 0; i < 3; i++) {
      var elapsed = (at - t0[i]) >>> 0;
      var remaining = elapsed >= dt[i] ? 0 : dt[i] - elapsed;
      if (remaining < soonest) soonest = remaining;
    }
    setAlarm((at + soonest) >>> 0, fired);
  }
  function fired() {
    var at = now();
    for (var i = 0; i < 3; i++) {
      if (((at - t0[i]) >>> 0) >= dt[i]) {
        t0[i] = (t0[i] + dt[i]) >>> 0;
        leds ^= 1 << i;
        setLed(i, (leds & (1 << i)) !== 0);
      }
    }
    update(at);
    sleep();
  }
  var start = now();
  for (var i = 0; i < 3; i++) t0[i] = start;
  for (var j = 0; j < 3; j++) setLed(j, false);
  update(start);
}
