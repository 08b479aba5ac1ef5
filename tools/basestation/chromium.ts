/**
 * Headless Chromium (Debian's `chromium`, or $CHROMIUM) through
 * playwright-core, for the dashboard's browser test and its screenshot
 * (`docs/dashboard.png`, see screenshot.ts). A development tool:
 * playwright-core is a dev dependency.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** Quiet, offline, no sandbox (we run as root in CI containers). */
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

export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<{ browser: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(path.join(tmpdir(), "mote-chromium-"));
  let browser: BrowserContext;
  try {
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      headless: true,
      args: CHROMIUM_ARGS,
      viewport,
    });
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`cannot start Chromium (${process.env.CHROMIUM ?? "/usr/bin/chromium"}; set CHROMIUM to another): ${(e as Error).message}`);
  }
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
