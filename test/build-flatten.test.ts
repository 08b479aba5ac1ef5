/**
 * Whole-program flattening of a board's image (tools/build/flatten.ts):
 * the instances run in the image factory's scope, callers name the
 * functions they are wired to, and fan-out, dispatch and bound indexes are
 * made once at start. A flattened image does what the unflattened one did;
 * a shape the pass does not know leaves the image as it was; and
 * collection, flattened, fits a Puck.js and forwards over BLE advertising.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build, ROOT } from "../tools/build/build.ts";
import { BuildError } from "../tools/build/diagnostics.ts";
import { flattenInstances } from "../tools/build/flatten.ts";
import { EspruinoShim } from "../tools/espruino/shim.ts";
import { FIRST_PART, MOTE_MANUFACTURER, SECOND_PART } from "../platforms/espruino/EspruinoBleRadioP.ts";
import { estimateJsVars } from "../platforms/espruino/jsvars.ts";

// The helpers as the glue writes them (tools/build/generate.ts), for the unflattened run.
const HELPERS = `
  function bindIndex(o, k) { var r = {}; for (var n in o) r[n] = o[n].bind(null, k); return r; }
  function fanOut(list, combine) {
    var r = {}, n;
    for (n in list[0]) r[n] = fanOne(list.map(function (o) { return o[n]; }), combine[n]);
    return r;
  }
  function fanOne(fs, cb) {
    return function (a, b) { var x = fs[0](a, b); for (var i = 1; i < fs.length; i++) x = cb ? cb(x, fs[i](a, b)) : fs[i](a, b); return x; };
  }
  function dispatch(hs, names, fb) {
    var r = {}, n;
    for (n in names) r[n] = (function (n) { return function (i, a, b) { var f = hs[i] && hs[i][n]; return f ? f(a, b) : fb[n](i, a, b); }; })(n);
    return r;
  }`;

/** A bundle shaped as esbuild leaves the glue: two instances of a generic counter, and a user of both. */
const image = (counterBody: string, userCall = "") => `(() => {
  ${HELPERS}
  var CounterP = (c, _host, id, step) => {
    let n = 0;
    // Names a flattened body must keep apart: a parameter and a block's own \`let\` shadow the counter's n.
    const scaled = (n) => n * step;
    const info = () => { { let n = -1; void n; } return { id, n }; };
    return { Count: { ${counterBody} }, Reset: { reset: () => { n = 0; } }, Info: { info } };
  };
  var UserP = (c) => ({
    Boot: {
      boot() {
        out.push(c.Count.add(1), c.Both.add(2), c.Third.add(), c.Third.add());
        c.Reset.reset();
        out.push(c.Count.add(1), c.Info.info().n);
        ${userCall}
      }
    },
    Log: { log(i, n) { out.push("log " + i + " " + n); } }
  });
  function mote(host) {
    var c0 = {}, i0 = UserP(c0), c1 = {}, i1 = CounterP(c1, 0, 1, 1), c2 = {}, i2 = CounterP(c2, 0, 2, 10);
    c0.Count = i1.Count, c0.Reset = i1.Reset, c0.Info = i1.Info, c0.Both = fanOut([i1.Count, i2.Count], { add: function (a, b) { return a + b; } }), c0.Third = bindIndex(i2.Count, 3),
      c1.Log = dispatch({ 1: i0.Log }, { log: 0 }, { log: function (i, n) { out.push("unwired " + i + " " + n); } }),
      c2.Log = dispatch({ 1: i0.Log, 2: i0.Log }, { log: 0 });
    i0.Boot.boot();
  }
  mote();
})();`;

const run = (code: string): unknown[] => {
  const out: unknown[] = [];
  new Function("out", code)(out);
  return out;
};
const MODULES = new Set(["CounterP", "UserP"]);

describe("flattening a board's image", () => {
  it("runs every instance in the factory's scope and does what the unflattened image did", () => {
    const code = image("add(k) { n += scaled(k || 1); c.Log.log(id, n); return n; }");
    const flat = flattenInstances(code, MODULES);
    expect(flat.instances).toBe(3);
    // No contexts, no instance objects, no factories, no helpers: callers name what they are wired to.
    expect(flat.code).not.toMatch(/\bc[012]\b|\bi[012]\b|bindIndex|fanOut|fanOne|dispatch|CounterP|UserP/);
    expect(run(flat.code)).toEqual(run(code));
    // The two counters kept their own state: the second counts in tens, the reset touched only the first.
    expect(run(flat.code).filter((x) => typeof x === "number")).toEqual([1, 3 + 20, 50, 80, 1, 1]);
    // The bound index (c0.Third) is passed at each call, as nesC does: no bound function is made.
    expect(flat.code).not.toMatch(/\.bind\(/);
    // The literal arguments (id, step) stand where their parameters were read: no local keeps them.
    expect(flat.code).not.toMatch(/\$\$L\d+_(id|step)\b/);
  });

  it("makes one function for provided functions written alike in several instances", () => {
    const code = image("add(k) { return k === undefined ? 0 : k * 2; }");
    const flat = flattenInstances(code, MODULES);
    expect(flat.instances).toBe(3);
    expect(run(flat.code)).toEqual(run(code));
    expect(flat.code.match(/k === undefined \? 0 : k \* 2/g)).toHaveLength(1);
    // Alike but reading each instance's own state: one each.
    const own = flattenInstances(image("add(k) { n += k || 1; return n; }"), MODULES);
    expect(own.code.match(/\+= k \|\| 1/g)).toHaveLength(2);
  });

  it("calls the one function a parameterized interface wired at one index names, without a dispatcher", () => {
    const code = image("add(k) { n += scaled(k || 1); c.Log.log(id, n); return n; }").replace("dispatch({ 1: i0.Log, 2: i0.Log }, { log: 0 })", "dispatch({ 2: i0.Log }, { log: 0 })");
    const flat = flattenInstances(code, MODULES);
    expect(flat.instances).toBe(3);
    expect(run(flat.code)).toEqual(run(code));
    expect(flat.code).not.toMatch(/=== 2 \?/);
    // With a default for the other indexes, the dispatcher stays.
    expect(flat.code).toMatch(/=== 1 \?/);
  });

  it("keeps a bound function that is used as a value, not only called", () => {
    const code = image("add(k) { n += scaled(k || 1); return n; }", "var f = c.Third.add; out.push(f(), f());");
    const flat = flattenInstances(code, MODULES);
    expect(flat.instances).toBe(3);
    expect(flat.code).toMatch(/\.bind\(null, 3\)/);
    expect(run(flat.code)).toEqual(run(code));
  });

  it("leaves the image as it was for a shape it does not know", () => {
    const shapes = [
      image("add(k) { n += this.step || step; return n; }"), // `this` in a provided function
      image("add(k) { keep(c); return n; }"), // the context used whole
      image("add(k) { return n; }", "out.push(CounterP);"), // a factory read outside the glue
    ];
    for (const code of shapes) {
      const flat = flattenInstances(code, MODULES);
      expect(flat.instances).toBe(0);
      expect(flat.code).toBe(code);
    }
  });
});

describe("every application's board image", () => {
  const applications = readdirSync(path.join(ROOT, "configurations")).filter((f) => f.endsWith("AppC.ts"));
  it.each(applications)("%s: every module instance flattened, for espruino and moddable", async (file) => {
    for (const platform of ["espruino", "moddable"]) {
      let report;
      try {
        report = await build({ entry: path.join(ROOT, "configurations", file), platform, write: false, typecheck: false });
      } catch (e) {
        // Not an application of this platform (a component it lacks), or over a Puck.js's budget (espruino-dialect.test.ts).
        if (e instanceof BuildError) continue;
        throw e;
      }
      expect(report.flattened).toEqual({ instances: report.instances.modules });
    }
  });
});

/** The AM header (dest, src, length, group 0x22, type) and payload, as one or two advertisements carry it. */
function advertisements(seq: number, frame: number[]): number[][] {
  if (frame.length <= 23) return [[seq, ...frame]];
  return [
    [seq | FIRST_PART, ...frame.slice(0, 23)],
    [seq | SECOND_PART, ...frame.slice(23)],
  ];
}
const header = (dest: number, src: number, length: number, type: number) => [dest >> 8, dest & 255, src >> 8, src & 255, length, 0x22, type];

describe("collection on a Puck.js, flattened", () => {
  it("CollectionRelayAppC fits the Puck.js's JsVars, takes the root's beacons and forwards a child's reading to it", async () => {
    const report = await build({ entry: path.join(ROOT, "test/fixtures/collection/CollectionRelayAppC.ts"), platform: "espruino", board: "puckjs", write: false, typecheck: false });
    expect(report.figures.jsVarsAtBoot).toBeLessThanOrEqual(report.figures.jsVarsBudget!);
    const puck = new EspruinoShim({ board: "puckjs", storage: { ".motenode": "5" } });
    puck.load(report.image);
    puck.runUntil(1_000);
    // Mote 1, a root: link estimator header (flags, seq), then options, parent 1, ETX 0.
    for (let b = 0; b < 6; b++) {
      for (const adv of advertisements(b, [...header(0xffff, 1, 7, 0x70), 0, b, 0, 0, 1, 0, 0])) expect(puck.deliverAdvertisement(MOTE_MANUFACTURER, adv, -50, "root")).toBe(true);
      puck.runMs(500);
    }
    // Mote 9 hands the relay a reading: the CTP data header (THL 0, ETX 25.6, origin 9, seqno 42, collection 0x93), 18 bytes.
    const reading = Array.from({ length: 18 }, (_, i) => (42 + i) & 255);
    for (const adv of advertisements(7, [...header(5, 9, 26, 0x71), 0, 0, 1, 0, 0, 9, 42, 0x93, ...reading])) {
      puck.deliverAdvertisement(MOTE_MANUFACTURER, adv, -50, "child");
      puck.runMs(50);
    }
    puck.runMs(3_000);
    // What the relay put on the air: first parts (or whole frames) of data frames, from the AM header on.
    const sent = puck.advertising
      .filter((a) => a.manufacturer === MOTE_MANUFACTURER && a.manufacturerData && (a.manufacturerData[0]! & SECOND_PART) === 0)
      .map((a) => a.manufacturerData!.slice(1));
    const data = sent.filter((f) => f[6] === 0x71);
    expect(data.length).toBeGreaterThan(0);
    // To the root, from the relay, still the child's reading (origin 9, seqno 42).
    expect(data[0]!.slice(0, 4)).toEqual([0, 1, 0, 5]);
    expect([data[0]![12], data[0]![13], data[0]![14]]).toEqual([9, 42, 0x93]);
    expect(puck.uncaught).toEqual([]);
  });
});

describe("the JsVar estimate, function by function", () => {
  const opts = { charsPerJsVar: 9, jsVarBytes: 13 };
  const fns = (code: string) => estimateJsVars(code, opts).breakdown.functions;
  it("prices a function by where it is made: no scope name at the top level, a copied scope chain from two scopes deep", () => {
    expect(fns("var f = function (a, b) {};")).toBe(3 + 2);
    expect(fns("(function () { var f = function (a) {}; })();")).toBe(4 + 1);
    // Made two function scopes deep: the chain of two scopes copied (an array and a name per scope).
    expect(fns("(function () { (function () { var f = function () {}; })(); })();")).toBe(4 + 1 + 2);
  });
  it("prices a kept scope's values a name cannot hold: booleans, null, large integers, strings", () => {
    const scope = (values: string) => estimateJsVars(`(function () { var a = ${values}; var f = function () { return a; }; })();`, opts).breakdown.scopes;
    const small = scope("7");
    expect(scope("undefined")).toBe(small);
    expect(scope("false")).toBe(small + 1);
    expect(scope("null")).toBe(small + 1);
    expect(scope("65535")).toBe(small + 1); // past what a reference holds (±2^12 with 13-byte JsVars)
    expect(scope("0.5")).toBe(small + 1);
    expect(scope('"Bluetooth"')).toBe(small + 1); // 9 characters: one JsVar of string data
    expect(scope('"LoopbackA."')).toBe(small + 2);
  });

  it("counts a view made with subarray (an ArrayBufferView on the same buffer)", () => {
    const alone = estimateJsVars("var b = new Uint8Array(16);", opts).breakdown.typedArrays;
    expect(estimateJsVars("var b = new Uint8Array(16), v = b.subarray(2, 4), w = v.subarray(1);", opts).breakdown.typedArrays).toBe(alone + 2);
    // Outside the estimate, subarray is the engine's own again.
    expect(Object.getPrototypeOf(Uint8Array.prototype).subarray.name).toBe("subarray");
  });

  it("counts a bound function, which copies the target's names and keeps its bound arguments and `this`", () => {
    const plain = fns("(function () { var f = function (a, b) {}; })();");
    expect(fns("(function () { var f = function (a, b) {}; var g = f.bind(null, 1); })();") - plain).toBe(5 + 2 + 1);
  });
});
