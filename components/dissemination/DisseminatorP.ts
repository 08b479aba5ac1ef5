import { genericModule } from "../mote.ts";
import { DisseminationCache } from "../interfaces/DisseminationCache.ts";
import { DisseminationUpdate } from "../interfaces/DisseminationUpdate.ts";
import { DisseminationValue } from "../interfaces/DisseminationValue.ts";
import { NodeId } from "../interfaces/NodeId.ts";
import { DISSEMINATION_SEQNO_UNKNOWN } from "./Dissemination.ts";

/**
 * One disseminated value (TinyOS DisseminatorP): an unsigned number of
 * `size` bytes (1, 2 or 4), big-endian on the air, and its version. A local
 * `change` makes a newer version (the change count in the top 16 bits, this
 * node's id in the low 16) and tells the engine; a newer version from the
 * network replaces the value and signals `changed`.
 */
export const DisseminatorP = genericModule(
  "DisseminatorP",
  (_size: number, _key: number) => ({
    provides: {
      DisseminationValue: DisseminationValue<number>(),
      DisseminationUpdate: DisseminationUpdate<number>(),
      DisseminationCache,
    },
    uses: { NodeId },
  }),
  (c, _host, size, key) => {
    const mask = size >= 4 ? 0xffffffff : size === 2 ? 0xffff : 0xff;
    let value = 0;
    let seqno = DISSEMINATION_SEQNO_UNKNOWN;
    const clip = (v: number) => (size >= 4 ? v >>> 0 : v & mask);
    return {
      DisseminationValue: {
        get: () => value,
        set(v) {
          value = clip(v);
        },
      },
      DisseminationUpdate: {
        change(v) {
          value = clip(v);
          let counter = ((seqno >>> 16) + 1) & 0xffff;
          if (counter === DISSEMINATION_SEQNO_UNKNOWN) counter = 1;
          seqno = ((counter << 16) | (c.NodeId.get() & 0xffff)) >>> 0;
          c.DisseminationCache.newData();
        },
      },
      DisseminationCache: {
        key: () => key,
        requestSeqno: () => seqno,
        requestData(buf, offset, max) {
          const n = size < max ? size : max;
          for (let i = 0; i < n; i++) buf[offset + i] = (value >>> (8 * (size - 1 - i))) & 255;
          return n;
        },
        storeData(buf, offset, len, newSeqno) {
          let v = 0;
          const n = len < size ? len : size;
          for (let i = 0; i < n; i++) v = v * 256 + buf[offset + i]!;
          value = clip(v);
          seqno = newSeqno >>> 0;
          c.DisseminationValue.changed();
        },
      },
    };
  },
);
