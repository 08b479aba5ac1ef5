/**
 * Views of a message's payload past a layer's header, for `getPayload` and
 * `Receive` (the collection payload starts 8 bytes into the AM payload).
 * A view is made the first time a buffer is seen at an offset and kept on
 * the buffer, so a fixed population of buffers (the ones made at start and
 * swapped around) costs a fixed number of views: nothing per packet.
 *
 * Image code: keep to the Espruino dialect.
 */
import { FOOTER, HEADER_SIZE, type Message } from "../message/Message.ts";

/** A message that carries its views, offset to view. */
type ViewedMessage = Message & { layerViews?: Record<number, Uint8Array> };

/** The payload of `msg` from `offset` bytes into its AM payload, to the end of the data area. */
export function payloadView(msg: Message, offset: number): Uint8Array {
  const m = msg as ViewedMessage;
  let views = m.layerViews;
  if (views === undefined) {
    views = {};
    m.layerViews = views;
  }
  let v = views[offset];
  if (v === undefined) {
    v = msg.bytes.subarray(HEADER_SIZE + offset, FOOTER); // the data area ends where the platform's footer starts
    views[offset] = v;
  }
  return v;
}
