/**
 * The collection tree, where routing information reaches the PC: a
 * simulated MultihopOscilloscope network whose links allow only one tree,
 * and a sniffer mote running BaseStationAppC that overhears every mote's
 * CTP routing beacons (AM 0x70, TinyOS's wire format) and puts them on its
 * serial port, a socat pty the base station reads with serialport. The
 * base station's tree (/api/tree, and the dashboard's drawing in headless
 * Chromium) is the network's.
 */
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { launchChromium } from "../tools/basestation/chromium.ts";
import { startBaseStation } from "../tools/basestation/server.ts";
import { attachSerialPty } from "../tools/sim/SerialPty.ts";
import { World } from "../tools/sim/World.ts";
import { tempDir } from "./fixtures/basestation/support.ts";
import { imageOf } from "./support.ts";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The only tree the links allow: child -> parent (mote 0 is the root, as id % 500 == 0 makes it). */
const TREE: Record<number, number> = { 1: 0, 2: 1, 3: 0, 4: 3, 5: 1, 6: 4 };
const SNIFFER = 100;

describe("the collection tree on the dashboard", () => {
  it("is learnt from the CTP beacons a BaseStationAppC sniffer overhears in a simulated network", async () => {
    const world = new World({ seed: 5, keepDebug: false, keepSerial: false });
    const app = await imageOf("MultihopOscilloscopeAppC");
    for (let id = 0; id <= 6; id++) world.addMote({ id, image: app, bootAtMs: id * 37 });
    world.addMote({ id: SNIFFER, image: await imageOf("BaseStationAppC"), bootAtMs: 0 });
    const strong = world.medium.options.noiseMeanDbm + 30;
    for (const [child, parent] of Object.entries(TREE)) world.setLink(Number(child), parent, strong);
    // The sniffer hears everyone and everyone hears it; it runs no CTP, so it is nobody's route.
    for (let id = 0; id <= 6; id++) world.setLink(id, SNIFFER, strong);

    const bridge = await attachSerialPty(world, SNIFFER);
    cleanups.push(() => bridge.close());
    const bs = await startBaseStation({
      ports: [{ path: bridge.path }],
      db: path.join(tempDir(cleanups), "readings.sqlite"),
      http: { host: "127.0.0.1", port: 0 },
      station: "tree",
      log: () => {},
    });
    cleanups.push(() => bs.close());
    const running = world.runRealtime({ speed: 4 });
    cleanups.push(async () => {
      world.stop();
      await running;
    });

    type Tree = { nodes: { mote: number; parent?: number; etx?: number }[]; roots: number[] };
    const tree = async () => (await (await fetch(`${bs.http!.url}/api/tree`)).json()) as Tree;
    const parents = async () => Object.fromEntries((await tree()).nodes.filter((n) => n.parent !== undefined && n.mote !== n.parent).map((n) => [n.mote, n.parent]));
    await expect.poll(parents, { timeout: 40_000, interval: 250 }).toEqual(TREE);
    const t = await tree();
    expect(t.roots).toEqual([0]);
    // Path costs grow down the tree (ETX in tenths, the root advertises 0).
    const etx = new Map(t.nodes.map((n) => [n.mote, n.etx]));
    expect(etx.get(0)).toBe(0);
    for (const [child, parent] of Object.entries(TREE)) expect(etx.get(Number(child))!).toBeGreaterThan(etx.get(parent)!);

    // The dashboard draws it: a circle per mote in the tree, a line per parent link.
    const chromium = await launchChromium();
    cleanups.push(() => chromium.close());
    const page = await chromium.browser.newPage();
    await page.goto(bs.dashboardUrl!);
    await expect.poll(() => page.locator("#tree svg circle").count(), { timeout: 10_000 }).toBe(7);
    expect(await page.locator("#tree svg line").count()).toBe(Object.keys(TREE).length);
    expect(await page.locator("#tree svg g title").allTextContents()).toContainEqual(expect.stringMatching(/^mote 6, parent 4, ETX \d+$/));
  }, 90_000);
});
