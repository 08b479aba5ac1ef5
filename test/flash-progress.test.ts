/**
 * mote flash's progress display: on a terminal one bar redrawn in place
 * with `\r`, fitted to the terminal's width; elsewhere a few plain lines
 * (test/flash-cli.test.ts checks those through the command).
 */
import { describe, expect, it } from "vitest";
import { progressBar, type ProgressStream } from "../tools/flash/flashCommand.ts";
import type { FlashProgress } from "../tools/flash/flash.ts";

function fakeStream(tty: boolean, columns?: number): ProgressStream & { writes: string[] } {
  const writes: string[] = [];
  return { isTTY: tty, columns, writes, write: (text: string) => writes.push(text) };
}

/** A flash of `total` bytes in chunks of `chunk`, as flash.ts reports it (one resend at the second chunk). */
function flashOf(total: number, chunk: number): FlashProgress[] {
  const steps: FlashProgress[] = [{ phase: "connect", sent: 0, total: 0, retransmissions: 0 }, { phase: "upload", sent: 0, total, retransmissions: 0 }];
  for (let sent = chunk, resent = 0; sent < total + chunk; sent += chunk) {
    if (sent === 2 * chunk) resent = 1;
    steps.push({ phase: "upload", sent: Math.min(sent, total), total, retransmissions: resent });
  }
  for (const phase of ["verify", "switch", "restart"] as const) steps.push({ phase, sent: total, total, retransmissions: 1 });
  return steps;
}

describe("the progress bar on a terminal", () => {
  it("redraws one line with \\r, fills up to 100%, then ends the line before the next phase", () => {
    const stream = fakeStream(true, 100);
    const bar = progressBar(stream);
    for (const p of flashOf(5000, 1024)) bar(p);
    const uploads = stream.writes.filter((w) => w.startsWith("\r"));
    expect(uploads).toHaveLength(6); // 0 bytes, then once per packet (the last one short)
    expect(uploads.every((w) => !w.includes("\n"))).toBe(true);
    expect(uploads[0]).toBe(`\r  uploading [${".".repeat(30)}]   0%  0/5000 bytes`);
    expect(uploads.at(-1)).toBe(`\r  uploading [${"#".repeat(30)}] 100%  5000/5000 bytes, 1 resent`);
    // Filled columns never go back.
    const filled = uploads.map((w) => (/\[(#*)/.exec(w)?.[1] ?? "").length);
    expect(filled).toEqual([...filled].sort((a, b) => a - b));
    // The bar's line is ended once, before "verifying": the phases after it are lines of their own.
    const after = stream.writes.slice(stream.writes.indexOf(uploads.at(-1)!) + 1);
    expect(after).toEqual(["\n", "  verifying\n", "  switching the boot code\n", "  restarting\n"]);
    expect(stream.writes[0]).toBe("  connecting\n");
  });

  it("fits the terminal's width (a wrapped line would break the redraw): a shorter bar, then the percentage alone", () => {
    for (const columns of [80, 60, 50, 30]) {
      const stream = fakeStream(true, columns);
      const bar = progressBar(stream);
      for (const p of flashOf(123456, 8191)) bar(p);
      const uploads = stream.writes.filter((w) => w.startsWith("\r"));
      for (const w of uploads) expect(w.length - 1, `${JSON.stringify(w)} on ${columns} columns`).toBeLessThan(columns);
      expect(uploads.at(-1)).toMatch(columns >= 80 ? /^\r {2}uploading \[#+\] 100% {2}123456\/123456 bytes, 1 resent$/ : /^\r {2}uploading \[#+\] 100%$/);
    }
  });

  it("a log line in the middle of the upload ends the bar's line first", () => {
    const stream = fakeStream(true, 80);
    const bar = progressBar(stream);
    bar({ phase: "upload", sent: 512, total: 1024, retransmissions: 0 });
    bar.interrupt();
    bar.interrupt(); // nothing drawn since: nothing to end
    expect(stream.writes).toEqual([`\r  uploading [${"#".repeat(15)}${".".repeat(15)}]  50%  512/1024 bytes`, "\n"]);
  });
});

describe("the progress lines elsewhere", () => {
  it("writes whole lines at each quarter, never \\r", () => {
    const stream = fakeStream(false);
    const bar = progressBar(stream);
    for (const p of flashOf(4096, 512)) bar(p);
    expect(stream.writes.some((w) => w.includes("\r"))).toBe(false);
    expect(stream.writes.filter((w) => w.includes("uploading "))).toEqual([
      "  uploading 0% (0/4096 bytes)\n",
      "  uploading 25% (1024/4096 bytes)\n",
      "  uploading 50% (2048/4096 bytes)\n",
      "  uploading 75% (3072/4096 bytes)\n",
      "  uploading 100% (4096/4096 bytes)\n",
    ]);
  });
});
