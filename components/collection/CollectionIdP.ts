import { genericModule } from "../mote.ts";
import { CollectionId } from "../interfaces/CollectionId.ts";

/** A collection sender client's collection id (TinyOS CollectionIdP): `c.new(CollectionIdP, 0x93)`. */
export const CollectionIdP = genericModule(
  "CollectionIdP",
  (_collectId: number) => ({ provides: { CollectionId } }),
  (_c, _host, collectId) => ({
    CollectionId: { fetch: () => collectId },
  }),
);
