/**
 * The dashboard in headless Chromium (playwright-core), on the demo that
 * `npm start` runs: 25 MultihopOscilloscope motes in the real simulator
 * (`mote sim`, real time), the root's UART on a socat pty, the base station
 * reading it with the serialport package. Readings appear in the charts,
 * the motes' table fills in, and an interval sent from the form is ACKed
 * by the root, disseminated, and reported back by every simulated mote in
 * its own readings messages. And a port in trouble: missing from the
 * start, or gone mid-run (socat killed) and back, shown with its state, the
 * reason and what to do; CRC errors on a port in the motes' table.
 */
import path from "node:path";
import type { BrowserContext } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../tools/basestation/chromium.ts";
import { runDemo } from "../tools/basestation/demo.ts";
import { startBaseStation } from "../tools/basestation/server.ts";
import { PtyLink } from "../tools/serial/PtyLink.ts";
import { badCrcFrame, MoteEnd, oscFrame, tempDir } from "./fixtures/basestation/support.ts";

let chromium: { browser: BrowserContext; close(): Promise<void> };
beforeAll(async () => {
  chromium = await launchChromium();
});
afterAll(async () => {
  await chromium?.close();
});

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const MOTES = 25;

describe("the demo's dashboard in Chromium, on the simulated network", () => {
  it("charts the simulated motes' readings; an interval sent from the form reaches every simulated mote", async () => {
    const dir = tempDir(cleanups);
    const lines: string[] = [];
    const demo = await runDemo({
      http: { host: "127.0.0.1", port: 0 },
      motes: MOTES,
      db: path.join(dir, "readings.sqlite"),
      progressS: 0,
      signals: false,
      out: (line) => lines.push(line),
    });
    cleanups.push(() => demo.stop());
    const station = demo.baseStation.station;
    // The startup lines say where everything is.
    expect(lines.join("\n")).toContain(`dashboard    ${demo.url}`);
    expect(lines.join("\n")).toContain(`serial port  ${demo.ptyPath}`);
    expect(demo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/);

    const page = await chromium.browser.newPage();
    cleanups.push(() => page.close());
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(demo.url);
    await expect.poll(() => page.locator("#live").textContent(), { timeout: 10_000 }).toBe("live");
    await expect.poll(() => page.locator('#ports li[data-path] .badge').textContent()).toBe("open");

    // Charts appear and fill as the simulated motes' readings arrive.
    await expect.poll(() => page.locator(".chart").count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const first = Number(await page.locator(".chart").first().getAttribute("data-mote"));
    const points = async () => Number(await page.locator(`.chart[data-mote="${first}"]`).getAttribute("data-points"));
    const before = await points();
    await expect.poll(points, { timeout: 30_000 }).toBeGreaterThan(before);
    const canvas = await page.locator(`.chart[data-mote="${first}"] canvas`).boundingBox();
    expect(canvas!.width).toBeGreaterThan(200);
    // Every mote reaches the root over collection; the table lists them all.
    await expect.poll(() => page.locator("#motes tbody tr").count(), { timeout: 45_000 }).toBe(MOTES);
    await expect.poll(() => page.locator(".chart").count(), { timeout: 10_000 }).toBe(MOTES);
    const motes = station.moteList();
    expect(motes.map((m) => m.mote)).toEqual([...Array(MOTES).keys()]);
    // They run MultihopOscilloscope at its default interval, sampling the demo's light wave (not zeros).
    for (const m of motes) expect(m.status).toMatchObject({ interval: 1024, version: 0 });
    expect(motes.some((m) => (m.latest.readings?.value ?? 0) > 0)).toBe(true);

    // A new interval from the form: ACKed by the root, then every mote adopts it.
    await page.fill("#command-interval", "700");
    await page.click("#command-send");
    await expect.poll(() => page.locator("#command-result").textContent(), { timeout: 15_000 }).toMatch(/ACKed on .* \(seq \d+, \d+ tr/);
    expect(station.portList()[0]).toMatchObject({ commands: { sent: 1, acked: 1 } });
    // The motes say so themselves: each readings message carries the sender's interval and version.
    await expect
      .poll(() => station.moteList().filter((m) => m.status.interval === 700 && m.status.version === 1).length, { timeout: 60_000 })
      .toBe(MOTES);
    await expect.poll(() => page.locator(`#motes tbody tr[data-mote="${MOTES - 1}"] td:nth-child(10)`).textContent()).toBe("700");

    // Without the token the form shows the refusal.
    await page.fill("#command-token", "wrong-token");
    await page.click("#command-send");
    await expect.poll(() => page.locator("#command-result").textContent()).toMatch(/needs the base station's token/);
    expect(errors).toEqual([]);
  }, 180_000);
});

describe("ports in trouble on the dashboard", () => {
  it("shows a missing or vanished port retrying with the reason and what to do, and open again when it returns", async () => {
    const dir = tempDir(cleanups);
    const link = await PtyLink.open({ dir: path.join(dir, "pty") });
    cleanups.push(() => link.close());
    const missing = path.join(dir, "no-such-port");
    const bs = await startBaseStation({
      ports: [{ path: link.host }, { path: missing }],
      db: path.join(dir, "r.sqlite"),
      http: { host: "127.0.0.1", port: 0 },
      retry: { minMs: 50, maxMs: 200 },
      log: () => {},
    });
    cleanups.push(() => bs.close());
    const page = await chromium.browser.newPage();
    cleanups.push(() => page.close());
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(bs.dashboardUrl!);
    const item = (p: string) => page.locator(`#ports li[data-path="${p}"]`);
    await expect.poll(() => item(link.host).locator(".badge").textContent(), { timeout: 10_000 }).toBe("open");
    expect(await item(link.host).locator(".problem").count()).toBe(0);
    await expect.poll(() => item(missing).locator(".badge").textContent()).toBe("retrying");
    expect(await item(missing).textContent()).toContain(`${missing} does not exist — plug the mote in`);

    // A frame that fails its CRC, then a good one: the mote's row counts the port's CRC error.
    let mote = await MoteEnd.open(link.mote);
    await mote.write(Buffer.concat([badCrcFrame(3, 0), oscFrame(3, 1)]));
    const crcCell = page.locator('#motes tbody tr[data-mote="3"] td:nth-child(8)');
    await expect.poll(() => crcCell.textContent()).toBe("1");

    // The port vanishes (socat killed, as a cable pulled) ...
    await mote.close();
    await link.kill();
    await expect.poll(() => item(link.host).locator(".badge").textContent()).toBe("retrying");
    await expect.poll(() => item(link.host).textContent()).toMatch(/(went away .* reconnect the mote|does not exist — plug the mote in)/);
    // ... and returns: open again, the problem gone from the page.
    await link.start();
    await expect.poll(() => item(link.host).locator(".badge").textContent(), { timeout: 10_000 }).toBe("open");
    expect(await item(link.host).locator(".problem").count()).toBe(0);
    mote = await MoteEnd.open(link.mote);
    cleanups.push(() => mote.close());
    await mote.write(oscFrame(3, 2));
    await expect.poll(() => page.locator('#motes tbody tr[data-mote="3"] td:nth-child(3)').textContent()).toBe("2");
    expect(errors).toEqual([]);
  }, 30_000);
});
