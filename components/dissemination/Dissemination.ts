/**
 * Dissemination's numbers and wire formats (TEP 118; TinyOS
 * tos/lib/net/drip/DisseminationEngine.h), byte for byte as Drip sends them.
 *
 *   AM 0x60 dissemination_message_t: key u16 | seqno u32 | data...
 *   AM 0x61 dissemination_probe_message_t: key u16
 *
 * A seqno's top 16 bits count changes, its low 16 bits are the node that
 * made the change; 0 means "no value yet". Newer wins by 32-bit serial
 * arithmetic.
 *
 * Image code: keep to the Espruino dialect.
 */
import { defineMessage, u16, u32 } from "../message/TypedMessage.ts";

export const AM_DISSEMINATION_MESSAGE = 0x60;
export const AM_DISSEMINATION_PROBE_MESSAGE = 0x61;
export const DISSEMINATION_SEQNO_UNKNOWN = 0;

export const DISSEMINATION_HEADER_SIZE = 6;
export const DISSEMINATION_KEY = 0;
export const DISSEMINATION_SEQNO = 2;

/** The `unique()` key numbering disseminated values. */
export const UQ_DISSEMINATOR = "DisseminatorC.Value";

/** Trickle bounds for each value, ms: from about a second doubling to about 17 minutes (Drip's 1..1024 s). */
export const DISSEMINATION_TAU_LOW = 1024;
export const DISSEMINATION_TAU_HIGH = 1024 * 1024;

/** The message header, for host tools (images use the offsets above). */
export const DisseminationMessageHeader = defineMessage("DisseminationMessageHeader", AM_DISSEMINATION_MESSAGE, {
  key: u16,
  seqno: u32,
});
