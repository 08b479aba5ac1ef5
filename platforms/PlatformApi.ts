/**
 * What every platform provides to the platform-independent components, who
 * import these by the name `#platform`. The build resolves `#platform` to
 * `platforms/<name>/index.ts`; the type checker sees these declarations, and
 * each platform's index proves it matches them.
 */
import type { ConfigurationComponent } from "../components/mote.ts";
import type { Debug } from "../components/interfaces/Debug.ts";
import type { Alarm } from "../components/interfaces/Alarm.ts";
import type { Leds } from "../components/interfaces/Leds.ts";
import type { Init } from "../components/interfaces/Init.ts";
import type { McuSleep } from "../components/interfaces/McuSleep.ts";
import type { NodeId } from "../components/interfaces/NodeId.ts";

export interface PlatformComponents {
  /** Platform initialization, run before software init (TEP 107). */
  PlatformC: ConfigurationComponent<{ readonly provides: { readonly Init: typeof Init } }>;
  /** The one 32-bit millisecond alarm; it runs the task loop after firing. */
  AlarmMilli32C: ConfigurationComponent<{ readonly provides: { readonly Alarm: typeof Alarm } }>;
  /** The three LEDs (a board platform typically builds it from LedsP over three GeneralIO pins). */
  PlatformLedsC: ConfigurationComponent<{ readonly provides: { readonly Leds: typeof Leds } }>;
  /** Sleep until the next interrupt. */
  McuSleepC: ConfigurationComponent<{ readonly provides: { readonly McuSleep: typeof McuSleep } }>;
  /** This mote's id. */
  NodeIdC: ConfigurationComponent<{ readonly provides: { readonly NodeId: typeof NodeId } }>;
  /** Debug channels (TinyOS `dbg`): recorded by the simulator, nothing on boards. */
  DebugC: ConfigurationComponent<{ readonly provides: { readonly Debug: typeof Debug } }>;
}

export declare const PlatformC: PlatformComponents["PlatformC"];
export declare const AlarmMilli32C: PlatformComponents["AlarmMilli32C"];
export declare const PlatformLedsC: PlatformComponents["PlatformLedsC"];
export declare const McuSleepC: PlatformComponents["McuSleepC"];
export declare const NodeIdC: PlatformComponents["NodeIdC"];
export declare const DebugC: PlatformComponents["DebugC"];
