/** The `sim` platform's components, which `#platform` resolves to. */
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
