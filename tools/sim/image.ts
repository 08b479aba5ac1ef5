/**
 * Loading an image built for a host-driven platform (sim, node): the image
 * text defines `mote`, a factory that starts one mote per call.
 */
import { readFileSync } from "node:fs";
import type { MoteHost } from "../../platforms/sim/MoteHost.ts";

export type ImageFactory = (host: MoteHost) => void;

/** Evaluates image text once; the factory it returns can start any number of motes. */
export function loadImageText(text: string, name = "image"): ImageFactory {
  const scope: { mote?: ImageFactory } = {};
  new Function("globalThis", `${text}\n//# sourceURL=${name}`)(scope);
  if (typeof scope.mote !== "function") {
    throw new Error(`${name} does not define a mote factory; was it built for the sim or node platform?`);
  }
  return scope.mote;
}

export function loadImageFile(file: string): ImageFactory {
  return loadImageText(readFileSync(file, "utf8"), file);
}
