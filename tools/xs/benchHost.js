// The smallest possible HAL for measuring an image's own per-event cost on
// XS or Node: a millisecond counter, one alarm and three LEDs; nothing is
// allocated per event, and no function depends on `this` (as MoteHost
// requires). `runEvents(n)` advances time straight to the alarm and fires
// it, n times. The framework image and the hand-written equivalent run on
// it alike, so their costs compare directly.
var benchTime = 0, benchAlarmAt = 0, benchArmed = false, benchInterrupt = undefined, benchLeds = 0, benchToggles = 0;
var benchHost = {
  nodeId: 1,
  now: function () { return benchTime >>> 0; },
  onAlarm: function (fired) { benchInterrupt = fired; },
  startAlarmAt: function (t0, dt) { benchAlarmAt = (t0 + dt) >>> 0; benchArmed = true; },
  stopAlarm: function () { benchArmed = false; },
  alarmRunning: function () { return benchArmed; },
  alarmTime: function () { return benchAlarmAt; },
  setLed: function (index, on) {
    var bit = 1 << index;
    if (((benchLeds & bit) !== 0) !== on) { benchLeds ^= bit; benchToggles++; }
  },
  sleep: function () {},
  debug: function () {},
  radioPower: function () {},
  radioSend: function () {},
  radioCancel: function () { return false; },
  onRadioSendDone: function () {},
  onRadioReceive: function () {},
  uartSend: function () {},
  onUartSendDone: function () {},
  onUartReceive: function () {},
  readSensor: function () { return 0; },
};
function runEvents(n) {
  for (var i = 0; i < n; i++) {
    benchArmed = false;
    benchTime = benchAlarmAt;
    benchInterrupt();
  }
  return benchToggles;
}
// Blink's own components (SimLedsP, BlinkC, SchedulerBasicP,
// VirtualizeTimerC, SimAlarmMilliP), the same code, but wired by hand:
// each calls the next directly and the timer layer indexes its clients'
// handlers itself. The framework's image against this measures what the
// framework's wiring costs.
function directBlink(host) {
  var setLed = host.setLed, now = host.now, startAlarmAt = host.startAlarmAt, sleep = host.sleep;
  // SimLedsP
  var ledState = 0;
  var leds = {
    led0Toggle: function () { ledState ^= 1; setLed(0, (ledState & 1) !== 0); },
    led1Toggle: function () { ledState ^= 2; setLed(1, (ledState & 2) !== 0); },
    led2Toggle: function () { ledState ^= 4; setLed(2, (ledState & 4) !== 0); },
  };
  // BlinkC's handlers
  var fired = [
    function () { leds.led0Toggle(); },
    function () { leds.led1Toggle(); },
    function () { leds.led2Toggle(); },
  ];
  // SchedulerBasicP (Blink posts no tasks, but the loop runs after every interrupt)
  var queue = new Uint16Array(1), queued = new Uint8Array(1), head = 0, count = 0, tasks = [];
  function runNextTask() {
    if (count === 0) return false;
    var id = queue[head];
    head = head + 1 === 1 ? 0 : head + 1;
    count--;
    queued[id] = 0;
    tasks[id]();
    return true;
  }
  var scheduler = { taskLoop: function () { while (count > 0) runNextTask(); sleep(); } };
  // VirtualizeTimerC on the alarm
  var n = 3, t0 = new Uint32Array(n), dt = new Uint32Array(n), flags = new Uint8Array(n);
  function updateAlarm(at) {
    var soonest = 0xffffffff, any = false;
    for (var i = 0; i < n; i++) {
      if (flags[i] & 1) {
        var elapsed = (at - t0[i]) >>> 0;
        var remaining = elapsed >= dt[i] ? 0 : dt[i] - elapsed;
        if (remaining < soonest) soonest = remaining;
        any = true;
      }
    }
    if (any) startAlarmAt(at, soonest);
  }
  var timers = {
    fired: function () {
      var at = now();
      for (var i = 0; i < n; i++) {
        var f = flags[i];
        if (f & 1 && ((at - t0[i]) >>> 0) >= dt[i]) {
          if (f & 2) flags[i] = 2;
          else t0[i] = (t0[i] + dt[i]) >>> 0;
          fired[i]();
          at = now(); // as VirtualizeTimerC: a handler may have started a timer with a fresh t0
        }
      }
      updateAlarm(at);
    },
    startPeriodic: function (id, interval) {
      t0[id] = now();
      dt[id] = interval;
      flags[id] = 1;
      updateAlarm(now());
    },
  };
  // SimAlarmMilliP's interrupt
  host.onAlarm(function () { timers.fired(); scheduler.taskLoop(); });
  // Boot: BlinkC.booted
  for (var j = 0; j < 3; j++) setLed(j, false);
  timers.startPeriodic(0, 250);
  timers.startPeriodic(1, 500);
  timers.startPeriodic(2, 1000);
  scheduler.taskLoop();
}

// Blink written by hand against the same HAL as one function: three virtual
// timers on the one alarm, toggling the LEDs, with the same wrap-safe
// arithmetic. The framework against this measures layering and wiring both.
function inlinedBlink(host) {
  var t0 = new Uint32Array(3), dt = new Uint32Array([250, 500, 1000]), leds = 0;
  var now = host.now, startAlarmAt = host.startAlarmAt, setLed = host.setLed, sleep = host.sleep;
  function update(at) {
    var soonest = 0xffffffff;
    for (var i = 0; i < 3; i++) {
      var elapsed = (at - t0[i]) >>> 0;
      var remaining = elapsed >= dt[i] ? 0 : dt[i] - elapsed;
      if (remaining < soonest) soonest = remaining;
    }
    startAlarmAt(at, soonest);
  }
  host.onAlarm(function () {
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
  });
  var start = now();
  for (var i = 0; i < 3; i++) t0[i] = start;
  for (var j = 0; j < 3; j++) setLed(j, false);
  update(start);
}
