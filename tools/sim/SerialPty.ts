/**
 * A simulated mote's UART on a pseudo-terminal, so any serial tool (a
 * terminal program, TinyOS's `serialforwarder`, `mote basestation`) can talk
 * to it. socat makes a connected pair of pseudo-terminals; the simulator
 * opens one end with the `serialport` package and the user gets the other.
 * What the mote sends goes out as it is sent; what arrives is fed to the
 * mote's UART at the current virtual time, so the world should run paced to
 * the wall clock (`World.runRealtime`).
 */
import { SerialPort } from "serialport";
import { PtyLink } from "../serial/PtyLink.ts";
import type { World } from "./World.ts";

export interface SerialBridge {
  /** The pseudo-terminal a serial tool opens. */
  readonly path: string;
  /** Detaches the mote and closes both ends. */
  close(): Promise<void>;
}

export async function attachSerialPty(world: World, moteId: number, timeoutMs = 5000): Promise<SerialBridge> {
  const mote = world.mote(moteId);
  const link = await PtyLink.open({ hostName: `mote${moteId}`, moteName: "sim", timeoutMs });
  const own = link.mote;
  const user = link.host;
  const port = new SerialPort({ path: own, baudRate: 115200, autoOpen: false });
  try {
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  } catch (e) {
    await link.close();
    throw e;
  }
  port.on("error", () => {}); // a tool hanging up is not the simulator's failure
  port.on("data", (data: Buffer) => world.serialWrite(moteId, data));
  let attached = true;
  mote.serialListeners.push((bytes) => {
    if (attached && port.isOpen) port.write(Buffer.from(bytes));
  });

  let closing: Promise<void> | undefined;
  return {
    path: user,
    close() {
      closing ??= (async () => {
        attached = false;
        if (port.isOpen) {
          await new Promise<void>((resolve) => port.drain(() => resolve()));
          await new Promise<void>((resolve) => port.close(() => resolve()));
        }
        await link.close();
      })();
      return closing;
    },
  };
}
