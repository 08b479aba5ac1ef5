/**
 * The demo's world script (`mote sim --script`): gives the simulated light
 * sensor (channel 0) something worth charting, a slow wave of light moving
 * across the grid plus a little flicker. Without it every reading is 0.
 *
 * Deterministic: a function of virtual time and the mote's id and place only
 * (the flicker is a hash of both, not Math.random), so a seeded run repeats.
 */
import type { World } from "../sim/World.ts";
import type { SensorMote } from "../sim/Sensors.ts";

/** Seconds for the wave to come back to the same mote. */
const PERIOD_S = 60;
/** Metres of grid one full wave spans. */
const WAVELENGTH_M = 80;

/** A hash of (mote, millisecond) to -0.5 .. 0.5: repeatable flicker. */
function flicker(id: number, ms: number): number {
  let h = Math.imul(id + 1, 0x9e3779b1) ^ Math.imul(ms, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h ^= h >>> 13;
  return (h >>> 0) / 0x100000000 - 0.5;
}

/** A 12-bit ADC reading of the light at mote `m` at `timeS`. */
export function demoLight(timeS: number, m: SensorMote): number {
  const phase = (2 * Math.PI * timeS) / PERIOD_S - (2 * Math.PI * (m.position.x + 0.5 * m.position.y)) / WAVELENGTH_M;
  const v = 2048 + 1400 * Math.sin(phase) + 160 * flicker(m.nodeId, Math.floor(timeS * 1000));
  return Math.max(0, Math.min(4095, Math.round(v)));
}

export default function demoWorld(world: World): void {
  world.setSensor(0, demoLight);
}
