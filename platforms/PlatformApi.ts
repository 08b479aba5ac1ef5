/**
 * What every platform provides to the platform-independent components, who
 * import these by the name `#platform`. The build resolves `#platform` to
 * `platforms/<name>/index.ts`; the type checker sees these declarations, and
 * each platform's index proves it matches them.
 */
import type { ConfigurationComponent, GenericConfigurationComponent } from "../components/mote.ts";
import type { Debug } from "../components/interfaces/Debug.ts";
import type { Alarm } from "../components/interfaces/Alarm.ts";
import type { Leds } from "../components/interfaces/Leds.ts";
import type { Init } from "../components/interfaces/Init.ts";
import type { McuSleep } from "../components/interfaces/McuSleep.ts";
import type { NodeId } from "../components/interfaces/NodeId.ts";
import type { PacketLink } from "../components/interfaces/PacketLink.ts";
import type { Read } from "../components/interfaces/Read.ts";
import type { SplitControl } from "../components/interfaces/SplitControl.ts";
import type { UartStream } from "../components/interfaces/UartStream.ts";

/** `Read<number>`, the interface of a sensor channel. */
type ReadNumber = ReturnType<typeof Read<number>>;

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
  // The devices below are optional: a board without a radio, a UART or sensors leaves them out
  // (an application that uses one then fails to build for that board, naming the component).

  /** The radio below Active Messages: frames with link-layer acknowledgements, and its power switch. */
  PlatformRadioC?: ConfigurationComponent<{
    readonly provides: { readonly PacketLink: typeof PacketLink; readonly SplitControl: typeof SplitControl };
  }>;
  /** The serial port as a byte stream. */
  PlatformUartC?: ConfigurationComponent<{ readonly provides: { readonly UartStream: typeof UartStream } }>;
  /** Sensor `channel` (0 light, 1 temperature, others per platform): `c.new(PlatformSensorC, channel)`. */
  PlatformSensorC?: GenericConfigurationComponent<[channel: number], { readonly provides: { readonly Read: ReadNumber } }>;
}

export declare const PlatformC: PlatformComponents["PlatformC"];
export declare const AlarmMilli32C: PlatformComponents["AlarmMilli32C"];
export declare const PlatformLedsC: PlatformComponents["PlatformLedsC"];
export declare const McuSleepC: PlatformComponents["McuSleepC"];
export declare const NodeIdC: PlatformComponents["NodeIdC"];
export declare const DebugC: PlatformComponents["DebugC"];
export declare const PlatformRadioC: NonNullable<PlatformComponents["PlatformRadioC"]>;
export declare const PlatformUartC: NonNullable<PlatformComponents["PlatformUartC"]>;
export declare const PlatformSensorC: NonNullable<PlatformComponents["PlatformSensorC"]>;
