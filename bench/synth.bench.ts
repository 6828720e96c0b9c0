/**
 * Program construction under Pulumi mocks for 10, 50 and 200 worker kinds: wall time, CPU, resources
 * and retained heap per worker. The synthetic catalog (test/support/synthetic-workers.ts) mixes the
 * shapes of the shipped kinds: own buckets, routes on shared buckets and chains. Targets: 50 workers in under 5 s wall with the other core busy, under 100 ms CPU per
 * worker, linear growth to 200. A missed target exits 1.
 *
 * Run: `npm run bench -- synth` (or `node -r ts-node/register/transpile-only bench/synth.bench.ts`).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parse as parseYaml } from "yaml";
import { ROOT, startMocks } from "../test/support/pulumi";
import { makeSyntheticRepo } from "../test/support/synthetic-repo";

const SIZES = [10, 50, 200];
const TARGET_50_MS = 5_000;
const TARGET_CPU_PER_WORKER_MS = 100;

type Construction = { ms: number; cpuMs: number; loadMs: number; resources: number; workerResources: number; heapMiB: number };

/**
 * Runs index.ts under fresh mocks with n synthetic kinds, from a temporary copy of the program whose
 * catalog and workers/kinds/ hold them (each kind's image is built from its own folder); returns
 * time and resource counts.
 */
export async function construct(n: number): Promise<Construction> {
  const repo = makeSyntheticRepo(n, "bench");
  try {
    return await constructIn(repo.root, repo.config);
  } finally {
    for (const key of Object.keys(require.cache)) if (key.startsWith(repo.root)) delete require.cache[key];
    repo.remove();
  }
}

/** A full collection, so heap readings count live objects (the bench's processes run with --expose-gc). */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run the synthesis bench with node --expose-gc (npm run bench does)");
  gc();
}

async function constructIn(root: string, config: Record<string, unknown>): Promise<Construction> {
  const stack = startMocks({ config, stack: "bench" });
  // Load (and transpile) the program's modules first: the table measures construction, not ts-node.
  const loadStarted = performance.now();
  for (const m of ["components/index.ts", "config/workers.ts", "config/cluster.ts"]) require(join(root, m));
  const loadMs = performance.now() - loadStarted;
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  require(join(root, "index.ts"));
  await stack.settle();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  // What this construction keeps alive (the mocks' records and the SDK's state), not what it churned through.
  collectGarbage();
  const heapMiB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  // Resources under a JobWorker or a SharedInputBucket (walk parents by URN).
  const byUrn = new Map(stack.resources.map((r) => [r.urn, r]));
  const underWorker = (r: (typeof stack.resources)[number]): boolean => {
    for (let p = r.parent; p; p = byUrn.get(p)?.parent) {
      const t = byUrn.get(p)?.type;
      if (t === "jobworker:index:JobWorker" || t === "jobworker:index:SharedInputBucket") return true;
    }
    return r.type === "jobworker:index:JobWorker" || r.type === "jobworker:index:SharedInputBucket";
  };
  return { ms, cpuMs, loadMs, heapMiB, resources: stack.resources.length, workerResources: stack.resources.filter(underWorker).length };
}

/**
 * How the program is run. Each mode is a process of its own (a fresh heap; the SDK patch stays local).
 * `reference` is the SDK as shipped, with a stack trace captured per promise: what this program
 * costs without `components/pulumi-stack-traces.ts`.
 */
const MODES = {
  "ts-node": "TypeScript through ts-node, as `pulumi up` runs index.ts (traceless SDK promises, components/pulumi-stack-traces.ts)",
  "busy-core": "the same, with the other core kept busy by a spinning process (the target's condition)",
  reference: "the same, with the SDK's per-promise stack traces (what index.ts would cost without the patch)",
} as const;
type Mode = keyof typeof MODES;

/** A process that keeps one core busy until killed (or for 10 minutes at most). */
function spinCore(): ChildProcess {
  return spawn(process.execPath, ["-e", "const end = Date.now() + 600_000; while (Date.now() < end);"], { stdio: "ignore" });
}

async function table(mode: Mode): Promise<boolean> {
  if (mode === "reference") {
    // Marks the SDK's function as already wrapped, so index.ts leaves it as shipped.
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: Record<symbol, boolean> };
    debuggable.debuggablePromise[Symbol.for("jobworker.tracelessPulumiPromises")] = true;
  }
  const spinner = mode === "busy-core" ? spinCore() : undefined;
  try {
    // Warm-up: loads and transpiles every module once, so the table measures construction.
    await construct(2);
    const rows: ({ n: number } & Awaited<ReturnType<typeof construct>>)[] = [];
    for (const n of SIZES) rows.push({ n, ...(await construct(n)) });
    return report(mode, rows);
  } finally {
    spinner?.kill();
  }
}

function report(mode: Mode, rows: ({ n: number } & Awaited<ReturnType<typeof construct>>)[]): boolean {
  const pad = (s: string | number, w: number) => String(s).padStart(w);
  console.log(`mode ${mode}: ${MODES[mode]}; node ${process.version} ${process.execArgv.filter((a) => a.startsWith("--max")).join(" ")}`);
  console.log(
    `${pad("workers", 8)} ${pad("load ms", 8)} ${pad("time ms", 9)} ${pad("cpu ms", 8)} ${pad("ms/worker", 10)} ${pad("cpu/worker", 11)} ${pad("resources", 10)} ${pad("per worker", 11)} ${pad("heap MiB", 9)}`,
  );
  for (const r of rows) {
    console.log(
      `${pad(r.n, 8)} ${pad(r.loadMs.toFixed(0), 8)} ${pad(r.ms.toFixed(0), 9)} ${pad(r.cpuMs.toFixed(0), 8)} ${pad((r.ms / r.n).toFixed(1), 10)} ${pad((r.cpuMs / r.n).toFixed(1), 11)} ${pad(r.resources, 10)} ${pad((r.workerResources / r.n).toFixed(1), 11)} ${pad(r.heapMiB.toFixed(0), 9)}`,
    );
  }
  const [small, , large] = rows;
  const growth = large.ms / large.n / (small.ms / small.n);
  console.log(`time per worker at ${large.n} vs ${small.n} workers: ×${growth.toFixed(2)} (1.0 = perfectly linear)`);
  const fifty = rows.find((r) => r.n === 50)!;
  const cpuPerWorker = fifty.cpuMs / fifty.n;
  const verdict = (ok: boolean) => (ok ? "ok" : "MISSED");
  if (mode !== "reference") {
    console.log(
      `50 workers: ${fifty.ms.toFixed(0)} ms wall (target < ${TARGET_50_MS} ms): ${verdict(fifty.ms < TARGET_50_MS)}; ` +
        `${cpuPerWorker.toFixed(0)} ms CPU per worker (target < ${TARGET_CPU_PER_WORKER_MS} ms): ${verdict(cpuPerWorker < TARGET_CPU_PER_WORKER_MS)}`,
    );
  }
  console.log(
    `load average: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")} on ${cpus().length} cores\n`,
  );
  return mode === "reference" || (fifty.ms < TARGET_50_MS && cpuPerWorker < TARGET_CPU_PER_WORKER_MS);
}

/** The Node flags `pulumi up` runs the program with (`runtime.options.nodeargs` in Pulumi.yaml). */
function programNodeArgs(): string[] {
  const project = parseYaml(readFileSync(join(ROOT, "Pulumi.yaml"), "utf8")) as { runtime?: { options?: { nodeargs?: string } } };
  return (project.runtime?.options?.nodeargs ?? "").split(/\s+/).filter(Boolean);
}

function main(): void {
  const mode = process.env.SYNTH_MODE as Mode | undefined;
  if (mode) {
    table(mode).then(
      (ok) => process.exit(ok ? 0 : 1),
      (err: unknown) => {
        console.error(err);
        process.exit(2);
      },
    );
    return;
  }
  let failed = false;
  for (const m of Object.keys(MODES)) {
    const r = spawnSync(process.execPath, [...process.execArgv, ...programNodeArgs(), "--expose-gc", __filename], {
      stdio: "inherit",
      env: { ...process.env, SYNTH_MODE: m },
    });
    failed ||= r.status !== 0;
  }
  process.exit(failed ? 1 : 0);
}

if (require.main === module) main();
