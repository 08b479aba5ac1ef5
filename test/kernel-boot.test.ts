import { describe, expect, it } from "vitest";
import { bootOne } from "./support.ts";

describe("boot sequence (TEP 107)", () => {
  it("platform init, its tasks, software init in wiring order, their tasks, then booted", async () => {
    const { mote, runMs } = await bootOne("test/fixtures/kernel/BootOrderAppC.ts");
    runMs(10);
    expect(mote.channel("boot")).toEqual([
      "platform init (post true)",
      "platform task", // queued tasks run before software init
      "init B (post true)", // wired first, though instantiated second
      "init A (post true)",
      "task B", // FIFO, and before booted
      "task A",
      "booted (post true)",
      "booted returns",
      "task after boot", // tasks never run inside booted
    ]);
  });
});
