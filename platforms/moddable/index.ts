/**
 * The `moddable` platform's components, which `#platform` resolves to:
 * ECMA-419 IO and Moddable's Timer on the XS engine (ESP32 boards). Besides
 * what every platform provides (PlatformApi.ts): the serial port
 * (PlatformUartC), the user button (UserButtonC), analog inputs
 * (PlatformSensorC). No radio yet (PlatformRadioC is left out: an
 * application that needs one does not build for moddable).
 */
import type { PlatformComponents } from "../PlatformApi.ts";
import { AlarmMilli32C } from "./AlarmMilli32C.ts";
import { DebugC } from "./DebugC.ts";
import { McuSleepC } from "./McuSleepC.ts";
import { NodeIdC } from "./NodeIdC.ts";
import { PlatformC } from "./PlatformC.ts";
import { PlatformLedsC } from "./PlatformLedsC.ts";
import { PlatformSensorC } from "./PlatformSensorC.ts";
import { PlatformUartC } from "./PlatformUartC.ts";

export { AlarmMilli32C, DebugC, McuSleepC, NodeIdC, PlatformC, PlatformLedsC, PlatformSensorC, PlatformUartC };
export { UserButtonC } from "./UserButtonC.ts";
export type Conforms = typeof conforms;
const conforms: PlatformComponents = { AlarmMilli32C, DebugC, McuSleepC, NodeIdC, PlatformC, PlatformLedsC, PlatformSensorC, PlatformUartC };
