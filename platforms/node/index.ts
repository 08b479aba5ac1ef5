/**
 * The `node` platform's components. A host-process mote talks to the same
 * MoteHost contract as a simulated one; only the host behind it differs
 * (platforms/node/NodeHost.ts: wall-clock timers, LEDs on the terminal).
 */
export {
  AlarmMilli32C,
  DebugC,
  McuSleepC,
  NodeIdC,
  PlatformC,
  PlatformLedsC,
  PlatformRadioC,
  PlatformSensorC,
  PlatformUartC,
} from "../sim/index.ts";
