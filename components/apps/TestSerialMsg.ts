import { defineMessage, u16 } from "../message/TypedMessage.ts";

/** TinyOS's test_serial_msg_t: `nx_struct { nx_uint16_t counter; }`, AM type 0x89 (AM_TEST_SERIAL_MSG). */
export const TestSerialMsg = defineMessage("TestSerialMsg", 0x89, { counter: u16 });
