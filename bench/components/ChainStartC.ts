import { module } from "../../components/mote.ts";
import { Boot } from "../../components/interfaces/Boot.ts";
import { Debug } from "../../components/interfaces/Debug.ts";
import { Relay } from "./Relay.ts";

/** Sends one count down the chain at boot and reports how many stages it passed. */
export const ChainStartC = module("ChainStartC", { uses: { Boot, Debug, First: Relay } }, (c) => ({
  Boot: {
    booted() {
      c.Debug.dbg("chain", String(c.First.pass(0)));
    },
  },
}));
