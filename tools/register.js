// Lets Node run the project's TypeScript directly: `node --import ./tools/register.js x.ts`.
import { register } from "node:module";

register("./ts-loader.js", import.meta.url);
