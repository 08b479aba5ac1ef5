/**
 * The dashboard in headless Chromium (playwright-core), on the demo that
 * `npm start` runs: 25 MultihopOscilloscope motes in the real simulator
 * (`mote sim`, real time), the root's UART on a socat pty, the base station
 * reading it with the serialport package. Readings appear in the charts,
 * the motes' table fills in, and an interval sent from the form is ACKed
 * by the root, disseminated, and reported back by every simulated mote in
 * its own readings messages.
 */
import path from "node:path";
import type { BrowserContext } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../tools/basestation/chromium.ts";
import { runDemo } from "../tools/basestation/demo.ts";
import { tempDir } from "./fixtures/basestation/support.ts";

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
