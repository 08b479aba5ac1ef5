/**
 * The type checker rejects miswired and incomplete components.
 *
 * Runs the real `tsc` once over test/fixtures/type-errors (which the project's
 * own tsconfig excludes) and checks each fixture against its markers:
 *
 * - `// @expect-error TS2322` (one or more codes): tsc must report an error on
 *   that line, and only errors with the listed codes;
 * - `// @known-gap`: a line the types ought to reject but currently accept; the
 *   test asserts it is still accepted, so closing the gap fails it and prompts
 *   turning the marker into `@expect-error`;
 * - every other line of every fixture must be free of errors, so a fixture
 *   without markers (ok.ts, common.ts) is a positive control.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const FIXTURES = path.join(ROOT, "test", "fixtures", "type-errors");
const TSCONFIG = path.join(FIXTURES, "tsconfig.json");
const TSC = path.join(ROOT, "node_modules", ".bin", process.platform === "win32" ? "tsc.cmd" : "tsc");

interface Diagnostic {
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
}

interface Fixture {
  name: string;
  file: string;
  /** Line number to the codes tsc must report there. */
  expected: Map<number, string[]>;
  /** Lines the types should reject but do not yet. */
  gaps: Set<number>;
}

const EXPECT = /\/\/\s*@expect-error((?:\s+TS\d+)+)\s*$/;
const GAP = /\/\/\s*@known-gap\s*$/;

function readFixture(name: string): Fixture {
  const file = path.join(FIXTURES, name);
  const fixture: Fixture = { name, file, expected: new Map(), gaps: new Set() };
  readFileSync(file, "utf8")
    .split(/\r?\n/)
    .forEach((text, i) => {
      const line = i + 1;
      const expected = EXPECT.exec(text);
      if (expected) fixture.expected.set(line, expected[1].trim().split(/\s+/));
      else if (GAP.test(text)) fixture.gaps.add(line);
      else if (/\/\/\s*@(expect|known)/.test(text)) throw new Error(`${name}:${line}: malformed marker: ${text.trim()}`);
    });
  return fixture;
}

const fixtures = readdirSync(FIXTURES)
  .filter((name) => name.endsWith(".ts"))
  .sort()
  .map(readFixture);

const DIAGNOSTIC = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/;

let output = "";
let diagnostics: Diagnostic[] = [];
/** Lines of tsc's output that are neither file names nor located diagnostics (e.g. config errors). */
let otherErrors: string[] = [];
let programFiles = new Set<string>();

beforeAll(() => {
  const result = spawnSync(TSC, ["--noEmit", "--pretty", "false", "--listFiles", "-p", TSCONFIG], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (result.error) throw result.error;
  output = `${result.stdout}${result.stderr}`;
  for (const line of output.split(/\r?\n/)) {
    const match = DIAGNOSTIC.exec(line);
    if (match) {
      diagnostics.push({
        file: path.resolve(ROOT, match[1]),
        line: Number(match[2]),
        column: Number(match[3]),
        code: match[4],
        message: match[5],
      });
    } else if (/^error TS\d+:/.test(line)) {
      otherErrors.push(line);
    } else if (line.trim() !== "" && !/^\s/.test(line)) {
      programFiles.add(path.resolve(ROOT, line.trim()));
    }
  }
});

const show = (ds: readonly Diagnostic[]) =>
  ds.map((d) => `${path.relative(ROOT, d.file)}(${d.line},${d.column}): ${d.code}: ${d.message}`).join("\n");

describe("the type checker rejects miswired and incomplete components", () => {
  it("checks every fixture, with no configuration errors", () => {
    expect(otherErrors, output).toEqual([]);
    const missing = fixtures.filter((f) => !programFiles.has(f.file)).map((f) => f.name);
    expect(missing, "fixtures tsc did not check").toEqual([]);
    // A sanity floor: the suite is about errors, so most fixtures expect some.
    expect(fixtures.filter((f) => f.expected.size > 0).length).toBeGreaterThanOrEqual(20);
    expect(fixtures.some((f) => f.name === "ok.ts")).toBe(true);
  });

  it("reports no errors in the project files the fixtures import", () => {
    const elsewhere = diagnostics.filter((d) => path.dirname(d.file) !== FIXTURES);
    expect(show(elsewhere)).toBe("");
  });

  for (const fixture of fixtures) {
    const kind =
      fixture.expected.size > 0
        ? "rejects"
        : fixture.gaps.size > 0
          ? "has no errors outside its known gaps:"
          : "accepts (positive control)";
    it(`${kind} ${fixture.name}`, () => {
      const mine = diagnostics.filter((d) => d.file === fixture.file);
      for (const [line, codes] of fixture.expected) {
        const here = mine.filter((d) => d.line === line);
        expect(
          here.map((d) => d.code),
          `${fixture.name}:${line} should fail with ${codes.join(" ")}; tsc reported:\n${show(here) || "(nothing)"}`,
        ).toEqual(expect.arrayContaining(codes));
        const unexpected = here.filter((d) => !codes.includes(d.code));
        expect(show(unexpected), `${fixture.name}:${line}: errors with other codes than ${codes.join(" ")}`).toBe("");
      }
      const unmarked = mine.filter((d) => !fixture.expected.has(d.line) && !fixture.gaps.has(d.line));
      expect(show(unmarked), `${fixture.name}: errors on unmarked lines`).toBe("");
    });

    for (const line of fixture.gaps) {
      it(`known gap, still accepted: ${fixture.name}:${line}`, () => {
        const here = diagnostics.filter((d) => d.file === fixture.file && d.line === line);
        expect(
          show(here),
          `${fixture.name}:${line} is now rejected: the gap is closed, mark the line \`// @expect-error ${here
            .map((d) => d.code)
            .join(" ")}\``,
        ).toBe("");
      });
    }
  }
});
