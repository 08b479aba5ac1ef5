/**
 * The `espruino` platform's components, which `#platform` resolves to.
 * Besides what every platform provides (PlatformApi.ts), Espruino boards
 * offer the serial port (PlatformUartC), the user button (UserButtonC),
 * sensors by channel (PlatformSensorC) and by name (TemperatureC,
 * LightSensorC, AnalogReadC) and, on nRF52 boards, the BLE advertising
 * radio (PlatformRadioC; the build refuses it for boards without BLE).
 */
import type { PlatformComponents } from "../PlatformApi.ts";
import { AlarmMilli32C } from "./AlarmMilli32C.ts";
import { DebugC } from "./DebugC.ts";
import { McuSleepC } from "./McuSleepC.ts";
import { NodeIdC } from "./NodeIdC.ts";
import { PlatformC } from "./PlatformC.ts";
import { PlatformLedsC } from "./PlatformLedsC.ts";
import { PlatformRadioC } from "./PlatformRadioC.ts";
import { PlatformSensorC } from "./PlatformSensorC.ts";
import { PlatformUartC } from "./PlatformUartC.ts";

export { AlarmMilli32C, DebugC, McuSleepC, NodeIdC, PlatformC, PlatformLedsC, PlatformRadioC, PlatformSensorC, PlatformUartC };
export { AnalogReadC } from "./AnalogReadC.ts";
export { LightSensorC } from "./LightSensorC.ts";
export { TemperatureC } from "./TemperatureC.ts";
export { UserButtonC } from "./UserButtonC.ts";
export type Conforms = typeof conforms;
const conforms: PlatformComponents = {
  AlarmMilli32C,
  DebugC,
  McuSleepC,
  NodeIdC,
  PlatformC,
  PlatformLedsC,
  PlatformRadioC,
  PlatformSensorC,
  PlatformUartC,
};
