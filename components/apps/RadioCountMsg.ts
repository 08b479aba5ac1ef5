import { defineMessage, u16 } from "../message/TypedMessage.ts";

/** TinyOS's radio_count_msg_t: `nx_struct { nx_uint16_t counter; }`, AM type 6 (AM_RADIO_COUNT_MSG). */
export const RadioCountMsg = defineMessage("RadioCountMsg", 6, { counter: u16 });
