/**
 * End-to-end runs of the shipped worker kinds: `jobworker run <kind>` as a child process against moto
 * (input bucket → S3 notification → queue), delivering to a real server on loopback. Builds on the
 * runtime tests' pipeline and process helpers.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { WORKER_ENV, type ResolvedOutputBinding } from "../../../catalog/contract";
import { SCHEMAS_DIR } from "../../../workers/connectors/protobuf";
import { RUNTIME_TUNING_ENV } from "../../../workers/runtime/settings";
import type { MotoServer } from "../../support/moto";
import { ROOT, spawnWorker, waitForLine, type ChildWorker, type Pipeline } from "../runtime/helpers";

export const JOBWORKER_BIN = join(ROOT, "workers", "bin", "jobworker.js");

/** Starts `jobworker run <kind>` with its queue and output bindings; resolves once it polls. */
export async function runKind(moto: MotoServer, kind: string, pipeline: Pipeline, outputs: Record<string, ResolvedOutputBinding>): Promise<ChildWorker> {
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

/** Splits a varint-length-delimited stream into its messages (independent of the encoder). */
export function splitDelimited(bytes: Buffer): Buffer[] {
  const messages: Buffer[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let len = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++]!;
      len |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    messages.push(bytes.subarray(pos, pos + len));
    pos += len;
  }
  return messages;
}

/** `protoc --decode=<type>` against the repository's schemas, as protobuf text format. */
export function protocDecode(type: string, schema: string, bytes: Buffer): string {
  const out = spawnSync("protoc", [`--decode=${type}`, `-I${SCHEMAS_DIR}`, schema], { input: bytes });
  if (out.error) throw new Error(`protoc is not runnable (${out.error.message}): install Debian \`protobuf-compiler\` (scripts/setup.sh)`);
  if (out.status !== 0) throw new Error(`protoc --decode=${type} failed: ${out.stderr.toString()}`);
  return out.stdout.toString();
}
