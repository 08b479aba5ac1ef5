// The bench host (tools/xs/benchHost.js, evaluated first) with a radio and a
// sensor, for Oscilloscope's sample-and-send path, plus Oscilloscope's own
// components wired by hand (`directOscilloscope`).
//
// The radio takes a frame (copying nothing: a checksum of its bytes is kept
// to compare the variants) and completes it at the next event; the sensor
// reads a value derived from the clock. `runEvents(n)` runs n samples: each
// is one alarm (the sampling timer firing), preceded by the radio's
// send-done interrupt when a frame is pending, so the cost of sending (one
// frame per ten samples) is spread over the samples. Nothing is allocated
// per event.
var benchRadioDone, benchRadioPending = false, benchFrames = 0, benchFrameSum = 0;
benchHost.radioSend = function (frame, length, wantAck) {
  var sum = benchFrameSum;
  for (var i = 0; i < length; i++) sum = (sum * 31 + frame[i]) >>> 0;
  benchFrameSum = sum;
  benchFrames++;
  benchRadioPending = true;
};
benchHost.onRadioSendDone = function (handler) { benchRadioDone = handler; };
benchHost.readSensor = function (channel) { return (benchTime * 7 + channel) & 0xfff; };
function runEvents(n) {
  for (var i = 0; i < n; i++) {
    if (benchRadioPending) { benchRadioPending = false; benchRadioDone(0, false); }
    benchArmed = false;
    benchTime = benchAlarmAt;
    benchInterrupt();
  }
  return benchToggles;
}

// OscilloscopeAppC's components (SimLedsP, OscilloscopeC, SchedulerBasicP,
// VirtualizeTimerC, SimAlarmMilliP, SimSensorP, AMQueueEntryP, AMQueueImplP,
// ActiveMessageP, SimRadioP, SimNodeIdP, the OscilloscopeMsg accessors),
// the same code, but wired by hand: each calls the next directly, the timer
// layer and the scheduler index their clients' handlers themselves, the
// queue calls its one client, the AM layer looks receivers up by type. The
// framework's image against this measures what the framework's wiring costs
// on this path.
function directOscilloscope(host) {
  // Constants (TinyError.ts, Message.ts, OscilloscopeMsg.ts).
  var SUCCESS = 0, FAIL = 1, ESIZE = 2, ECANCEL = 3, EOFF = 4, EBUSY = 5, EALREADY = 9;
  var TOSH_DATA_LENGTH = 28, HEADER_SIZE = 7, METADATA_SIZE = 4;
  var DEST = 0, SRC = 2, LENGTH = 4, GROUP = 5, TYPE = 6, RSSI = 0, LQI = 1, ACKED = 2, FLAGS = 3;
  var AM_BROADCAST_ADDR = 0xffff, TOS_AM_GROUP = 0x22, ACK_REQUESTED = 1;
  var NREADINGS = 10, DEFAULT_INTERVAL = 256, AM_OSCILLOSCOPE = 0x93, OSC_SIZE = 28, HEADER_FIELDS = 8;
  function createMessage() {
    var bytes = new Uint8Array(HEADER_SIZE + TOSH_DATA_LENGTH + METADATA_SIZE);
    return { bytes: bytes, data: bytes.subarray(HEADER_SIZE, HEADER_SIZE + TOSH_DATA_LENGTH), metadataOffset: HEADER_SIZE + TOSH_DATA_LENGTH };
  }
  function u16(b, at) { return (b[at] << 8) | b[at + 1]; }
  function setU16(b, at, v) { b[at] = v >> 8; b[at + 1] = v; }

  // OscilloscopeMsg's accessors, as TypedMessage.ts makes them: one closure per field over read/write.
  function read(b, p, t) {
    if (t === 2) return (b[p] << 8) | b[p + 1];
    if (t === 1) return b[p];
    if (t === 4) return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
    if (t === -2) return ((b[p] << 24) >> 16) | b[p + 1];
    if (t === -1) return (b[p] << 24) >> 24;
    return (b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
  }
  function write(b, p, t, v) {
    if (t === 1 || t === -1) b[p] = v;
    else if (t === 2 || t === -2) { b[p] = v >> 8; b[p + 1] = v; }
    else { b[p] = v >> 24; b[p + 1] = v >> 16; b[p + 2] = v >> 8; b[p + 3] = v; }
  }
  function getter(t, o) { return function (b, off) { return read(b, o + (off | 0), t); }; }
  function setter(t, o) { return function (b, v, off) { write(b, o + (off | 0), t, v); }; }
  function setter1(t, o, s1) { return function (b, i, v, off) { write(b, o + i * s1 + (off | 0), t, v); }; }
  var Osc = {
    get: { version: getter(2, 0), interval: getter(2, 2), id: getter(2, 4), count: getter(2, 6) },
    set: { version: setter(2, 0), interval: setter(2, 2), id: setter(2, 4), count: setter(2, 6), readings: setter1(2, 8, 2) },
  };

  // SimNodeIdP
  var nodeId = { get: function () { return host.nodeId; } };

  // SimLedsP (what Oscilloscope uses)
  var setLed = host.setLed, ledState = 0;
  var leds = {
    led0Toggle: function () { ledState ^= 1; setLed(0, !!(ledState & 1)); },
    led1Toggle: function () { ledState ^= 2; setLed(1, !!(ledState & 2)); },
    led2Toggle: function () { ledState ^= 4; setLed(2, !!(ledState & 4)); },
  };

  // SchedulerBasicP: tasks 0 radio started, 1 radio stopped, 2 sensor sample, 3 queue cancel, 4 queue error.
  var TASKS = 5, tasks = [], tqueue = new Uint16Array(TASKS), tqueued = new Uint8Array(TASKS), thead = 0, tcount = 0;
  var sleep = host.sleep;
  function runNextTask() {
    if (tcount === 0) return false;
    var id = tqueue[thead];
    thead = thead + 1 === TASKS ? 0 : thead + 1;
    tcount--;
    tqueued[id] = 0;
    tasks[id]();
    return true;
  }
  function postTask(id) {
    if (tqueued[id]) return false;
    tqueued[id] = 1;
    var tail = thead + tcount;
    if (tail >= TASKS) tail -= TASKS;
    tqueue[tail] = id;
    tcount++;
    return true;
  }
  var scheduler = { taskLoop: function () { while (tcount > 0) runNextTask(); sleep(); } };

  // VirtualizeTimerC (one timer: Oscilloscope's) on SimAlarmMilliP
  var now = host.now, startAlarmAt = host.startAlarmAt, stopAlarm = host.stopAlarm;
  var ntimers = 1, t0 = new Uint32Array(1), dt = new Uint32Array(1), tflags = new Uint8Array(1), timerFired = [];
  function updateAlarm(at) {
    var soonest = -1 >>> 0, any = false;
    for (var i = 0; i < ntimers; i++) {
      if (tflags[i] & 1) {
        var elapsed = (at - t0[i]) >>> 0;
        var remaining = elapsed >= dt[i] ? 0 : dt[i] - elapsed;
        if (remaining < soonest) soonest = remaining;
        any = true;
      }
    }
    if (any) startAlarmAt(at, soonest);
    else stopAlarm();
  }
  var timers = {
    fired: function () {
      var at = now();
      for (var i = 0; i < ntimers; i++) {
        var f = tflags[i];
        if (f & 1 && ((at - t0[i]) >>> 0) >= dt[i]) {
          if (f & 2) tflags[i] = 2;
          else t0[i] = (t0[i] + dt[i]) >>> 0;
          timerFired[i]();
          at = now(); // as VirtualizeTimerC: a handler may have started a timer with a fresh t0
        }
      }
      updateAlarm(at);
    },
    startPeriodic: function (id, interval) {
      t0[id] = now() >>> 0;
      dt[id] = interval >>> 0;
      tflags[id] = 1;
      updateAlarm(now());
    },
  };
  host.onAlarm(function () { timers.fired(); scheduler.taskLoop(); });

  // SimSensorP (channel 0)
  var readSensor = host.readSensor, sensorPending = false, sensorDone;
  var sensor = {
    read: function () {
      if (sensorPending) return EBUSY;
      sensorPending = true;
      postTask(2);
      return SUCCESS;
    },
  };
  tasks[2] = function () { sensorPending = false; sensorDone(SUCCESS, readSensor(0)); };

  // SimRadioP
  var radioSend = host.radioSend, spare = createMessage(), sending = null, radioState = 0, radioLink;
  var radio = {
    send: function (msg, wantAck) {
      if (radioState !== 2) return EOFF;
      if (sending !== null) return EBUSY;
      var length = HEADER_SIZE + msg.bytes[LENGTH];
      if (length > msg.metadataOffset) return ESIZE;
      sending = msg;
      radioSend(msg.bytes, length, wantAck);
      return SUCCESS;
    },
    start: function () {
      if (radioState === 2) return EALREADY;
      if (radioState !== 0) return EBUSY;
      radioState = 1;
      host.radioPower(true);
      postTask(0);
      return SUCCESS;
    },
  };
  host.onRadioSendDone(function (error, acked) {
    var msg = sending;
    sending = null;
    if (msg !== null) {
      msg.bytes[msg.metadataOffset + ACKED] = acked ? 1 : 0;
      radioLink.sendDone(msg, error, acked);
    }
    scheduler.taskLoop();
  });
  host.onRadioReceive(function (frame, length, rssi) {
    var msg = spare, bytes = msg.bytes;
    if (radioState === 2 && length <= msg.metadataOffset && frame[LENGTH] === length - HEADER_SIZE) {
      for (var i = 0; i < length; i++) bytes[i] = frame[i];
      var meta = msg.metadataOffset;
      bytes[meta + RSSI] = rssi;
      bytes[meta + LQI] = 0;
      bytes[meta + ACKED] = 0;
      spare = radioLink.receive(msg);
    }
    scheduler.taskLoop();
  });

  // ActiveMessageP: receivers by AM type (Oscilloscope's), the queue as its one AMSend user.
  var amSending = null, receivers = {}, amQueue;
  function isForMe(msg) { var d = u16(msg.bytes, DEST); return d === AM_BROADCAST_ADDR || d === nodeId.get(); }
  var am = {
    send: function (type, addr, msg, len) {
      if (amSending !== null) return EBUSY;
      if (len > msg.data.length) return ESIZE;
      var b = msg.bytes;
      setU16(b, DEST, addr);
      setU16(b, SRC, nodeId.get());
      b[LENGTH] = len;
      b[GROUP] = TOS_AM_GROUP;
      b[TYPE] = type;
      b[msg.metadataOffset + ACKED] = 0;
      var wantAck = (b[msg.metadataOffset + FLAGS] & ACK_REQUESTED) !== 0 && addr !== AM_BROADCAST_ADDR;
      var error = radio.send(msg, wantAck);
      if (error === SUCCESS) amSending = msg;
      return error;
    },
    maxPayloadLength: function () { return TOSH_DATA_LENGTH; },
    getPayload: function (type, msg, len) { return len > msg.data.length ? null : msg.data; },
    type: function (msg) { return msg.bytes[TYPE]; },
    destination: function (msg) { return u16(msg.bytes, DEST); },
    setDestination: function (msg, addr) { setU16(msg.bytes, DEST, addr); },
    setType: function (msg, type) { msg.bytes[TYPE] = type; },
    payloadLength: function (msg) { return msg.bytes[LENGTH]; },
    setPayloadLength: function (msg, len) { msg.bytes[LENGTH] = len; },
  };
  radioLink = {
    sendDone: function (msg, error, acked) {
      if (msg !== amSending) return;
      amSending = null;
      msg.bytes[msg.metadataOffset + ACKED] = acked ? 1 : 0;
      amQueue.amSendDone(msg.bytes[TYPE], msg, error);
    },
    receive: function (msg) {
      var b = msg.bytes;
      if (b[GROUP] !== TOS_AM_GROUP) return msg;
      var type = b[TYPE], len = b[LENGTH];
      if (isForMe(msg)) {
        var r = receivers[type];
        return r ? r(msg, msg.data, len) : msg;
      }
      return msg;
    },
  };
  var radioControlUser;
  tasks[0] = function () { radioState = 2; radioControlUser.startDone(SUCCESS); };

  // AMQueueImplP with one client (Oscilloscope's AMQueueEntryP)
  var n = 1, queue = [null], cancelled = new Uint8Array(1), current = n, entry;
  function nextPacket() {
    current = (current + 1) % n;
    var i = 0;
    for (; i < n; i++) {
      if (queue[current] === null || cancelled[current]) current = (current + 1) % n;
      else break;
    }
    if (i >= n) current = n;
  }
  function tryToSend() {
    nextPacket();
    if (current < n) {
      var msg = queue[current];
      if (am.send(am.type(msg), am.destination(msg), msg, am.payloadLength(msg)) !== SUCCESS) postTask(4);
    }
  }
  function queueSendDone(last, msg, error) {
    queue[last] = null;
    tryToSend();
    entry.sendDone(msg, error);
  }
  amQueue = {
    send: function (client, msg, len) {
      if (client >= n) return FAIL;
      if (queue[client] !== null) return EBUSY;
      if (len > am.maxPayloadLength()) return ESIZE;
      queue[client] = msg;
      am.setPayloadLength(msg, len);
      if (current >= n) {
        current = client;
        var error = am.send(am.type(msg), am.destination(msg), msg, len);
        if (error !== SUCCESS) {
          current = n;
          queue[client] = null;
        }
        return error;
      }
      return SUCCESS;
    },
    maxPayloadLength: function () { return am.maxPayloadLength(); },
    getPayload: function (client, msg, len) { return am.getPayload(0, msg, len); },
    amSendDone: function (id, msg, error) {
      if (current < n && queue[current] === msg) queueSendDone(current, msg, error);
    },
  };
  tasks[3] = function () {};
  tasks[4] = function () { if (current < n) queueSendDone(current, queue[current], FAIL); };
  tasks[1] = function () {};

  // AMQueueEntryP (AM type 0x93)
  var oscSendDone;
  var amSend = {
    send: function (dest, msg, len) {
      am.setDestination(msg, dest);
      am.setType(msg, AM_OSCILLOSCOPE);
      return amQueue.send(0, msg, len);
    },
    maxPayloadLength: function () { return amQueue.maxPayloadLength(); },
    getPayload: function (msg, len) { return amQueue.getPayload(0, msg, len); },
  };
  entry = { sendDone: function (msg, error) { oscSendDone(msg, error); } };

  // OscilloscopeC
  var sendBuf = createMessage(), sendBusy = false;
  var version = 0, interval = DEFAULT_INTERVAL, id = 0, count = 0;
  var readings = new Uint16Array(NREADINGS), reading = 0, suppressCountChange = false;
  function startTimer() {
    timers.startPeriodic(0, interval);
    reading = 0;
  }
  radioControlUser = { startDone: function () { startTimer(); } };
  receivers[AM_OSCILLOSCOPE] = function (msg, payload, len) {
    leds.led2Toggle();
    if (len < HEADER_FIELDS) return msg;
    var v = Osc.get.version(payload);
    if (v > version) {
      version = v;
      interval = Osc.get.interval(payload);
      startTimer();
    }
    var c = Osc.get.count(payload);
    if (c > count) {
      count = c;
      suppressCountChange = true;
    }
    return msg;
  };
  timerFired[0] = function () {
    if (reading === NREADINGS) {
      if (!sendBusy && OSC_SIZE <= amSend.maxPayloadLength()) {
        var out = amSend.getPayload(sendBuf, OSC_SIZE);
        var set = Osc.set;
        set.version(out, version);
        set.interval(out, interval);
        set.id(out, id);
        set.count(out, count);
        for (var i = 0; i < NREADINGS; i++) set.readings(out, i, readings[i]);
        if (amSend.send(AM_BROADCAST_ADDR, sendBuf, OSC_SIZE) === SUCCESS) sendBusy = true;
      }
      if (!sendBusy) leds.led0Toggle();
      reading = 0;
      if (!suppressCountChange) count = (count + 1) & 0xffff;
      suppressCountChange = false;
    }
    if (sensor.read() !== SUCCESS) leds.led0Toggle();
  };
  oscSendDone = function (msg, error) {
    if (error === SUCCESS) leds.led1Toggle();
    else leds.led0Toggle();
    sendBusy = false;
  };
  sensorDone = function (error, data) {
    if (error !== SUCCESS) {
      data = 0xffff;
      leds.led0Toggle();
    }
    if (reading < NREADINGS) readings[reading++] = data;
  };

  // Boot (RealMainP): LEDs off (SimLedsP's init), then OscilloscopeC's Boot.booted, then the task loop.
  interval = DEFAULT_INTERVAL;
  id = nodeId.get();
  if (radio.start() !== SUCCESS) leds.led0Toggle();
  scheduler.taskLoop();
}
