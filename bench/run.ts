/**
 * `npm run bench`: runs every `bench/*.bench.ts` in its own Node process (so one benchmark's heap
 * and RSS do not colour the next) and prints their numbers. Not part of `npm test`.
 */
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const dir = __dirname;
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n=== ${file}\n`);
  const started = Date.now();
  const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", join(dir, file)], {
    stdio: "inherit",
    env: { ...process.env, TS_NODE_PROJECT: join(dir, "..", "tsconfig.json") },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) failed++;
  process.stdout.write(`=== ${file}: ${result.status === 0 ? "ok" : `FAILED (exit ${result.status})`} in ${seconds} s\n`);
}
process.exit(failed === 0 ? 0 : 1);
