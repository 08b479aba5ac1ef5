#!/usr/bin/env node
// The `mote` command. The tools are TypeScript; this registers a loader that compiles them as they load.
import "../register.js";

// Piped into `head` and the like: stop quietly when the reader goes away.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
