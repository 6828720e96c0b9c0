/**
 * Program construction under Pulumi mocks for 10, 50 and 200 worker kinds: wall time and resources
 * per worker. The synthetic catalog (test/support/synthetic-workers.ts) mixes the shapes of the
 * shipped kinds: own buckets, routes on shared buckets and chains.
 * Target (issue 3): linear growth, under 5 s for 50 workers on this machine.
 *
 * Run: `npm run bench -- synth` (or `node -r ts-node/register/transpile-only bench/synth.bench.ts`).
 */
import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startMocks } from "../test/support/pulumi";
import { makeSyntheticRepo } from "../test/support/synthetic-repo";

const SIZES = [10, 50, 200];
const TARGET_50_MS = 5_000;

/**
 * Runs index.ts under fresh mocks with n synthetic kinds, from a temporary copy of the program whose
 * catalog and workers/kinds/ hold them (each kind's image is built from its own folder); returns
 * time and resource counts.
 */
async function construct(n: number): Promise<{ ms: number; cpuMs: number; loadMs: number; resources: number; workerResources: number }> {
  const repo = makeSyntheticRepo(n, "bench");
  try {
    return await constructIn(repo.root, repo.config);
  } finally {
    for (const key of Object.keys(require.cache)) if (key.startsWith(repo.root)) delete require.cache[key];
    repo.remove();
  }
}

async function constructIn(root: string, config: Record<string, unknown>): Promise<{ ms: number; cpuMs: number; loadMs: number; resources: number; workerResources: number }> {
  const stack = startMocks({ config, stack: "bench" });
  // Load (and transpile) the program's modules first: the table measures construction, not ts-node.
  const loadStarted = performance.now();
  for (const m of ["components/index.ts", "config/workers.ts", "config/cluster.ts"]) require(join(root, m));
  const loadMs = performance.now() - loadStarted;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  require(join(root, "index.ts"));
  await stack.settle();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  // Resources under a JobWorker or a SharedInputBucket (walk parents by URN).
  const byUrn = new Map(stack.resources.map((r) => [r.urn, r]));
  const underWorker = (r: (typeof stack.resources)[number]): boolean => {
    for (let p = r.parent; p; p = byUrn.get(p)?.parent) {
      const t = byUrn.get(p)?.type;
      if (t === "jobworker:index:JobWorker" || t === "jobworker:index:SharedInputBucket") return true;
    }
    return r.type === "jobworker:index:JobWorker" || r.type === "jobworker:index:SharedInputBucket";
  };
  return { ms, cpuMs, loadMs, resources: stack.resources.length, workerResources: stack.resources.filter(underWorker).length };
}

/** The two ways the program can run: as `pulumi up` runs a TypeScript program, or compiled to JS. */
const MODES = {
  "ts-node": "TypeScript through ts-node, as `pulumi up` runs index.ts (index.ts installs components/pulumi-stack-traces.ts)",
  "compiled": "the same code without source-map stack mapping, as a program compiled with tsc runs",
} as const;
type Mode = keyof typeof MODES;

async function table(mode: Mode): Promise<void> {
  if (mode === "compiled") {
    // ts-node installs source-map-support, which maps every frame of every `new Error().stack`; the
    // Pulumi SDK takes one per input property. V8's own formatting is what compiled JS gets.
    (Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined;
  }
  // Warm-up: loads the SDKs once, so the table measures construction.
  await construct(2);
  const rows: { n: number; ms: number; cpuMs: number; loadMs: number; resources: number; workerResources: number }[] = [];
  for (const n of SIZES) rows.push({ n, ...(await construct(n)) });
  const pad = (s: string | number, w: number) => String(s).padStart(w);
  console.log(`mode ${mode}: ${MODES[mode]}`);
  console.log(`${pad("workers", 8)} ${pad("load ms", 8)} ${pad("time ms", 9)} ${pad("cpu ms", 8)} ${pad("ms/worker", 10)} ${pad("resources", 10)} ${pad("per worker", 11)} ${pad("heap MiB", 9)}`);
  for (const r of rows) {
    console.log(
      `${pad(r.n, 8)} ${pad(r.loadMs.toFixed(0), 8)} ${pad(r.ms.toFixed(0), 9)} ${pad(r.cpuMs.toFixed(0), 8)} ${pad((r.ms / r.n).toFixed(1), 10)} ${pad(r.resources, 10)} ${pad((r.workerResources / r.n).toFixed(1), 11)} ${pad((process.memoryUsage().heapUsed / 2 ** 20).toFixed(0), 9)}`,
    );
  }
  const [small, , large] = rows;
  const growth = large.ms / large.n / (small.ms / small.n);
  console.log(`time per worker at ${large.n} vs ${small.n} workers: ×${growth.toFixed(2)} (1.0 = perfectly linear)`);
  const fifty = rows.find((r) => r.n === 50)!;
  console.log(`50 workers: ${fifty.ms.toFixed(0)} ms (target < ${TARGET_50_MS} ms): ${fifty.ms < TARGET_50_MS ? "ok" : "MISSED"}`);
  console.log(`load average: ${loadavg().map((l) => l.toFixed(1)).join(" ")} on ${cpus().length} cores\n`);
}

/** Each mode runs in its own process (a fresh heap, and the prepareStackTrace change stays local). */
function main(): void {
  const mode = process.env.SYNTH_MODE as Mode | undefined;
  if (mode) {
    table(mode).catch((err) => {
      console.error(err);
      process.exit(1);
    });
    return;
  }
  let failed = false;
  for (const m of Object.keys(MODES)) {
    const r = spawnSync(process.execPath, [...process.execArgv, __filename], { stdio: "inherit", env: { ...process.env, SYNTH_MODE: m } });
    failed ||= r.status !== 0;
  }
  // Where the time went (cpuprofile of 50 workers, ts-node mode): the Pulumi SDK captures a stack trace
  // per input property's promise (runtime/debuggable.js), and ts-node mapped each frame through the
  // source maps: 10.0 s for 50 workers. index.ts now formats those bookkeeping traces unmapped
  // (components/pulumi-stack-traces.ts): 3.7 s. The rest is per resource, so construction grows
  // linearly with workers × ~25 resources.
  process.exit(failed ? 1 : 0);
}

main();
