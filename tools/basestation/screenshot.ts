/**
 * Makes docs/dashboard.png: runs the demo (`npm start`'s simulated network)
 * on a free port, lets readings come in for a while, and photographs the
 * dashboard in headless Chromium.
 *
 *   node --import ./tools/register.js tools/basestation/screenshot.ts [--seconds 45] [--out docs/dashboard.png]
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { launchChromium } from "./chromium.ts";
import { runDemo } from "./demo.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: "string", default: "45" }, out: { type: "string", default: path.join(ROOT, "docs/dashboard.png") } } });
  const seconds = Number(values.seconds);
  const demo = await runDemo({ http: { host: "127.0.0.1", port: 0 }, progressS: 10, signals: false, out: (l) => console.error(l) });
  const chromium = await launchChromium({ width: 1400, height: 1000 });
  try {
    const page = await chromium.browser.newPage();
    await page.goto(demo.url);
    console.error(`screenshot: waiting ${seconds} s for readings`);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    await page.screenshot({ path: values.out, fullPage: true });
    console.error(`screenshot: wrote ${values.out}`);
  } finally {
    await chromium.close();
    await demo.stop();
  }
}

main().catch((e: unknown) => {
  console.error(`screenshot: ${(e as Error).message}`);
  process.exit(1);
});
