/**
 * The local pipeline's plan, as plain data from the prod stack's `jobworker:workers`: which buckets,
 * queues and notifications to create on moto, each worker's `JOBWORKER_OUTPUTS`, and which sample
 * files to drop where. Output bindings to systems that do not exist on this machine (REST, SFTP, FTP,
 * buckets of other accounts) are redirected to the local bucket `local-deliveries`, format kept.
 * Pure: `npm start` executes it, tests read it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import type { OutputBinding, ResolvedOutputBinding } from "../catalog/contract";
import { workerKinds } from "../catalog/kinds";
import { orderWorkers, parseWorkersConfig, type WorkersConfig } from "../config/workers";

export const ROOT = join(__dirname, "..");
export const DELIVERIES_BUCKET = "local-deliveries";
/** Throwaway OpenPGP keyrings of a local run (`npm start` makes them with gpg): the partner's and ours. */
export const LOCAL_PGP_DIR = join(ROOT, ".local", "pgp");
/** What a redirected binding's OpenPGP references become: files of the local keyrings. */
export const LOCAL_PGP_REFS = {
  pgpPublicKeySecret: `file:${join(LOCAL_PGP_DIR, "partner", "public.asc")}`,
  pgpSigningKeySecret: `file:${join(LOCAL_PGP_DIR, "ours", "secret.asc")}`,
  pgpPassphraseSecret: `file:${join(LOCAL_PGP_DIR, "ours", "passphrase")}`,
} as const;
/** Partner file delivery fields a redirect keeps: the local result is named and packaged as the partner's. */
const FILE_FIELDS = ["fileName", "timeZone", "compression", "zipEntryName", "pgpArmor", "checksumFiles", "triggerFile"] as const;

export interface PlannedWorker {
  readonly name: string;
  readonly inputBucket: string;
  readonly prefix: string;
  readonly suffix?: string;
  readonly queueName: string;
  readonly deadLetterQueueName: string;
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutSeconds: number;
  readonly outputs: Readonly<Record<string, ResolvedOutputBinding>>;
  /** Human-readable notes on redirected outputs. */
  readonly redirects: readonly string[];
  /** Sample files dropped into this worker's input (only for workers no other worker feeds). */
  readonly samples: ReadonlyArray<{ readonly file: string; readonly key: string }>;
  /** Other workers writing into this one's input. */
  readonly fedBy: readonly string[];
}

export interface LocalPlan {
  readonly workers: readonly PlannedWorker[];
  readonly buckets: readonly string[];
}

/** Reads `jobworker:workers` of a stack file. */
export function readStackWorkers(stackFile = join(ROOT, "Pulumi.prod.yaml")): WorkersConfig {
  const doc = parseYaml(readFileSync(stackFile, "utf8")) as { config?: Record<string, unknown> };
  const raw = doc.config?.["jobworker:workers"];
  if (raw === undefined) throw new Error(`${stackFile} has no \`jobworker:workers\``);
  return parseWorkersConfig(raw);
}

function inputOf(name: string, workers: WorkersConfig): { bucket: string; prefix: string; suffix?: string } {
  const input = workers[name]?.input ?? { type: "own" as const };
  const bucket = input.type === "shared" ? input.bucket : `${name}-input`;
  return { bucket, prefix: input.prefix ?? "", suffix: input.suffix };
}

/** The plan for `workers`; `samplesDir(kind)` lists a kind's sample files. */
export function planLocalPipeline(
  workers: WorkersConfig,
  samplesDir = (kind: string) => join(ROOT, "workers", "kinds", kind, "samples"),
): LocalPlan {
  const names = orderWorkers(workers).reverse();
  const fedBy = new Map<string, string[]>();
  for (const name of names) {
    for (const binding of Object.values(workers[name]!.outputs) as OutputBinding[]) {
      if (binding.type === "worker") fedBy.set(binding.worker, [...(fedBy.get(binding.worker) ?? []), name]);
    }
  }
  const planned = names.map((name): PlannedWorker => {
    const w = workers[name]!;
    const definition = workerKinds[name]!;
    const input = inputOf(name, workers);
    const redirects: string[] = [];
    const outputs: Record<string, ResolvedOutputBinding> = {};
    for (const [slot, binding] of Object.entries(w.outputs) as Array<[string, OutputBinding]>) {
      if (binding.type === "worker") {
        const target = inputOf(binding.worker, workers);
        outputs[slot] = { type: "s3", bucket: target.bucket, prefix: target.prefix };
      } else {
        const files = binding.type === "rest" ? {} : partnerFileFields(binding);
        const local = {
          type: "s3" as const,
          bucket: DELIVERIES_BUCKET,
          prefix: `${name}/${slot}/`,
          ...(binding.format ? { format: binding.format } : {}),
          ...files,
        };
        outputs[slot] = local;
        const kept = [
          binding.format ? `still ${binding.format.messageType} protobuf` : "",
          "fileName" in files ? `named ${files.fileName}` : "",
          "pgpPublicKeySecret" in files ? "OpenPGP-encrypted to a local partner key" : "",
        ].filter((k) => k !== "");
        redirects.push(
          `${slot}: ${describe(binding)} does not exist here → s3://${DELIVERIES_BUCKET}/${local.prefix}${kept.length > 0 ? ` (${kept.join(", ")})` : ""}`,
        );
      }
    }
    const feeders = fedBy.get(name) ?? [];
    let samples: Array<{ file: string; key: string }> = [];
    if (feeders.length === 0) {
      const dir = samplesDir(name);
      let files: string[] = [];
      try {
        files = readdirSync(dir)
          .filter((f) => !f.startsWith("."))
          .sort();
      } catch {
        files = [];
      }
      samples = files
        .map((f) => ({ file: join(dir, f), key: `${input.prefix}${f}` }))
        .filter((s) => input.suffix === undefined || s.key.endsWith(input.suffix));
    }
    return {
      name,
      inputBucket: input.bucket,
      prefix: input.prefix,
      suffix: input.suffix,
      queueName: name,
      deadLetterQueueName: `${name}-dlq`,
      maxReceiveCount: w.maxReceiveCount ?? 5,
      visibilityTimeoutSeconds: definition.maxProcessingSeconds,
      outputs,
      redirects,
      samples,
      fedBy: feeders,
    };
  });
  const buckets = [
    ...new Set([
      ...planned.map((p) => p.inputBucket),
      ...planned.flatMap((p) => Object.values(p.outputs).map((o) => (o as { bucket: string }).bucket)),
    ]),
  ].sort();
  return { workers: planned, buckets };
}

/** A binding's partner file fields, its OpenPGP references swapped for the local keyrings' files. */
function partnerFileFields(binding: Exclude<OutputBinding, { type: "worker" | "rest" }>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const field of FILE_FIELDS) if (binding[field] !== undefined) fields[field] = binding[field];
  for (const [field, ref] of Object.entries(LOCAL_PGP_REFS))
    if (binding[field as keyof typeof LOCAL_PGP_REFS] !== undefined) fields[field] = ref;
  return fields;
}

function describe(binding: Exclude<OutputBinding, { type: "worker" }>): string {
  switch (binding.type) {
    case "rest":
      return `REST ${binding.method ?? "POST"} ${binding.url}`;
    case "sftp":
      return `SFTP ${binding.host}:${binding.port ?? 22}${binding.directory}`;
    case "ftp":
      return `FTP ${binding.host}:${binding.port ?? 21}${binding.directory}`;
    case "s3":
      return `s3://${binding.bucket}/${binding.prefix ?? ""}`;
  }
}
