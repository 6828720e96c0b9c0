/**
 * The sample `jobworker smoke` uploads, and the key it gets: the worker's prefix, a name of its own
 * (so the check finds its message, its outputs and only those), and the worker's suffix, so the
 * bucket's notification fires.
 */
import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { UsageError } from "../errors";
import type { WorkerTarget } from "./stack-outputs";

/** Where the worker kinds keep their samples: `workers/kinds/<kind>/samples/`. */
export const SAMPLES_ROOT = join(__dirname, "..", "..", "workers", "kinds");

export interface Sample {
  /** The file uploaded. */
  readonly path: string;
  readonly body: Buffer;
  /** The object key: prefix + smoke name + suffix. */
  readonly key: string;
}

/** `jobworker-smoke-<UTC time>-<run id>-<file name>`, with the worker's suffix appended when the name lacks it. */
export function sampleKey(worker: Pick<WorkerTarget, "prefix" | "suffix">, fileName: string, startedAt: Date, runId: string): string {
  const stamp = startedAt
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const name = `jobworker-smoke-${stamp}-${runId}-${fileName}`;
  return `${worker.prefix}${worker.suffix !== "" && !name.endsWith(worker.suffix) ? `${name}${worker.suffix}` : name}`;
}

/** The first sample (by name) of the kind whose name ends with the worker's suffix. */
export async function defaultSampleFile(worker: Pick<WorkerTarget, "name" | "suffix">, samplesRoot = SAMPLES_ROOT): Promise<string> {
  const dir = join(samplesRoot, worker.name, "samples");
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => !f.startsWith(".")).sort();
  } catch (err) {
    throw new UsageError(
      `\`--worker ${worker.name}\` has no samples (${dir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); pass \`--file <path>\``,
      { cause: err },
    );
  }
  const fitting = files.filter((f) => worker.suffix === "" || f.endsWith(worker.suffix));
  const chosen = fitting[0] ?? files[0];
  if (chosen === undefined) throw new UsageError(`\`--worker ${worker.name}\` has no samples in ${dir}; pass \`--file <path>\``);
  return join(dir, chosen);
}

export async function loadSample(
  worker: WorkerTarget,
  file: string | undefined,
  startedAt: Date,
  runId: string,
  samplesRoot = SAMPLES_ROOT,
): Promise<Sample> {
  const path = file ?? (await defaultSampleFile(worker, samplesRoot));
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch (err) {
    throw new UsageError(`\`--file ${path}\` cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, {
      cause: err,
    });
  }
  return { path, body, key: sampleKey(worker, basename(path), startedAt, runId) };
}
