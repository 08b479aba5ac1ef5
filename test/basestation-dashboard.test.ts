/**
 * The live dashboard in headless Chromium (playwright-core): readings from
 * the (stand-in) motes on a socat pty appear in the charts, the motes'
 * table and the collection tree fill in, and an interval sent from the
 * form reaches the mote's end of the pty as a 0x44 frame that the mote
 * ACKs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeOscilloscopeNetwork } from "../tools/basestation/fakeMote.ts";
import { OscilloscopeMsg } from "../tools/basestation/messages.ts";
import { PtyLink } from "../tools/basestation/pty.ts";
import { startBaseStation } from "../tools/basestation/server.ts";
import { decodeMessage, decodeSerialStream } from "../tools/serial/index.ts";
import { MoteEnd, tempDir, waitFor } from "./fixtures/basestation/support.ts";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let browser: BrowserContext;
let profile: string;
beforeAll(async () => {
  profile = mkdtempSync(path.join(tmpdir(), "mote-chromium-"));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
  });
});
afterAll(async () => {
  await browser?.close();
  rmSync(profile, { recursive: true, force: true });
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("base station dashboard in Chromium", () => {
  it("charts readings as they arrive and sends a command from the form that the mote ACKs", async () => {
    const dir = tempDir(cleanups);
    const link = await PtyLink.open();
    cleanups.push(() => link.close());
    const bs = await startBaseStation({
      ports: [{ path: link.host }],
      db: path.join(dir, "readings.sqlite"),
      http: { host: "127.0.0.1", port: 0 },
      station: "dash",
      log: () => {},
    });
    cleanups.push(() => bs.close());
    const mote = await MoteEnd.open(link.mote);
    cleanups.push(() => mote.close());
    // Four stand-in motes, a packet every 10 x 20 ms each.
    const net = new FakeOscilloscopeNetwork((b) => void mote.write(b), { motes: 4, intervalMs: 20 });
    mote.onData((c) => net.receive(c));
    net.start();
    cleanups.push(() => net.stop());

    const page = await browser.newPage();
    cleanups.push(() => page.close());
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(bs.dashboardUrl!);
    // The token came in the fragment and is kept out of the address bar.
    expect(new URL(page.url()).hash).toBe("");
    await expect.poll(() => page.locator("#live").textContent(), { timeout: 10_000 }).toBe("live");

    // A chart per mote, filling as readings arrive.
    await expect.poll(() => page.locator(".chart").count(), { timeout: 10_000 }).toBe(4);
    const points = async (m: number) => Number(await page.locator(`.chart[data-mote="${m}"]`).getAttribute("data-points"));
    const before = await points(2);
    await expect.poll(() => points(2), { timeout: 10_000 }).toBeGreaterThan(before + 10);
    const canvas = await page.locator('.chart[data-mote="2"] canvas').boundingBox();
    expect(canvas!.width).toBeGreaterThan(200);
    // The motes' table and the collection tree (from the routing beacons).
    await expect.poll(() => page.locator("#motes tbody tr").count()).toBe(4);
    await expect.poll(() => page.locator("#tree svg circle").count(), { timeout: 15_000 }).toBe(4);
    await expect.poll(() => page.locator('#ports li[data-path] .badge').textContent()).toBe("open");

    // The command form: a new interval, broadcast.
    await page.fill("#command-interval", "777");
    await page.click("#command-send");
    await expect.poll(() => page.locator("#command-result").textContent(), { timeout: 10_000 }).toMatch(/ACKed on .* \(seq \d+, 1 try/);
    // On the pty: a 0x44 frame carrying OscilloscopeMsg { interval: 777 }, answered with the ACK.
    const cmd = net.commands.find((c) => c.oscilloscope?.interval === 777)!;
    expect(cmd.packet.protocol).toBe(0x44);
    expect(cmd.acked).toBe(true);
    expect(decodeMessage(OscilloscopeMsg, cmd.packet.payload)).toMatchObject({ version: 1, interval: 777, id: 0 });
    const fromPc = decodeSerialStream(mote.received).packets;
    expect(fromPc.some((p) => p.protocol === 0x44 && p.seq === cmd.packet.seq && p.type === 0x93)).toBe(true);
    // The ACK came back over the pty to the base station.
    expect(bs.station.portList()[0]).toMatchObject({ serial: { acks: 1 }, commands: { sent: 1, acked: 1, frames: 1 } });
    // The motes adopt it and the table shows it.
    await expect.poll(() => page.locator('#motes tbody tr[data-mote="1"] td:nth-child(10)').textContent(), { timeout: 10_000 }).toBe("777");

    // Without the token the form shows the refusal.
    await page.fill("#command-token", "wrong-token");
    await page.click("#command-send");
    await expect.poll(() => page.locator("#command-result").textContent()).toMatch(/needs the base station's token/);
    expect(errors).toEqual([]);
    await waitFor("history", () => bs.station.storage.readingCount > 100);
  });
});
