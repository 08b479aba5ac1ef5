/**
 * Every build refusal, with its message, its file:line and the component
 * instance it is about; plus the wiring features the refusals sit next to
 * (fan-out with a combine function, defaults, generic instances, unique).
 *
 * Fixtures live in test/fixtures/build, one component per file. The line a
 * diagnostic must point at is marked in the fixture with `// <- marker`, so
 * editing a fixture does not silently shift what the tests expect.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { build, type BuildReport, knownPlatforms, ROOT } from "../tools/build/build.ts";
import { BuildError, type Diagnostic } from "../tools/build/diagnostics.ts";
import { EventQueue } from "../tools/sim/EventQueue.ts";
import { loadImageText } from "../tools/sim/image.ts";
import { SimMote } from "../tools/sim/SimMote.ts";

const FIXTURES = path.join(ROOT, "test", "fixtures", "build");
const fixture = (name: string) => path.join(FIXTURES, `${name}.ts`);

/** The 1-based line of `file` carrying `// <- marker` (exactly one must). */
function lineOf(file: string, marker: string): number {
  const tag = `// <- ${marker}`;
  const lines = readFileSync(file, "utf8").split("\n");
  const hits = lines.flatMap((text, i) => (text.trimEnd().endsWith(tag) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`${path.basename(file)}: expected one line marked \`${tag}', found ${hits.length}`);
  return hits[0]!;
}

/** Builds `entry` and returns the BuildError it must fail with. */
async function refusal(entry: string, platform = "sim"): Promise<BuildError> {
  let report: BuildReport;
  try {
    report = await build({ entry, platform, write: false });
  } catch (e) {
    if (e instanceof BuildError) return e;
    throw e; // a crash, not a refusal
  }
  return expect.fail(`${path.relative(ROOT, entry)} built (${report.bytes.minified} bytes) but should have been refused`);
}

interface Expected {
  readonly severity?: "error" | "warning";
  readonly message: RegExp;
  /** The fixture (name without .ts) holding the marked line. */
  readonly file: string;
  readonly marker: string;
  /** The instance path the diagnostic must name, where one is relevant. */
  readonly instance?: string;
}

/** Asserts one diagnostic matching everything expected, and returns it. */
function expectDiagnostic(diagnostics: readonly Diagnostic[], expected: Expected): Diagnostic {
  const file = fixture(expected.file);
  const line = lineOf(file, expected.marker);
  const matcher = expect.objectContaining({
    severity: expected.severity ?? "error",
    message: expect.stringMatching(expected.message),
    location: expect.objectContaining({ file, line }),
    ...(expected.instance !== undefined ? { instance: expected.instance } : {}),
  });
  expect(diagnostics).toContainEqual(matcher);
  return diagnostics.find(
    (d) => expected.message.test(d.message) && d.location?.file === file && d.location.line === line,
  )!;
}

/** Asserts the refusal, and that its printed form (what the CLI shows) names file:line and the instance. */
async function expectRefusal(app: string, expected: Expected): Promise<BuildError> {
  const error = await refusal(fixture(app));
  const d = expectDiagnostic(error.diagnostics, expected);
  expect(error.message).toContain(`${path.basename(d.location!.file)}:${d.location!.line}:`);
  if (expected.instance !== undefined) expect(error.message).toContain(`(in ${expected.instance})`);
  // Every error from a wiring fixture says where it came from.
  expect(error.diagnostics.filter((x) => x.severity === "error" && !x.location)).toEqual([]);
  return error;
}

async function buildFixture(app: string): Promise<BuildReport> {
  return build({ entry: fixture(app), platform: "sim", write: false });
}

/** Boots the image once on a simulated mote (boot runs to completion at time 0). */
function boot(report: BuildReport): SimMote {
  const mote = new SimMote(new EventQueue(), loadImageText(report.image, `${report.app}.js`), { nodeId: 1 });
  mote.boot();
  return mote;
}

describe("build refusals", () => {
  it("a used command left unwired, with no default, is not connected", async () => {
    await expectRefusal("UnwiredCommandAppC", {
      message: /^`UsesTimerC\.Timer' not connected/,
      file: "UnwiredCommandAppC",
      marker: "unwired",
      instance: "UsesTimerC",
    });
  });

  it("an outer interface a configuration never equates is not connected (provides and uses)", async () => {
    const error = await expectRefusal("UnexportedAppC", {
      message: /^`HollowC\.Leds' not connected: configuration HollowC provides Leds/,
      file: "HollowC",
      marker: "hollow",
      instance: "HollowC",
    });
    expectDiagnostic(error.diagnostics, {
      message: /^`HollowC\.Timer' not connected: configuration HollowC uses Timer/,
      file: "HollowC",
      marker: "hollow",
      instance: "HollowC",
    });
  });

  it("wiring a Timer user to a Leds provider is an interface mismatch", async () => {
    await expectRefusal("MismatchAppC", {
      message: /^interface mismatch: `UsesTimerC\.Timer' is Timer but `LedsC\.Leds' is Leds/,
      file: "MismatchAppC",
      marker: "mismatch",
      instance: "MismatchAppC",
    });
  });

  it("a generic component named with c.component requires instantiation arguments", async () => {
    await expectRefusal("UninstantiatedAppC", {
      message: /^generic component `TimerMilliC' requires instantiation arguments/,
      file: "UninstantiatedAppC",
      marker: "uninstantiated",
      instance: "UninstantiatedAppC",
    });
  });

  it("a singleton instantiated with c.new is not generic", async () => {
    await expectRefusal("NotGenericAppC", {
      message: /^component `LedsC' is not generic/,
      file: "NotGenericAppC",
      marker: "not generic",
      instance: "NotGenericAppC",
    });
  });

  it("index 5 of a module's parameterized interface of count 2 is out of range", async () => {
    await expectRefusal("OutOfRangeAppC", {
      message: /out of range: `PairServerP\.Value' has indexes 0\.\.1.* 5/,
      file: "OutOfRangeAppC",
      marker: "out of range",
      instance: "PairServerP",
    });
  });

  it("index 5 through a configuration that leaves the count to its module is out of range too", async () => {
    const error = await expectRefusal("OutOfRangeViaConfigAppC", {
      message: /out of range: `PairServerP\.Value' has indexes 0\.\.1.* 5/,
      file: "OutOfRangeViaConfigAppC",
      marker: "out of range",
      instance: "PairServerP",
    });
    // Reported once, at the `.at(5)` that chose the index, not at the equate it went through.
    expect(error.diagnostics.filter((d) => /out of range/.test(d.message))).toHaveLength(1);
  });

  it("a cycle of equates is refused even when no module is wired to it", async () => {
    await expectRefusal("UnreachedCycleAppC", {
      message: /^cycle in configuration: /,
      file: "CycleBC",
      marker: "cycle B",
      instance: "CycleBC",
    });
  });

  it("equates that go round in a circle are a cycle in configuration", async () => {
    await expectRefusal("CycleAppC", {
      message: /^cycle in configuration: CycleAC\.Leds = CycleBC\.Leds = CycleAC\.Leds$/,
      file: "CycleBC",
      marker: "cycle B",
      instance: "CycleBC", // the configuration whose equate closed the circle
    });
  });

  it("a cycle of equates on the using side names its file:line and configuration too", async () => {
    await expectRefusal("UserCycleAppC", {
      message: /^cycle in configuration: UserCycleXC\.Leds = UserCycleYC\.Leds = UserCycleXC\.Leds$/,
      file: "UserCycleXC",
      marker: "user cycle X",
      instance: "UserCycleXC",
    });
  });

  it("c.component(undefined) is an unknown component, and the message lists the known ones", async () => {
    const error = await expectRefusal("UnknownComponentAppC", {
      message: /^unknown component in c\.component\(\.\.\.\): got undefined\b/,
      file: "UnknownComponentAppC",
      marker: "unknown",
      instance: "UnknownComponentAppC",
    });
    const message = error.diagnostics[0]!.message;
    expect(message).toMatch(/Known components: /);
    for (const name of ["BlinkAppC", "LedsC", "MainC", "TimerMilliC"]) expect(message).toContain(name);
  });

  it("c.component of a plain object is an unknown component too", async () => {
    const error = await expectRefusal("NotAComponentAppC", {
      message: /^unknown component in c\.component\(\.\.\.\): got an object\b/,
      file: "NotAComponentAppC",
      marker: "not a component",
      instance: "NotAComponentAppC",
    });
    expect(error.diagnostics[0]!.message).toMatch(/Known components: .*\bLedsC\b/);
  });

  it("an unknown platform is refused, listing the known platforms", async () => {
    const error = await refusal(fixture("GenericTwiceAppC"), "nosuch");
    expect(error.diagnostics).toHaveLength(1);
    const message = error.diagnostics[0]!.message;
    expect(message).toMatch(/^unknown platform `nosuch'; known platforms: /);
    expect(knownPlatforms()).toContain("sim");
    for (const name of knownPlatforms()) expect(message).toContain(name);
  });

  it("too many arguments for a generic component", async () => {
    await expectRefusal("TooManyArgumentsAppC", {
      message: /^too many arguments for generic component `ConstSampleP': it takes 1, got 2/,
      file: "TooManyArgumentsAppC",
      marker: "too many",
      instance: "TooManyArgumentsAppC",
    });
  });

  it("too few arguments for a generic component", async () => {
    await expectRefusal("TooFewArgumentsAppC", {
      message: /^too few arguments for generic component `ConstSampleP': it takes 1, got 0/,
      file: "TooFewArgumentsAppC",
      marker: "too few",
      instance: "TooFewArgumentsAppC",
    });
  });

  it("a module named differently from its file breaks one component per file", async () => {
    await expectRefusal("MisnamedAppC", {
      message: /^module `RenamedC' is defined in MisnamedC\.ts; one component per file/,
      file: "MisnamedC",
      marker: "misnamed",
    });
  });

  it("a second module in another module's file breaks one component per file", async () => {
    const error = await expectRefusal("TwoModulesAppC", {
      message: /^module `StowawayP' is defined in TwoModulesC\.ts; one component per file/,
      file: "TwoModulesC",
      marker: "stowaway",
    });
    expect(error.diagnostics.filter((d) => d.severity === "error")).toHaveLength(1); // TwoModulesC itself is fine
  });

  describe("TypeScript syntax errors", () => {
    // Kept out of test/fixtures: a file that does not parse would break `tsc` over the repository.
    const dir = mkdtempSync(path.join(tmpdir(), "mote-syntax-"));
    const from = (file: string) => JSON.stringify(path.join(ROOT, file));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const write = (name: string, lines: string[]) => {
      const file = path.join(dir, `${name}.ts`);
      writeFileSync(file, `${lines.join("\n")}\n`);
      return { file, line: lines.findIndex((l) => l.endsWith("// <- syntax")) + 1 };
    };

    it("in a configuration: esbuild's message at the file:line, not a crash", async () => {
      const { file, line } = write("SyntaxErrorAppC", [
        `import { configuration } from ${from("components/mote.ts")};`,
        `import { MainC } from ${from("components/kernel/MainC.ts")};`,
        "",
        `export const SyntaxErrorAppC = configuration("SyntaxErrorAppC", {}, (c) => {`,
        "  const main = c.component(MainC);",
        "  c.wire(main.Boot, main.Boot; // <- syntax",
        "});",
      ]);
      const error = await refusal(file);
      expect(error.diagnostics).toContainEqual(
        expect.objectContaining({
          severity: "error",
          message: expect.stringMatching(/^Expected "\)" but found ";"/),
          location: expect.objectContaining({ file, line }),
        }),
      );
      expect(error.message).toContain(`SyntaxErrorAppC.ts:${line}:`);
    });

    it("in a module the configuration imports", async () => {
      const { file, line } = write("BrokenC", [
        `import { module } from ${from("components/mote.ts")};`,
        `import { Boot } from ${from("components/interfaces/Boot.ts")};`,
        "",
        `export const BrokenC = module("BrokenC", { uses: { Boot } }, () => ({`,
        "  Boot: { booted() { let = ; } }, // <- syntax",
        "}));",
      ]);
      const app = write("BrokenModuleAppC", [
        `import { configuration } from ${from("components/mote.ts")};`,
        `import { MainC } from ${from("components/kernel/MainC.ts")};`,
        `import { BrokenC } from "./BrokenC.ts";`,
        "",
        `export const BrokenModuleAppC = configuration("BrokenModuleAppC", {}, (c) => {`,
        "  c.wire(c.component(BrokenC).Boot, c.component(MainC).Boot);",
        "});",
      ]);
      const error = await refusal(app.file);
      expect(error.diagnostics).toContainEqual(
        expect.objectContaining({ severity: "error", location: expect.objectContaining({ file, line }) }),
      );
    });
  });
});

describe("fan-out", () => {
  it("without a combine function is a warning, not an error; the last result is used", async () => {
    const report = await buildFixture("UncombinedFanOutAppC");
    expectDiagnostic(report.warnings, {
      severity: "warning",
      message: /^calls to Sample\.read through `UsesSampleC\.Sample' fan out to 2 components but the interface gives no combine function/,
      file: "UncombinedFanOutAppC",
      marker: "fan-out",
      instance: "UsesSampleC",
    });
    expect(boot(report).channel("sample")).toEqual(["read 8"]);
  });

  it("with a combine function (Init) calls every provider in wiring order and combines the results", async () => {
    const report = await buildFixture("FanOutInitAppC");
    expect(report.warnings).toEqual([]);
    expect(boot(report).channel("init")).toEqual([
      // MainC.SoftwareInit, wired beta first, then alpha
      "init beta",
      "init alpha",
      "booted",
      // InitCallerC.Both: SUCCESS from gamma, EBUSY from delta; ecombine gives FAIL (1)
      "init gamma",
      "init delta",
      "combined 1",
    ]);
  });
});

describe("defaults", () => {
  it("an unwired used command and an unhandled provided event get the module's defaults", async () => {
    const mote = boot(await buildFixture("DefaultsAppC"));
    expect(mote.channel("defaults")).toEqual(["read 42", "default notified 7"]);
  });

  it("once wired, the wired callees run instead of the defaults", async () => {
    const mote = boot(await buildFixture("DefaultsWiredAppC"));
    expect(mote.channel("defaults")).toEqual(["read 5", "listener notified 7"]);
  });
});

describe("generic components", () => {
  it("a generic module instantiated twice gives two independent instances", async () => {
    const report = await buildFixture("GenericTwiceAppC");
    const counters = report.graph.instances.filter((n) => n.component.name === "CounterC");
    expect(counters.map((n) => [n.path, n.args])).toEqual([
      ["GenericTwiceAppC.CounterC#0", [0]],
      ["GenericTwiceAppC.CounterC#1", [10]],
    ]);
    expect(boot(report).channel("counter")).toEqual(["a 1", "a 2", "b 11", "a 3", "b 12"]);
  });
});

describe("parameterized interfaces", () => {
  it("unique numbers the clients 0..n-1 and uniqueCount sizes the server", async () => {
    const report = await buildFixture("UniqueClientsAppC");
    expect(report.graph.uniqueCounts.get("IdentC.Ident")).toBe(3);
    const servers = report.graph.instances.filter((n) => n.component.name === "IdentServerP");
    expect(servers.map((n) => n.args)).toEqual([[3]]);
    expect(servers[0]!.slots.get("Ident")?.count).toBe(3);
    expect(boot(report).channel("ident")).toEqual(["first 0 3", "second 1 3", "third 2 3"]);
  });
});
