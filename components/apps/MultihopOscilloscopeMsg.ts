import { array, defineMessage, u16 } from "../message/TypedMessage.ts";

/** Readings per message (MultihopOscilloscope.h NREADINGS; TinyOS 2.1's value, 5). */
export const NREADINGS = 5;
/** The sampling period a mote starts with, ms (DEFAULT_INTERVAL). */
export const DEFAULT_INTERVAL = 1024;
/** AM_OSCILLOSCOPE: the collection id of the readings and the AM type of the serial frames. */
export const AM_OSCILLOSCOPE = 0x93;
/** The dissemination key of the sampling interval (our addition: TinyOS's app spreads it by overhearing only). */
export const OSCILLOSCOPE_INTERVAL_KEY = 0x0093;

/**
 * TinyOS's oscilloscope_t as MultihopOscilloscope declares it:
 * `nx_struct { nx_uint16_t version, interval, id, count; nx_uint16_t readings[NREADINGS]; }`,
 * 18 bytes. Readings `count * NREADINGS` onwards; a failed read is 0xFFFF.
 */
export const MultihopOscilloscopeMsg = defineMessage("MultihopOscilloscopeMsg", AM_OSCILLOSCOPE, {
  version: u16,
  interval: u16,
  id: u16,
  count: u16,
  readings: array(u16, NREADINGS),
});
