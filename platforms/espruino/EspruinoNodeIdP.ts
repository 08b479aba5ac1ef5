import { module } from "../../components/mote.ts";
import { NodeId } from "../../components/interfaces/NodeId.ts";
import type { EspruinoGlobal } from "./EspruinoApi.ts";

declare const global: EspruinoGlobal;

/** The Storage file holding this board's node id, written by `mote flash`. */
export const NODE_ID_FILE = ".motenode";

/**
 * TOS_NODE_ID from the board's Storage: the JSON file `.motenode` holds the
 * id (a number, e.g. `7`), written when the board is flashed
 * (`require("Storage").write(".motenode", "7")`). Read once as the image
 * starts; 1 when the file is missing or not a positive number.
 * (`global.require`, not `require`: the bundler would try to bundle a
 * module named "Storage".)
 */
export const EspruinoNodeIdP = module("EspruinoNodeIdP", { provides: { NodeId } }, () => {
  const stored = global.require("Storage").readJSON(NODE_ID_FILE, true);
  // Missing (undefined) or anything that is not a positive number compares false: the default id.
  const id = (stored as number) > 0 ? (stored as number) & 0xffff : 1;
  return { NodeId: { get: () => id } };
});
