import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { build, ROOT } from "../tools/build/build.ts";
import { BuildError } from "../tools/build/diagnostics.ts";

const BROKEN = path.join(ROOT, "test/fixtures/type-errors/BrokenCounterAppC.ts");

describe("mote build type-checks first", () => {
  it("refuses an application whose module has a type error, naming file, line and the TS error", async () => {
    const error = await build({ entry: BROKEN, platform: "sim", write: false }).then(
      () => expect.fail("built an image from code tsc rejects"),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(BuildError);
    const d = (error as BuildError).diagnostics.find((x) => /TS2345/.test(x.message));
    expect(d).toBeDefined();
    const source = readFileSync(path.join(ROOT, "test/fixtures/type-errors/BrokenCounterC.ts"), "utf8").split("\n");
    expect(d!.location!.file).toBe(path.join(ROOT, "test/fixtures/type-errors/BrokenCounterC.ts"));
    expect(source[d!.location!.line - 1]).toContain('startPeriodic("250")');
    expect(d!.message).toMatch(/not assignable to parameter of type 'number'/);
  });

  it("builds the same application when type checking is switched off (the wiring itself is sound)", async () => {
    const report = await build({ entry: BROKEN, platform: "sim", write: false, typecheck: false });
    expect(report.app).toBe("BrokenCounterAppC");
  });

  it("passes a correct application", async () => {
    const report = await build({ entry: path.join(ROOT, "configurations/BlinkAppC.ts"), platform: "sim", write: false });
    expect(report.bytes.minified).toBeGreaterThan(0);
  });
});
