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
  /** Whether a host loads the image and calls `mote(host)` itself (sim, node, XS runner). */
  readonly hostDriven: boolean;
  /**
   * Property names of objects from outside the image (the host, the
   * engine's own API) that the image uses. The build shortens interface and
   * function names in the image and must leave these alone.
   */
  readonly hostProperties: readonly string[];
}
