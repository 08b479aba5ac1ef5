import { genericModule } from "../../components/mote.ts";
import { EBUSY, EOFF, SUCCESS } from "../../components/TinyError.ts";
import { Read } from "../../components/interfaces/Read.ts";
import type { EspruinoE, EspruinoGlobal, EspruinoPin } from "./EspruinoApi.ts";

declare const global: EspruinoGlobal;
declare const E: EspruinoE;
declare const analogRead: (pin: EspruinoPin) => number;

/**
 * Sensor channels, as PlatformSensorC numbers them. Channel 0 is the
 * board's demo sensor (TinyOS's DemoSensorC, what the Oscilloscope apps
 * read): light where the board has it, else the temperature, which every
 * nRF52 and STM32 board has; the light sensor alone (LightSensorC) is
 * SENSOR_LIGHT.
 */
export const SENSOR_DEMO = 0;
export const SENSOR_TEMPERATURE = 1;
export const SENSOR_LIGHT = -1;

/**
 * One sensor channel, split-phase (TEP 114): `read` posts a task that
 * samples and signals `readDone` (never from inside `read`); EBUSY while one
 * is pending; EOFF when the board has no such sensor.
 *
 * - channel 0, the demo sensor: `Puck.light()` on a Puck.js, else `E.getTemperature()`;
 * - channel 1, temperature: `E.getTemperature()` in hundredths of °C (2150 is 21.5 °C);
 * - channel n ≥ 2: `analogRead(Dn)` (0..1) as 0..65535, on boards that name
 *   their pins D0, D1... (nRF52, ESP32); AnalogReadC takes any pin by name;
 * - SENSOR_LIGHT: `Puck.light()` (0..1) as 0..65535, Puck.js only.
 */
export const EspruinoSensorP = genericModule(
  "EspruinoSensorP",
  (_channel: number) => ({ provides: { Read: Read<number>() }, tasks: ["sample"] }),
  (c, _host, channel) => {
    // Globals looked up only on the channel's own branch: a build that knows the channel keeps that branch alone.
    const g = global;
    const puck = channel === SENSOR_LIGHT || channel === SENSOR_DEMO ? g.Puck : undefined;
    let pin: EspruinoPin | undefined;
    // Each scaled to a whole number: 0..1 readings as 0..65535, °C in hundredths.
    const sample: (() => number) | undefined = puck
      ? () => puck.light() * 65535
      : channel === SENSOR_TEMPERATURE || channel === SENSOR_DEMO
        ? () => E.getTemperature() * 100
        : channel === SENSOR_LIGHT
          ? undefined
          : (pin = g[`D${channel}`] as EspruinoPin | undefined) && (() => analogRead(pin!) * 65535);
    let pending = false;
    return {
      Read: {
        read() {
          if (!sample) return EOFF;
          if (pending) return EBUSY;
          pending = true;
          c.post.sample();
          return SUCCESS;
        },
      },
      tasks: {
        sample() {
          pending = false;
          c.Read.readDone(SUCCESS, Math.round(sample!()));
        },
      },
    };
  },
);
