/**
 * `mote ports`: the serial ports on this machine. The serialport package
 * lists them through udev (it runs `udevadm`); where udev is missing (a
 * container, a minimal system) that fails, and the ports are found by
 * scanning /sys/class/tty (USB serial adapters, USB CDC ACM devices, UARTs
 * that have hardware behind them) or, without /sys, /dev. Paths given by
 * the user (a pseudo-terminal link from socat or the simulator) are
 * checked and listed too.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { SerialPort } from "serialport";

export type PortKind = "usb" | "acm" | "uart" | "pty" | "bluetooth" | "other";

export interface PortListing {
  readonly path: string;
  readonly kind: PortKind;
  /** Where a link (a /dev/serial/by-id name, a socat link) points. */
  readonly target?: string;
  readonly manufacturer?: string;
  readonly product?: string;
  readonly serialNumber?: string;
  readonly vendorId?: string;
  readonly productId?: string;
  /** How it was found. */
  readonly source: "udev" | "sysfs" | "dev" | "given";
}

export interface PortList {
  readonly ports: PortListing[];
  /** How the machine's ports were listed, and why not with udev when not. */
  readonly method: "udev" | "sysfs" | "dev";
  readonly note?: string;
  /** Paths given that are not usable ports, with the reason. */
  readonly rejected: { path: string; reason: string }[];
}

function kindOf(name: string): PortKind {
  if (name.startsWith("ttyUSB")) return "usb";
  if (name.startsWith("ttyACM")) return "acm";
  if (name.startsWith("rfcomm")) return "bluetooth";
  if (/^tty(S|AMA|MFD|O|XRUSB|WCH)\d/.test(name)) return "uart";
  if (name.startsWith("pts/") || name === "ptmx") return "pty";
  return "other";
}

const SERIAL_NAME = /^(ttyUSB|ttyACM|ttyS|ttyAMA|ttyMFD|ttyO|ttyXRUSB|ttyWCH|rfcomm)\d+$/;

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The USB device's descriptor strings, found by walking up from the tty's device. */
function usbInfo(sysDevice: string): Partial<PortListing> {
  let dir: string;
  try {
    dir = realpathSync(sysDevice);
  } catch {
    return {};
  }
  for (let i = 0; i < 5 && dir !== "/"; i++, dir = path.dirname(dir)) {
    const vendorId = readText(path.join(dir, "idVendor"));
    if (vendorId) {
      const out: Record<string, string> = { vendorId };
      const productId = readText(path.join(dir, "idProduct"));
      const manufacturer = readText(path.join(dir, "manufacturer"));
      const product = readText(path.join(dir, "product"));
      const serialNumber = readText(path.join(dir, "serial"));
      if (productId) out.productId = productId;
      if (manufacturer) out.manufacturer = manufacturer;
      if (product) out.product = product;
      if (serialNumber) out.serialNumber = serialNumber;
      return out;
    }
  }
  return {};
}

/** The machine's serial ports from /sys/class/tty (no udev needed). */
export function scanSysfs(sysClassTty = "/sys/class/tty", devDir = "/dev"): PortListing[] | undefined {
  let names: string[];
  try {
    names = readdirSync(sysClassTty);
  } catch {
    return undefined;
  }
  const out: PortListing[] = [];
  for (const name of names.sort(naturalCompare)) {
    if (!SERIAL_NAME.test(name)) continue;
    const sys = path.join(sysClassTty, name);
    if (!existsSync(path.join(sys, "device"))) continue; // no hardware behind it
    const kind = kindOf(name);
    // A UART the kernel reserved but found nothing at reports type 0 (PORT_UNKNOWN).
    if (kind === "uart" && readText(path.join(sys, "type")) === "0") continue;
    const dev = path.join(devDir, name);
    if (!existsSync(dev)) continue;
    out.push({ path: dev, kind, source: "sysfs", ...(kind === "usb" || kind === "acm" ? usbInfo(path.join(sys, "device")) : {}) });
  }
  return out;
}

/** Without /sys: the device names USB serial ports have. */
export function scanDev(devDir = "/dev"): PortListing[] {
  let names: string[];
  try {
    names = readdirSync(devDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^(ttyUSB|ttyACM|rfcomm)\d+$/.test(n))
    .sort(naturalCompare)
    .map((n) => ({ path: path.join(devDir, n), kind: kindOf(n), source: "dev" as const }));
}

function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

/** Checks a path the user gave (a pty link, a by-id name): it must be a character device. */
export function checkGiven(p: string): PortListing | { path: string; reason: string } {
  let st;
  try {
    st = statSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { path: p, reason: code === "ENOENT" ? "does not exist (or is a link to nothing: is the program that made it still running?)" : (e as Error).message };
  }
  if (!st.isCharacterDevice()) return { path: p, reason: "is not a character device (not a serial port or pseudo-terminal)" };
  const target = realpathSync(p);
  const name = target.startsWith("/dev/") ? target.slice(5) : path.basename(target);
  return { path: p, kind: kindOf(name), ...(target !== p ? { target } : {}), source: "given" };
}

async function udevList(timeoutMs: number): Promise<PortListing[]> {
  const list = await Promise.race([
    SerialPort.list(),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`udevadm did not answer within ${timeoutMs} ms`)), timeoutMs).unref()),
  ]);
  return list.map((p) => {
    const name = p.path.startsWith("/dev/") ? p.path.slice(5) : path.basename(p.path);
    return {
      path: p.path,
      kind: kindOf(name),
      source: "udev" as const,
      ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
      ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
      ...(p.vendorId ? { vendorId: p.vendorId } : {}),
      ...(p.productId ? { productId: p.productId } : {}),
    };
  });
}

export async function listPorts(options: { given?: readonly string[]; udev?: boolean; sysClassTty?: string; devDir?: string } = {}): Promise<PortList> {
  let ports: PortListing[] | undefined;
  let method: PortList["method"] = "udev";
  let note: string | undefined;
  let whyNotUdev = "udev not used";
  if (options.udev !== false) {
    try {
      ports = await udevList(3000);
    } catch (e) {
      whyNotUdev = `listing through udev failed (${(e as Error).message})`;
    }
  }
  if (!ports) {
    const sys = options.sysClassTty ?? "/sys/class/tty";
    const dev = options.devDir ?? "/dev";
    ports = scanSysfs(sys, dev);
    method = "sysfs";
    note = `${whyNotUdev}; scanned ${sys} instead`;
    if (!ports) {
      ports = scanDev(dev);
      method = "dev";
      note = `${whyNotUdev}; no ${sys} either: listed ${dev}/ttyUSB*, ${dev}/ttyACM* and ${dev}/rfcomm* by name`;
    }
  }
  const rejected: { path: string; reason: string }[] = [];
  for (const p of options.given ?? []) {
    const r = checkGiven(p);
    if ("reason" in r) rejected.push(r);
    else if (!ports.some((q) => q.path === r.path)) ports.push(r);
  }
  return { ports, method, ...(note ? { note } : {}), rejected };
}

/** The listing as a table for people. */
export function formatPortList(list: PortList): string {
  const lines: string[] = [];
  if (list.ports.length === 0) lines.push("no serial ports found (plug a mote in, or give a pseudo-terminal path: mote ports /tmp/x/host)");
  const rows = list.ports.map((p) => [
    p.path,
    p.kind,
    [p.manufacturer, p.product].filter(Boolean).join(" ") || "",
    p.vendorId ? `${p.vendorId}:${p.productId ?? "?"}` : "",
    p.serialNumber ?? "",
    p.target ? `-> ${p.target}` : "",
  ]);
  if (rows.length) {
    const header = ["port", "kind", "device", "usb id", "serial", ""];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
    lines.push(line(header), ...rows.map(line));
  }
  for (const r of list.rejected) lines.push(`${r.path}: ${r.reason}`);
  if (list.note) lines.push(`(${list.note})`);
  return lines.join("\n");
}
