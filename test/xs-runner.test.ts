/** tools/xs/XsRunner: evaluation, deterministic meters, errors and lifecycle of the XS engine. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openXs, xsAvailable, XsError, type XsEngine } from "../tools/xs/XsRunner.ts";

const emptyLoop = (n: number) => `for (let i = 0; i < ${n}; i++) {}`;
const allocLoop = (n: number) => `let o; for (let i = 0; i < ${n}; i++) { o = { i }; }`;

describe("XsRunner", () => {
  let xs: XsEngine;
  beforeAll(async () => {
    xs = await openXs();
  });
  afterAll(async () => {
    await xs?.close();
  });

  it("finds the built xsnap-worker", () => {
    expect(xsAvailable()).toBe(true);
  });

  it("evaluates code and returns reported values and printed lines", async () => {
    const r = await xs.evaluate(`
      function square(x) { return x * x; }
      report(square(7));
      report({ name: "mote", list: [1, "two", null] });
      print("hello", 42);
    `);
    expect(r.output).toEqual([49, { name: "mote", list: [1, "two", null] }]);
    expect(r.log).toEqual(["hello 42"]);
    expect(r.compute).toBeGreaterThan(0);
    expect(r.heapCount).toBeGreaterThan(0);
    // Globals persist across evaluations; output is per evaluation.
    const again = await xs.evaluate("report(square(3))");
    expect(again.output).toEqual([9]);
    expect(again.log).toEqual([]);
  });

  it("runs on XS, not on V8", async () => {
    // `print`, `gc` and `issueCommand` are xsnap globals; V8/Node has none of them.
    const r = await xs.evaluate("report([typeof gc, typeof issueCommand, typeof process])");
    expect(r.output).toEqual([["function", "function", "undefined"]]);
  });

  it("meters compute deterministically", async () => {
    const workload = `
      const table = [];
      for (let i = 0; i < 200; i++) table.push(i * 3);
      report(table.reduce((a, b) => a + b, 0));
    `;
    const other = await openXs();
    try {
      const fresh = await openXs();
      try {
        const a = await other.evaluate(workload);
        const b = await fresh.evaluate(workload);
        expect(a.compute).toBe(b.compute);
        expect(a.heapCount).toBe(b.heapCount);
        expect(a.output).toEqual(b.output);
      } finally {
        await fresh.close();
      }
    } finally {
      await other.close();
    }
    // Same engine, same code: same count.
    const n1 = await xs.evaluate(emptyLoop(1000));
    const n1again = await xs.evaluate(emptyLoop(1000));
    const n2 = await xs.evaluate(emptyLoop(2000));
    expect(n1again.compute).toBe(n1.compute);
    expect(n2.compute).toBeGreaterThan(n1.compute);
    // Exactly linear in the iteration count: each extra 1000 iterations costs the same.
    const n3 = await xs.evaluate(emptyLoop(3000));
    expect(n3.compute - n2.compute).toBe(n2.compute - n1.compute);
  });

  it("heapCount stays flat for an allocation-free loop and grows with allocations", async () => {
    const growth = async (code: string) => {
      const before = (await xs.evaluate("")).heapCount;
      const after = (await xs.evaluate(code)).heapCount;
      return after - before;
    };
    await xs.evaluate("gc()");
    const flatSmall = await growth(emptyLoop(1000));
    const flatLarge = await growth(emptyLoop(10_000));
    expect(flatLarge).toBe(flatSmall); // per-evaluation bookkeeping only, independent of N
    const allocSmall = await growth(allocLoop(1000));
    const allocLarge = await growth(allocLoop(2000));
    expect(allocSmall).toBeGreaterThanOrEqual(1000);
    expect(allocLarge - allocSmall).toBeGreaterThanOrEqual(1000);
    // Garbage is counted until XS collects it.
    const beforeGc = (await xs.evaluate("")).heapCount;
    const afterGc = (await xs.evaluate("gc()")).heapCount;
    expect(afterGc).toBeLessThan(beforeGc - 1000);
  });

  it("rejects with the XS exception text and location", async () => {
    await xs.evaluate("function explode(what) {\n  throw new RangeError('boom: ' + what);\n}");
    const error = await xs.evaluate("explode('reactor')").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(XsError);
    const xsError = error as XsError;
    expect(xsError.xsText).toBe("RangeError: boom: reactor");
    expect(xsError.message).toContain("RangeError: boom: reactor");
    expect(xsError.frames[0]).toMatch(/^at explode \(eval-\d+:2\)$/);
    await expect(xs.evaluate("(")).rejects.toThrow(/SyntaxError/);
    await expect(xs.evaluate("throw 42")).rejects.toThrow("42");
    // The engine survives exceptions.
    expect((await xs.evaluate("report(1 + 1)")).output).toEqual([2]);
  });

  it("can be closed and a second engine opened", async () => {
    const first = await openXs();
    await first.evaluate("globalThis.marker = 'first'");
    await first.close();
    await first.close(); // idempotent
    await expect(first.evaluate("1")).rejects.toThrow(/closed/);
    const second = await openXs();
    try {
      const r = await second.evaluate("report(typeof marker)");
      expect(r.output).toEqual(["undefined"]); // a fresh machine
    } finally {
      await second.close();
    }
  });

  it("reports a runaway evaluation that exceeds meteringLimit and stays failed", async () => {
    const limited = await openXs({ meteringLimit: 100_000 });
    try {
      expect((await limited.evaluate(emptyLoop(10))).output).toEqual([]);
      await expect(limited.evaluate("for (;;) {}")).rejects.toThrow(/too much computation/);
      await expect(limited.evaluate("1")).rejects.toThrow(/too much computation/);
    } finally {
      await limited.close();
    }
  });

  it("rejects pending evaluations when the child process dies", async () => {
    const doomed = await openXs({ meteringLimit: 0 });
    try {
      const pending = doomed.evaluate("for (;;) {}");
      process.kill(doomed.pid, "SIGKILL");
      await expect(pending).rejects.toThrow(/XS child process exited \(signal SIGKILL\)/);
      await expect(doomed.evaluate("1")).rejects.toThrow(/exited/);
    } finally {
      await doomed.close();
    }
  });
});
