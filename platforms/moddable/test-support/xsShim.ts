/**
 * A prelude for the XS engine (tools/xs) that gives a `moddable` image what
 * the Moddable SDK and the generated project would: ECMA-419 `device.io`
 * (Digital, Serial, Analog), Moddable's `Timer` and `Time.ticks`, and
 * `moteConfig`, all on virtual time. `moteShim` drives it:
 *
 * - `moteShim.runMs(ms)` runs every timer due within the next `ms`
 *   milliseconds, in time order (equal times in scheduling order);
 * - `moteShim.ledTrace()` is the LED changes `{ timeMs, led, on }`, as the
 *   simulator records them (`moteShim.tracing = false` counts them in
 *   `moteShim.toggles` instead, allocating nothing);
 * - `moteShim.setInput(pin, value)` drives a Digital input (a button),
 *   `moteShim.receive(bytes)` feeds the Serial, `moteShim.written` is what
 *   the image wrote to it (with tracing off, `moteShim.bytesWritten` counts
 *   them instead); `moteShim.now()` is the virtual time.
 *
 * Timer semantics follow Moddable's (modules/base/timer): `schedule(id)`
 * with no interval unschedules a timer but keeps it; `schedule(id, i, r)`
 * fires it after i ms, then every r ms (r = 0: once, after which a timer not
 * rescheduled by its callback is freed); a repeating timer's next time is
 * its previous time plus its interval.
 *
 * Options go in `moteShimOptions` before the prelude runs: `{ clockOffsetMs,
 * leds, ledsInverted, button, buttonInverted, nodeId, analog }`.
 */
export const MODDABLE_XS_PRELUDE = String.raw`
var moteShim = (function () {
  var options = typeof moteShimOptions === "object" ? moteShimOptions : {};
  var now = 0;
  var offset = options.clockOffsetMs || 0;
  var timers = [];
  var seq = 0;
  var trace = [];
  var inputs = [];
  var ledPins = options.leds || [2, 4, 5];
  var ledsInverted = !!options.ledsInverted;
  var ledState = 0;
  var serials = [];
  var shim = {
    tracing: true,
    toggles: 0,
    events: 0,
    written: [],
    bytesWritten: 0,
    analog: options.analog === undefined ? 2048 : options.analog,
    ledTrace: function () { return trace; },
    /** Virtual time, ms since the prelude ran. */
    now: function () { return now; },
    timersPending: function () {
      var n = 0;
      for (var i = 0; i < timers.length; i++) if (timers[i].scheduled) n++;
      return n;
    },
    runMs: function (ms) {
      var until = now + ms;
      for (;;) {
        var next = undefined;
        for (var i = 0; i < timers.length; i++) {
          var t = timers[i];
          if (t.scheduled && (next === undefined || t.at < next.at || (t.at === next.at && t.seq < next.seq))) next = t;
        }
        if (next === undefined || next.at > until) break;
        now = next.at;
        if (next.repeat > 0) { next.at += next.repeat; next.seq = seq++; }
        else next.scheduled = false;
        shim.events++;
        next.callback(next);
        if (!next.scheduled && next.repeat === 0 && !next.cleared) Timer.clear(next); // a one-shot is freed once fired
      }
      if (until > now) now = until;
      return shim.events;
    },
    setInput: function (pin, value) {
      for (var i = 0; i < inputs.length; i++) {
        var d = inputs[i];
        if (d.pin !== pin || d.value === value) continue;
        d.value = value;
        var rising = value && (d.edge & 1), falling = !value && (d.edge & 2);
        if ((rising || falling) && d.onReadable) { shim.events++; d.onReadable.call(d); }
      }
    },
    receive: function (bytes) {
      for (var i = 0; i < serials.length; i++) {
        var s = serials[i];
        for (var j = 0; j < bytes.length; j++) s.input.push(bytes[j]);
        shim.events++;
        s.onReadable.call(s, s.input.length);
      }
    }
  };

  function makeTimer(callback, interval, repeat) {
    var t = { callback: callback, at: now + (interval || 0), repeat: repeat || 0, seq: seq++, scheduled: true, cleared: false };
    timers.push(t);
    return t;
  }
  var Timer = {
    set: function (callback, interval, repeat) { return makeTimer(callback, interval, repeat); },
    repeat: function (callback, interval) { return makeTimer(callback, interval, interval); },
    schedule: function (t, interval, repeat) {
      if (interval === undefined) { t.scheduled = false; t.repeat = -1; return; }
      t.at = now + interval;
      t.repeat = repeat || 0;
      t.seq = seq++;
      t.scheduled = true;
    },
    clear: function (t) {
      t.cleared = true;
      t.scheduled = false;
      var i = timers.indexOf(t);
      if (i >= 0) timers.splice(i, 1);
    }
  };
  var Time = {};
  Object.defineProperty(Time, "ticks", { get: function () { return now + offset; } });

  function Digital(o) {
    this.pin = o.pin;
    this.mode = o.mode;
    this.edge = o.edge || 0;
    this.onReadable = o.onReadable;
    this.value = o.mode === Digital.InputPullUp ? 1 : 0;
    if (o.mode !== Digital.Output) inputs.push(this);
  }
  Digital.Input = 0; Digital.InputPullUp = 1; Digital.InputPullDown = 2; Digital.InputPullUpDown = 3;
  Digital.Output = 8; Digital.OutputOpenDrain = 9; Digital.Rising = 1; Digital.Falling = 2;
  Digital.prototype.read = function () { return this.value; };
  Digital.prototype.write = function (v) {
    this.value = v ? 1 : 0;
    var led = ledPins.indexOf(this.pin);
    if (led < 0) return;
    var bit = 1 << led;
    var on = (this.value !== 0) !== ledsInverted;
    if (((ledState & bit) !== 0) === on) return;
    ledState ^= bit;
    shim.toggles++;
    if (shim.tracing) trace.push({ timeMs: now, led: led, on: on });
  };

  function Serial(o) {
    this.onReadable = o.onReadable;
    this.onWritable = o.onWritable;
    this.input = [];
    this.format = o.format;
    serials.push(this);
    var self = this;
    // ECMA-419: room is reported once the port is ready, and again whenever the transmit buffer
    // (64 bytes here) has emptied: 1 ms after the first byte written to it. One timer, kept and rescheduled.
    this.drain = makeTimer(function () {
      Timer.schedule(self.drain);
      self.onWritable.call(self, 64);
    }, 0, 0);
  }
  Serial.prototype.read = function () { return this.input.shift(); };
  Serial.prototype.write = function (b) {
    // Not tracing (a heap check): bytes are counted, not kept.
    if (shim.tracing) shim.written.push(b & 255);
    else shim.bytesWritten++;
    if (!this.drain.scheduled) Timer.schedule(this.drain, 1);
  };

  function Analog(o) { this.pin = o.pin; this.resolution = 12; }
  Analog.prototype.read = function () { return shim.analog; };

  globalThis.Timer = Timer;
  globalThis.Time = Time;
  globalThis.device = { io: { Digital: Digital, Serial: Serial, Analog: Analog }, pin: {} };
  globalThis.moteConfig = {
    nodeId: options.nodeId || 1,
    leds: ledPins,
    ledsInverted: ledsInverted,
    button: options.button === undefined ? 0 : options.button,
    buttonInverted: options.buttonInverted === undefined ? true : !!options.buttonInverted,
    uart: { port: 2, transmit: 17, receive: 16, baud: 115200 }
  };
  return shim;
})();
`;
