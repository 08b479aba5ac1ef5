import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../tools/build/build.ts";
import { bootOne } from "./support.ts";

const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");

describe("the README", () => {
  it("starts with the set-up-and-run command and the test command, and CI runs that test command", () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)![1]!.trim().split("\n");
    expect(firstBlock[0]).toMatch(/^npm ci && npm start\s+#/);
    expect(firstBlock[1]).toMatch(/^npm test\s+#/);
    const ci = readFileSync(path.join(ROOT, ".ci/run"), "utf8").trim().split("\n");
    expect(ci[ci.length - 1]).toBe("npm test");
  });

  it("quotes the tutorial's files exactly as they are in the repository", () => {
    const quoted = [...readme.matchAll(/```ts file=(\S+)\n([\s\S]*?)```/g)];
    expect(quoted.map((m) => m[1])).toEqual(["components/apps/CountToLedsC.ts", "configurations/CountToLedsAppC.ts"]);
    for (const [, file, text] of quoted) expect(text).toBe(readFileSync(path.join(ROOT, file!), "utf8"));
  });
});

describe("the tutorial's CountToLedsAppC", () => {
  it("shows the count's low three bits on the LEDs, updated every 250 ms", async () => {
    const { mote, runMs } = await bootOne("CountToLedsAppC");
    let expected = 0;
    for (let k = 1; k <= 40; k++) {
      runMs(k * 250 - 1);
      expect(mote.leds).toBe(expected);
      runMs(k * 250);
      expected = k & 7;
      expect(mote.leds).toBe(expected);
    }
  });
});
