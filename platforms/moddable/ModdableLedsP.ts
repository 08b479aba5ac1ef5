import { module } from "../../components/mote.ts";
import { Leds } from "../../components/interfaces/Leds.ts";
import type { Device419, Digital419, MoteConfig } from "./ModdableApi.ts";

declare const device: Device419;
declare const moteConfig: MoteConfig;

/**
 * The three LEDs as ECMA-419 Digital outputs on the board's pins
 * (`moteConfig.leds`; a pin of -1 means the board has no such LED and it
 * stays dark). Each command writes one pin. All LEDs start off.
 */
export const ModdableLedsP = module("ModdableLedsP", { provides: { Leds } }, () => {
  const Digital = device.io.Digital;
  const off = moteConfig.ledsInverted ? 1 : 0;
  const pin = (i: number): Digital419 | undefined => {
    const p = moteConfig.leds[i];
    if (p === undefined || p < 0) return undefined;
    const d = new Digital({ pin: p, mode: Digital.Output });
    d.write(off);
    return d;
  };
  const l0 = pin(0);
  const l1 = pin(1);
  const l2 = pin(2);
  let state = 0;
  return {
    Leds: {
      led0On() {
        state |= 1;
        if (l0) l0.write(1 ^ off);
      },
      led0Off() {
        state &= 6;
        if (l0) l0.write(off);
      },
      led0Toggle() {
        state ^= 1;
        if (l0) l0.write((state & 1) ^ off);
      },
      led1On() {
        state |= 2;
        if (l1) l1.write(1 ^ off);
      },
      led1Off() {
        state &= 5;
        if (l1) l1.write(off);
      },
      led1Toggle() {
        state ^= 2;
        if (l1) l1.write(((state >> 1) & 1) ^ off);
      },
      led2On() {
        state |= 4;
        if (l2) l2.write(1 ^ off);
      },
      led2Off() {
        state &= 3;
        if (l2) l2.write(off);
      },
      led2Toggle() {
        state ^= 4;
        if (l2) l2.write((state >> 2) ^ off);
      },
      get: () => state,
      set(value) {
        state = value & 7;
        if (l0) l0.write((state & 1) ^ off);
        if (l1) l1.write(((state >> 1) & 1) ^ off);
        if (l2) l2.write((state >> 2) ^ off);
      },
    },
  };
});
