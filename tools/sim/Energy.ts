/**
 * Energy: time in each power state, times the current the platform's table
 * gives for it.
 *
 * The CPU model is deliberately simple. Every HAL interrupt (alarm, radio,
 * UART, boot) ends with the task loop calling `sleep()` once the queue is
 * empty; each such wake-up counts as `cpuActiveUs` of CPU-active time (the
 * interrupt handler plus the tasks it posted). The rest of the time the MCU
 * sleeps: in *idle* while the radio is on (its SPI and interrupt lines keep
 * the clocks running, as on a MICA's ATmega128), in *suspend* (power-down)
 * while the radio is off. The radio draws its transmit current while a
 * frame (or an acknowledgement) is on the air and its receive current the
 * rest of the time it is on. A sensor draws its current for `sensorOnUs`
 * per reading; an LED for as long as it is lit.
 */

export interface SensorCurrent {
  readonly name: string;
  readonly ma: number;
}

export interface EnergyTable {
  readonly platform: string;
  readonly cpuActiveMa: number;
  readonly cpuIdleMa: number;
  readonly cpuSuspendMa: number;
  readonly radioTxMa: number;
  readonly radioRxMa: number;
  readonly radioOffMa: number;
  /** Per sensor channel. */
  readonly sensors: Readonly<Record<number, SensorCurrent>>;
  /** Each lit LED (0 leaves LEDs out of the account). */
  readonly ledMa: number;
  /** CPU-active time charged per wake-up (interrupt plus its tasks), µs. */
  readonly cpuActiveUs: number;
  /** How long a sensor is powered per reading, µs. */
  readonly sensorOnUs: number;
  /** Battery capacity for the lifetime projection, mAh (2×AA). */
  readonly batteryMah: number;
}

/** The MICA mote's figures (TinyOS/PowerTOSSIM): the default table. */
export const MICA_ENERGY: EnergyTable = {
  platform: "mica",
  cpuActiveMa: 4.6,
  cpuIdleMa: 2.4,
  cpuSuspendMa: 0.01,
  radioTxMa: 12,
  radioRxMa: 3.6,
  radioOffMa: 0,
  sensors: { 0: { name: "photo", ma: 1.235 }, 1: { name: "temperature", ma: 0.15 } },
  ledMa: 0,
  cpuActiveUs: 250,
  sensorOnUs: 1000,
  batteryMah: 2850,
};

/** What one mote did, in the units the account needs (all times µs). */
export interface EnergyCounts {
  /** Time powered (booted and not turned off). */
  readonly poweredUs: number;
  /** Time the radio was on (transmitting included). */
  readonly radioOnUs: number;
  readonly radioTxUs: number;
  /** Wake-ups (sleep() calls) while the radio was on / off. */
  readonly wakeupsRadioOn: number;
  readonly wakeupsRadioOff: number;
  /** Readings per sensor channel. */
  readonly sensorReads: ReadonlyMap<number, number>;
  /** Total LED-lit time (summed over LEDs). */
  readonly ledOnUs: number;
  /** The span to average over (normally the simulated time so far). */
  readonly elapsedUs: number;
}

export interface EnergyState {
  readonly name: string;
  readonly seconds: number;
  readonly ma: number;
  readonly mah: number;
}

export interface EnergyReport {
  readonly platform: string;
  readonly states: readonly EnergyState[];
  /** Charge used, mAh. */
  readonly totalMah: number;
  /** Average current over the elapsed time, mA. */
  readonly averageMa: number;
  /** Projected lifetime on the table's battery at that average, days (Infinity if nothing is drawn). */
  readonly lifetimeDays: number;
}

const US_PER_HOUR = 3.6e9;

export function energyReport(table: EnergyTable, c: EnergyCounts): EnergyReport {
  const wakeups = c.wakeupsRadioOn + c.wakeupsRadioOff;
  const active = wakeups * table.cpuActiveUs;
  const idle = Math.max(0, c.radioOnUs - c.wakeupsRadioOn * table.cpuActiveUs);
  const suspend = Math.max(0, c.poweredUs - c.radioOnUs - c.wakeupsRadioOff * table.cpuActiveUs);
  const states: { name: string; us: number; ma: number }[] = [
    { name: "cpu active", us: active, ma: table.cpuActiveMa },
    { name: "cpu idle", us: idle, ma: table.cpuIdleMa },
    { name: "cpu suspend", us: suspend, ma: table.cpuSuspendMa },
    { name: "radio tx", us: c.radioTxUs, ma: table.radioTxMa },
    { name: "radio rx", us: c.radioOnUs - c.radioTxUs, ma: table.radioRxMa },
    { name: "radio off", us: c.poweredUs - c.radioOnUs, ma: table.radioOffMa },
  ];
  const channels = [...c.sensorReads.keys()].sort((a, b) => a - b);
  for (const ch of channels) {
    const s = table.sensors[ch];
    states.push({ name: s ? s.name : `sensor ${ch}`, us: c.sensorReads.get(ch)! * table.sensorOnUs, ma: s ? s.ma : 0 });
  }
  if (table.ledMa > 0) states.push({ name: "leds", us: c.ledOnUs, ma: table.ledMa });
  const out = states.map((s) => ({ name: s.name, seconds: s.us / 1e6, ma: s.ma, mah: (s.us * s.ma) / US_PER_HOUR }));
  const totalMah = out.reduce((a, s) => a + s.mah, 0);
  const averageMa = c.elapsedUs > 0 ? (totalMah * US_PER_HOUR) / c.elapsedUs : 0;
  const lifetimeDays = averageMa > 0 ? table.batteryMah / averageMa / 24 : Infinity;
  return { platform: table.platform, states: out, totalMah, averageMa, lifetimeDays };
}
