/** Writes a configuration of `stages` generic module instances in a chain, for the build benchmark. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "../tools/build/build.ts";

export function writeChainApp(stages: number): string {
  const dir = path.join(ROOT, "build", "bench");
  mkdirSync(dir, { recursive: true });
  const name = `Chain${stages}AppC`;
  const file = path.join(dir, `${name}.ts`);
  const imp = (p: string) => JSON.stringify(path.join(ROOT, p));
  const lines = [
    `import { configuration } from ${imp("components/mote.ts")};`,
    `import { MainC } from ${imp("components/kernel/MainC.ts")};`,
    `import { DebugC } from "#platform";`,
    `import { ChainStartC } from ${imp("bench/components/ChainStartC.ts")};`,
    `import { StageP } from ${imp("bench/components/StageP.ts")};`,
    ``,
    `export const ${name} = configuration(${JSON.stringify(name)}, {}, (c) => {`,
    `  const start = c.component(ChainStartC);`,
    `  c.wire(start.Boot, c.component(MainC).Boot);`,
    `  c.wire(start.Debug, c.component(DebugC).Debug);`,
    `  let previous = start.First;`,
    `  for (let i = 0; i < ${stages}; i++) {`,
    `    const stage = c.new(StageP, i);`,
    `    c.wire(previous, stage.Stage);`,
    `    previous = stage.Next;`,
    `  }`,
    `});`,
  ];
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}
