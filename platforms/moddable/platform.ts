import type { PlatformDescription } from "../PlatformDescription.ts";
import { DEFAULT_MODDABLE_BOARD, MODDABLE_BOARDS } from "./boards.ts";
import { MODDABLE_HOST_PROPERTIES } from "./ModdableApi.ts";
import { writeModdableProject } from "./project.ts";

export const description: PlatformDescription = {
  name: "moddable",
  summary: "Moddable XS on ESP32 (ECMA-419 IO, Moddable Timer); writes a Moddable project beside the image for mcconfig",
  target: ["es2022"],
  start: "",
  hostDriven: false,
  hostProperties: MODDABLE_HOST_PROPERTIES,
  boards: MODDABLE_BOARDS,
  defaultBoard: DEFAULT_MODDABLE_BOARD,
  writeProject: writeModdableProject,
};
