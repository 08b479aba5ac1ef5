import { array, defineMessage, type MessageType, u16 } from "../message/TypedMessage.ts";

/** Readings per message (Oscilloscope.h's NREADINGS). */
export const NREADINGS = 10;

/** Default sampling period in (TinyOS) milliseconds (Oscilloscope.h's DEFAULT_INTERVAL). */
export const DEFAULT_INTERVAL = 256;

/**
 * TinyOS's Oscilloscope message (apps/Oscilloscope/Oscilloscope.h), AM type
 * 0x93 (AM_OSCILLOSCOPE), 28 bytes:
 *
 * ```c
 * typedef nx_struct oscilloscope {
 *   nx_uint16_t version;  // version of the interval (the PC bumps it to change the interval)
 *   nx_uint16_t interval; // sampling period, ms
 *   nx_uint16_t id;       // the mote that sampled
 *   nx_uint16_t count;    // how many messages it has sent (10 readings each)
 *   nx_uint16_t readings[NREADINGS];
 * } oscilloscope_t;
 * ```
 *
 * The one declaration: the mote uses its accessors, the PC (tools/serial,
 * the base station) decodes and encodes with it.
 */
export const OscilloscopeMsg = defineMessage("OscilloscopeMsg", 0x93, {
  version: u16,
  interval: u16,
  id: u16,
  count: u16,
  readings: array(u16, NREADINGS),
});

/** A decoded Oscilloscope message (host side). */
export type OscilloscopeReading = MessageType<typeof OscilloscopeMsg>;
