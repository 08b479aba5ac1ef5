import type { Diagnostic, SourceLocation } from "../tools/build/diagnostics.ts";

/** One board of a platform: what the build checks an image against. */
export interface BoardDescription {
  readonly name: string;
  readonly summary: string;
  /** Memory the image may use at boot, in the platform's unit (Espruino: JsVars). */
  readonly memoryBudget?: number;
  /**
   * Build-time sizes this board lowers (TinyOS: a small platform's own
   * `#define FORWARD_COUNT 4`), by name: only names the build knows
   * (build.ts BUILD_SIZES). A configuration's own declaration wins.
   */
  readonly defines?: Readonly<Record<string, number>>;
  /** Anything else the platform's HAL or flasher needs (pins, LEDs, console, baud). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** What a platform's image check sees. */
export interface ImageCheckInput {
  /** The bundled image before pruning and minifying, as the engine will run it (lowered). */
  readonly code: string;
  /** Where a position in `code` came from in the TypeScript sources (1-based line and column). */
  readonly locate: (line: number, column: number) => SourceLocation | undefined;
  /** The image as it will be written (minified). */
  readonly image: string;
  readonly modules: number;
  readonly board: BoardDescription | undefined;
}

/** A check's findings, and figures for the build report (e.g. estimated JsVars). */
export interface ImageCheckResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly figures?: Readonly<Record<string, number>>;
}

/** What a platform's project writer gets: the image the build has just written, and where. */
export interface ProjectInput {
  /** The directory the image was written to. */
  readonly outDir: string;
  /** The application's name (the image is `<outDir>/<app>.js`). */
  readonly app: string;
  readonly imageFile: string;
  /** The image as written (minified). */
  readonly image: string;
  readonly board: BoardDescription | undefined;
}

/** What the build needs to know of a platform besides its HAL components. */
export interface PlatformDescription {
  readonly name: string;
  /** One line for `mote build --help` and the "unknown platform" message. */
  readonly summary: string;
  /** esbuild targets the image must run on. */
  readonly target: readonly string[];
  /** esbuild `supported` overrides: features to lower (false) for this engine. */
  readonly supported?: Readonly<Record<string, boolean>>;
  /** Code appended after the image: how the board starts the mote (empty for host-driven platforms). */
  readonly start: string;
  /**
   * Whether a host loads the image and calls `mote(host)` itself (sim, node,
   * XS runner). Otherwise the image starts its one mote as it loads, and its
   * HAL modules use the engine's own globals (Espruino, Moddable).
   */
  readonly hostDriven: boolean;
  /**
   * Property names of objects from outside the image (the host, the
   * engine's own API) that the image uses. The build shortens interface and
   * function names in the image and must leave these alone.
   */
  readonly hostProperties: readonly string[];
  /** The platform's boards, by name (`mote build --board`). */
  readonly boards?: Readonly<Record<string, BoardDescription>>;
  readonly defaultBoard?: string;
  /** Bytes of message_t's footer for this platform's radio (default 0: the radio checks its own CRC, as the CC2420 does). */
  readonly messageFooterSize?: number;
  /**
   * Checks the image for what this engine cannot run or hold (dialect,
   * memory); errors refuse the build, naming the source file and line.
   */
  readonly checkImage?: (input: ImageCheckInput) => ImageCheckResult;
  /**
   * Writes what the platform's own tools need beside the image (Moddable: a
   * project directory with manifest.json and main.js for mcconfig) and
   * returns the files written. The build calls it right after writing the
   * image file (never when it writes nothing).
   */
  readonly writeProject?: (input: ProjectInput) => readonly string[];
}
