import type { Diagnostic } from "../../tools/build/diagnostics.ts";
import type { ImageCheckInput, ImageCheckResult, PlatformDescription } from "../PlatformDescription.ts";
import { DEFAULT_ESPRUINO_BOARD, ESPRUINO_BOARDS, espruinoDetails } from "./boards.ts";
import { dialectDiagnostics, findDialectViolations } from "./dialect.ts";
import { ESPRUINO_HOST_PROPERTIES } from "./EspruinoApi.ts";
import { estimateJsVars, ImageStartError } from "./jsvars.ts";
import { SHIM_BOARDS } from "../../tools/espruino/shim.ts";

/**
 * What esbuild lowers for Espruino (see espruino-dialect.md for what fails):
 * `?.`, `**`, object spread, logical assignment (`||=`, not measured on
 * Espruino, so lowered), `catch {}` without a binding, class static blocks.
 * Kept as written, because Espruino runs them: arrow functions,
 * `const`/`let`, classes, template literals, `??`, `for…of`.
 *
 * What esbuild cannot lower (destructuring, default and rest parameters,
 * spread in arrays and calls, generators, async functions) is NOT switched
 * off here: esbuild refuses such syntax for a whole file, even in functions
 * the image never contains (components/mote.ts's `command(...combine)` runs
 * only at build time, and would stop every build). platforms/espruino/
 * dialect.ts refuses it instead, in the code that reaches the image, with
 * the TypeScript file and line from the image's source map.
 */
export const ESPRUINO_SUPPORTED: Readonly<Record<string, boolean>> = {
  "optional-chain": false,
  "exponent-operator": false,
  "object-rest-spread": false,
  "logical-assignment": false,
  "optional-catch-binding": false,
  "class-static-blocks": false,
};

/** The dialect, the board's radio, and the JsVars the image holds once started. */
export function checkEspruinoImage(input: ImageCheckInput): ImageCheckResult {
  const diagnostics: Diagnostic[] = dialectDiagnostics(input.code, input.locate);
  if (diagnostics.length === 0) {
    // The minifier must not bring back what the bundle did without; if it did, say where in the image.
    diagnostics.push(...dialectDiagnostics(input.image, undefined, "the minified image"));
  }
  if (diagnostics.length > 0) return { diagnostics };
  const board = input.board;
  const details = board ? espruinoDetails(board) : undefined;
  if (board && details && !details.ble && /\bNRF\b/.test(input.image)) {
    return {
      diagnostics: [
        {
          severity: "error",
          message: `the image uses the BLE radio (NRF), which board ${board.name} does not have; build for an nRF52 board (puckjs, mdbt42q)`,
        },
      ],
    };
  }
  let estimate;
  try {
    estimate = estimateJsVars(input.image, {
      charsPerJsVar: details?.charsPerJsVar ?? 9,
      jsVarBytes: details?.jsVarBytes ?? 13,
      board: board && SHIM_BOARDS[board.name] ? board.name : "test",
    });
  } catch (e) {
    if (e instanceof ImageStartError) return { diagnostics: [{ severity: "error", message: e.message }] };
    throw e;
  }
  const figures: Record<string, number> = {
    jsVarsAtBoot: estimate.total,
    jsVarsAtBootCodeInRam: estimate.totalCodeInRam,
  };
  if (board?.memoryBudget !== undefined) {
    figures.jsVarsBudget = board.memoryBudget;
    if (estimate.total > board.memoryBudget) {
      const b = estimate.breakdown;
      diagnostics.push({
        severity: "error",
        message:
          `the image needs about ${estimate.total} JsVars once started, over the budget of ${board.memoryBudget} on ${board.name}` +
          (details ? ` (${details.jsVars} JsVars, ${details.reservedJsVars} kept for the interpreter and events)` : "") +
          `: functions ${b.functions}, objects ${b.objects}, arrays ${b.arrays}, kept scopes ${b.scopes}, typed arrays ${b.typedArrays} (${estimate.typedArrayBytes} bytes)` +
          "; shrink buffers and pools, or build for a bigger board",
      });
    }
  }
  return { diagnostics, figures };
}

export const description: PlatformDescription = {
  name: "espruino",
  summary: "Espruino boards (Puck.js, Pico, MDBT42Q, ESP32...): the image runs on Espruino's interpreter from Storage",
  target: ["es2020"],
  supported: ESPRUINO_SUPPORTED,
  start: "",
  hostDriven: false,
  hostProperties: ESPRUINO_HOST_PROPERTIES,
  boards: ESPRUINO_BOARDS,
  defaultBoard: DEFAULT_ESPRUINO_BOARD,
  checkImage: checkEspruinoImage,
};

export { findDialectViolations };
