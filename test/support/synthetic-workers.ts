/**
 * A synthetic catalog of n worker kinds and their prod-like stack configuration, mixing the shapes of
 * the shipped kinds: own buckets, routes on shared buckets (10 workers per bucket) and chains (every
 * 4th worker chains into the next). Used by the synthesis benchmark and the image tests.
 */
import type { WorkerDefinition } from "../../catalog/contract";

/** The name of synthetic kind `i` (`<prefix>-007`). */
export function syntheticKindName(i: number, prefix = "bench"): string {
  return `${prefix}-${String(i).padStart(3, "0")}`;
}

export function syntheticWorkers(
  n: number,
  prefix = "bench",
): { kinds: Record<string, WorkerDefinition>; workers: Record<string, unknown> } {
  const kinds: Record<string, WorkerDefinition> = {};
  const workers: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const name = syntheticKindName(i, prefix);
    kinds[name] = {
      name,
      description: `synthetic worker ${i}`,
      concurrency: 2,
      maxProcessingSeconds: 120,
      outputs: { out: { description: "output", accepts: ["worker", "s3", "rest"] } },
    };
    const chains = i % 4 === 0 && i + 1 < n;
    workers[name] = {
      cpu: 256,
      memory: 512,
      maxTasks: 5,
      input: i % 2 === 0 ? { type: "own", prefix: "in/" } : { type: "shared", bucket: `drop-${Math.floor(i / 20)}`, prefix: `${name}/` },
      outputs: {
        out: chains
          ? { type: "worker", worker: syntheticKindName(i + 1, prefix) }
          : i % 3 === 0
            ? { type: "rest", url: "https://api.example.com/in", authSecret: "ssm:/bench/token" }
            : { type: "s3", bucket: "bench-archive", prefix: `${name}/` },
      },
      secrets: { API_TOKEN: "ssm:/bench/api-token" },
    };
  }
  return { kinds, workers };
}
