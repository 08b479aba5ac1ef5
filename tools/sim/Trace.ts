/**
 * The trace: one JSON object per line, in event order. `t` is the virtual
 * time in seconds; `ev` says what happened:
 *
 *   tx        a data frame goes on the air: src, addr (AM destination), type, len (payload bytes), try (1 = first)
 *   rx        its fate at one receiver: src, dst (the receiving mote), addr, type, len,
 *             result (delivered | lost | collided), rssi (dBm), snr (dB, worst during the frame)
 *   ack       an acknowledgement back to the sender: src (acker), dst (sender), result, rssi
 *   senddone  the sender's send completes: mote, error (TinyOS code), acked
 *   led       mote, led, on
 *   serial    mote, dir (out | in), hex (the bytes)
 *   radio     mote, on (radio power: an energy state change)
 *   boot, off mote
 *   dbg       mote, channel, msg
 *   gain      src, dst, dbm (a script changed a link)
 *   energy    mote, mah, ma (average current), days (projected lifetime), states {name: seconds}
 *
 * Formatting happens only when a trace is attached, so an untraced run pays
 * nothing for it.
 */

export type TraceSink = (line: string) => void;

const time = (us: number) => us / 1e6;
const round1 = (x: number) => Math.round(x * 10) / 10;

function hex(bytes: Uint8Array, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += (bytes[i]! < 16 ? "0" : "") + bytes[i]!.toString(16);
  return s;
}

export class Tracer {
  lines = 0;
  constructor(private readonly sink: TraceSink) {}

  private out(line: string): void {
    this.lines++;
    this.sink(line);
  }

  tx(us: number, src: number, addr: number, type: number, len: number, attempt: number): void {
    this.out(`{"t":${time(us)},"ev":"tx","src":${src},"addr":${addr},"type":${type},"len":${len},"try":${attempt}}`);
  }

  rx(us: number, src: number, dst: number, addr: number, type: number, len: number, result: string, rssi: number, snr: number): void {
    const r = Number.isFinite(rssi) ? round1(rssi) : null;
    const s = Number.isFinite(snr) ? round1(snr) : null;
    this.out(
      `{"t":${time(us)},"ev":"rx","src":${src},"dst":${dst},"addr":${addr},"type":${type},"len":${len},"result":"${result}","rssi":${r},"snr":${s}}`,
    );
  }

  ack(us: number, src: number, dst: number, result: string, rssi: number): void {
    this.out(`{"t":${time(us)},"ev":"ack","src":${src},"dst":${dst},"result":"${result}","rssi":${round1(rssi)}}`);
  }

  sendDone(us: number, mote: number, error: number, acked: boolean): void {
    this.out(`{"t":${time(us)},"ev":"senddone","mote":${mote},"error":${error},"acked":${acked}}`);
  }

  led(us: number, mote: number, led: number, on: boolean): void {
    this.out(`{"t":${time(us)},"ev":"led","mote":${mote},"led":${led},"on":${on}}`);
  }

  serial(us: number, mote: number, dir: "in" | "out", bytes: Uint8Array, length: number): void {
    this.out(`{"t":${time(us)},"ev":"serial","mote":${mote},"dir":"${dir}","hex":"${hex(bytes, length)}"}`);
  }

  radio(us: number, mote: number, on: boolean): void {
    this.out(`{"t":${time(us)},"ev":"radio","mote":${mote},"on":${on}}`);
  }

  life(us: number, mote: number, what: "boot" | "off"): void {
    this.out(`{"t":${time(us)},"ev":"${what}","mote":${mote}}`);
  }

  dbg(us: number, mote: number, channel: string, message: string): void {
    this.out(`{"t":${time(us)},"ev":"dbg","mote":${mote},"channel":${JSON.stringify(channel)},"msg":${JSON.stringify(message)}}`);
  }

  gain(us: number, src: number, dst: number, dbm: number | null): void {
    this.out(`{"t":${time(us)},"ev":"gain","src":${src},"dst":${dst},"dbm":${dbm}}`);
  }

  energy(us: number, mote: number, mah: number, ma: number, days: number, states: Record<string, number>): void {
    this.out(
      JSON.stringify({ t: time(us), ev: "energy", mote, mah, ma, days: Number.isFinite(days) ? days : null, states }),
    );
  }
}
