#!/usr/bin/env node
// The `mote` command. The tools are TypeScript; this registers a loader that compiles them as they load.
import "../register.js";

const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
