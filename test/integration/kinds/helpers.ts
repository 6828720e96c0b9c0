/**
 * End-to-end runs of the shipped worker kinds: `jobworker run <kind>` as a child process against moto
 * (input bucket → S3 notification → queue), delivering to a real server on loopback. Builds on the
 * runtime tests' pipeline and process helpers.
 */
import { join } from "node:path";
import { WORKER_ENV, type ResolvedOutputBinding } from "../../../catalog/contract";
import { RUNTIME_TUNING_ENV } from "../../../workers/runtime/settings";
import type { MotoServer } from "../../support/moto";
import { ROOT, spawnWorker, waitForLine, type ChildWorker, type Pipeline } from "../runtime/helpers";

export const JOBWORKER_BIN = join(ROOT, "workers", "bin", "jobworker.js");

/** Starts `jobworker run <kind>` with its queue and output bindings; resolves once it polls. */
export async function runKind(
  moto: MotoServer,
  kind: string,
  pipeline: Pipeline,
  outputs: Record<string, ResolvedOutputBinding>,
): Promise<ChildWorker> {
  const worker = spawnWorker([JOBWORKER_BIN, "run", kind], {
    ...moto.env,
    [WORKER_ENV.queueUrl]: pipeline.queueUrl,
    [WORKER_ENV.outputs]: JSON.stringify(outputs),
    [WORKER_ENV.logLevel]: "debug",
    [RUNTIME_TUNING_ENV.pollWaitSeconds]: "1",
    [RUNTIME_TUNING_ENV.retryBaseSeconds]: "0",
    [RUNTIME_TUNING_ENV.retryCapSeconds]: "1",
  });
  await waitForLine(worker, "worker started", 60_000);
  return worker;
}

/** Stops a worker with SIGTERM and returns its exit. */
export async function stopKind(worker: ChildWorker): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  worker.child.kill("SIGTERM");
  return worker.exited;
}
