/**
 * What the build leaves out of an image, and what it resolves before the
 * image runs: debug channels on boards (TinyOS's dbg() compiles to
 * nothing), typed message declarations laid out at build time, pass-through
 * interfaces bound past, constants in place.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build, ROOT, type BuildReport } from "../tools/build/build.ts";
import { aliasBuiltins, specializeGenerics, unwrapForMinify } from "../tools/build/constants.ts";
import { messageLiteral } from "../tools/build/messages.ts";
import { MOTE_HOST_PROPERTIES } from "../platforms/sim/MoteHost.ts";
import { array, defineMessage, i16, i32, i8, struct, u16, u32, u8 } from "../components/message/TypedMessage.ts";

const buildFor = (app: string, platform: string, board?: string): Promise<BuildReport> =>
  build({ entry: path.join(ROOT, "configurations", `${app}.ts`), platform, board, write: false, typecheck: false });

/** The channel names and fixed text of every `dbg(...)` call in the modules an image is made of. */
function debugStrings(report: BuildReport): string[] {
  const out = new Set<string>();
  for (const n of report.graph.instances) {
    if (n.kind !== "module" || !n.definedAt) continue;
    const source = readFileSync(n.definedAt.file, "utf8");
    // The channel, and the fixed start of the message when it says something (`read ` with its space, not `led`).
    for (const m of source.matchAll(/\.dbg\(\s*"([^"]+)",\s*`([^`$]*)/g)) {
      out.add(m[1]!);
      if (m[2]!.length >= 5) out.add(m[2]!);
    }
  }
  return [...out];
}

describe("the image (design.md): no wiring tables, no interface-name lookups", () => {
  it.each(["sim", "node"])("Blink for %s names no interface, command, event, component or instance", async (platform) => {
    const report = await buildFor("BlinkAppC", platform);
    const names = new Set<string>();
    for (const n of report.graph.instances) {
      names.add(n.component.name);
      for (const part of n.path.split(/[.#]/)) names.add(part);
      for (const slot of n.slots.values()) {
        names.add(slot.name);
        names.add(slot.iface.name);
        for (const f of [...Object.keys(slot.iface.commands), ...Object.keys(slot.iface.events)]) names.add(f);
      }
    }
    for (const expected of ["Timer", "Leds", "Boot", "startPeriodic", "fired", "led0Toggle", "booted", "BlinkC", "TimerMilliC"]) {
      expect(names).toContain(expected); // the list is the real one
    }
    // The host's own functions (MoteHost) are the one contract kept by name: McuSleep.sleep is host.sleep.
    for (const kept of MOTE_HOST_PROPERTIES) names.delete(kept);
    // Every identifier, property name and string the minified image holds.
    const words = new Set(report.image.match(/[A-Za-z_$][\w$]*/g));
    expect([...names].filter((n) => words.has(n))).toEqual([]);
  });
});

describe("debug channels on boards", () => {
  it.each(["FanOutAppC", "ParameterizedAppC", "DefaultHandlerAppC"])("%s: the simulator keeps its dbg() texts, espruino and moddable images hold none of them", async (app) => {
    const sim = await buildFor(app, "sim");
    const strings = debugStrings(sim);
    expect(strings.length).toBeGreaterThan(0);
    for (const s of strings) expect(sim.image).toContain(s);
    for (const [platform, board] of [["espruino", "pico"], ["moddable", undefined]] as const) {
      const report = await buildFor(app, platform, board);
      for (const s of strings) expect(report.image).not.toContain(s);
      expect(report.silencedDebug.length).toBeGreaterThan(0);
    }
    expect(sim.silencedDebug).toEqual([]);
  });
});

describe("typed messages in an image", () => {
  it("are laid out at build time: no declaration code or its error texts, only the accessors the image names", async () => {
    const report = await buildFor("OscilloscopeAppC", "espruino", "puckjs");
    // TypedMessage.ts's validation texts and its closure factory are not in the image.
    expect(report.image).not.toContain("field type");
    expect(report.image).not.toContain("TOSH_DATA_LENGTH");
    expect(report.image).not.toContain("OscilloscopeMsg");
    // OscilloscopeC reads version, interval and count of what it hears, never id or readings.
    const getters = /get:\{([^}]*)\}/.exec(report.image)?.[1] ?? "";
    expect(getters.match(/=>/g)).toHaveLength(3);
  });
});

describe("pass-through interfaces", () => {
  it("callers are bound past a module that only hands calls on, and the forwarders leave the image", async () => {
    const report = await buildFor("RadioCountToLedsAppC", "sim");
    // AMQueueEntryP's Send.sendDone is its AMSend.sendDone: the queue signals the application directly.
    expect(report.bypassedInterfaces).toContain("AMQueueEntryP.Send");
  });
});

describe("the passes over the bundled image (tools/build/constants.ts)", () => {
  /** Runs a script's body (as unwrapForMinify returns it) and gives back what it returns. */
  const run = (body: string): unknown => new Function(`${body}\nreturn result;`)();

  it("literal constants move first and become const; a name assigned again stays var; `{ name }` keeps its name", () => {
    const code = `(() => {\n  var f = () => A + B;\n  var A = 2, B = 3, NAME = "a long text";\n  B = 4;\n  var result = [f(), { NAME }];\n})();\n`;
    const { code: body, unwrapped } = unwrapForMinify(code);
    expect(unwrapped).toBe(true);
    expect(body.startsWith("const A = 2")).toBe(true);
    expect(body).toMatch(/var B = 3/);
    expect(body).toContain("{ NAME }");
    expect(run(body)).toEqual([6, { NAME: "a long text" }]);
  });

  it("a string used once goes in its place; built-ins used three times get a short local name, never one written as `{ Uint8Array }`", () => {
    const once = unwrapForMinify(`(() => {\n  var FILE = ".motenode";\n  var result = [FILE, new Uint8Array(1).length, new Uint8Array(2).length, new Uint8Array(3).length];\n})();\n`).code;
    expect(once).not.toContain("FILE");
    const aliased = aliasBuiltins(once);
    expect(aliased).toContain("const Uint8Array$ = Uint8Array;");
    expect(run(aliased)).toEqual([".motenode", 1, 2, 3]);
    const shorthand = `const result = [new Uint8Array(1), new Uint8Array(2), new Uint8Array(3), { Uint8Array }];`;
    expect(aliasBuiltins(shorthand)).toBe(shorthand);
  });

  it("a generic module made once takes its arguments as constants; one made twice keeps its parameters", () => {
    const code = [
      "var OnceP = (c, host, n) => ({ get: () => n * 2 });",
      "var TwiceP = (c, host, n) => ({ get: () => n + 1 });",
      "function mote(host) { var c1 = {}, i1 = OnceP(c1, 0, 21), i2 = TwiceP(c1, 0, 1), i3 = TwiceP(c1, 0, 2); return [i1.get(), i2.get(), i3.get()]; }",
      "var result = mote();",
    ].join("\n");
    const out = specializeGenerics(code, new Set(["OnceP", "TwiceP"]));
    expect(out).toContain("OnceP(c1)");
    expect(out).toMatch(/OnceP = \(c\) => \{ const n = 21; return/);
    expect(out).toContain("TwiceP(c1, 0, 1)");
    expect(run(out)).toEqual([42, 2, 3]);
  });
});

describe("typed messages laid out by the build (tools/build/messages.ts)", () => {
  it("read and write exactly as the declaration's own accessors: every width, signed, arrays, nested structs, an offset", () => {
    const Probe = defineMessage("Probe", 0x42, {
      a: u8, b: i8, c: u16, d: i16, e: u32, f: i32,
      g: array(u16, 3),
      h: struct({ x: i16, y: u8 }),
      k: array(struct({ p: u8, q: i16 }), 2),
    }, { maxSize: 64 });
    type Tree = { [name: string]: Tree | ((...a: number[]) => unknown) };
    const laid = new Function(`return ${messageLiteral(Probe)};`)() as { size: number; amType: number; get: Tree; set: Tree };
    expect([laid.size, laid.amType]).toEqual([Probe.size, Probe.amType]);
    // Each leaf with its index arguments: [path, indexes].
    const leaves: [string[], number[]][] = [
      [["a"], []], [["b"], []], [["c"], []], [["d"], []], [["e"], []], [["f"], []],
      [["g"], [2]], [["h", "x"], []], [["h", "y"], []], [["k", "p"], [1]], [["k", "q"], [1]],
    ];
    const at = (tree: unknown, path: string[]) => path.reduce((t, k) => (t as Tree)[k], tree) as (...a: unknown[]) => unknown;
    const values = [0x7f, -3, 0xbeef, -2, 0xfedcba98, -123456789, 0x1234, -300, 200, 9, -9];
    for (const offset of [0, 5]) {
      const ours = new Uint8Array(Probe.size + 5);
      const theirs = new Uint8Array(Probe.size + 5);
      leaves.forEach(([path, indexes], i) => {
        at(laid.set, path)(ours, ...indexes, values[i], offset);
        at(Probe.set, path)(theirs, ...indexes, values[i], offset);
      });
      expect(ours).toEqual(theirs);
      for (const [path, indexes] of leaves) expect(at(laid.get, path)(ours, ...indexes, offset)).toBe(at(Probe.get, path)(theirs, ...indexes, offset));
    }
  });
});
