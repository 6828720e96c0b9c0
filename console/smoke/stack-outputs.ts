/**
 * The stack outputs `jobworker smoke` reads (`index.ts` exports them): `clusterName`, and per worker
 * its input bucket, prefix and suffix, queues, service and output bindings. Read from a file, stdin,
 * or `pulumi stack output --json --stack <name>`; checked by a schema whose errors name the flag and
 * the missing output.
 */
import { execFile } from "node:child_process";
import { z } from "zod";
import type { ResolvedOutputBinding } from "../../catalog/contract";
import { UsageError } from "../errors";
import type { OutputsSource } from "./options";

export interface WorkerTarget {
  readonly name: string;
  readonly bucket: string;
  readonly prefix: string;
  /** An upload notifies the worker only if its key ends with this; "" for none. */
  readonly suffix: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly deadLetterQueueUrl: string;
  readonly serviceName: string;
  /** Slot → binding; absent from stacks deployed before the output existed. */
  readonly outputs?: Readonly<Record<string, ResolvedOutputBinding>>;
}

export interface StackTarget {
  readonly clusterName: string;
  readonly workers: Readonly<Record<string, WorkerTarget>>;
  /** Where the outputs came from, for messages: `--outputs out.json`, `--stack staging`. */
  readonly source: string;
}

/** How the outputs are read; injectable for tests. */
export interface OutputsReader {
  readFile(path: string): Promise<string>;
  readStdin(): Promise<string>;
  /** `pulumi stack output --json --stack <stack>`'s stdout. */
  pulumiStackOutput(stack: string): Promise<string>;
}

const binding = z.looseObject({
  type: z.enum(["s3", "rest", "sftp", "ftp"]),
  bucket: z.string().optional(),
  prefix: z.string().optional(),
});
const workerSchema = z.looseObject({
  bucket: z.string().min(1),
  prefix: z.string().default(""),
  suffix: z.string().default(""),
  queueUrl: z.url(),
  queueArn: z.string().regex(/^arn:[a-z-]+:sqs:[a-z0-9-]+:\d{12}:.+$/, { message: "is not an SQS queue ARN" }),
  deadLetterQueueUrl: z.url(),
  serviceName: z.string().min(1),
  outputs: z.record(z.string(), binding).optional(),
});
const outputsSchema = z.looseObject({
  clusterName: z.string().min(1),
  workers: z.record(z.string(), workerSchema),
});

export function describeSource(source: OutputsSource): string {
  switch (source.kind) {
    case "file":
      return `--outputs ${source.path}`;
    case "stdin":
      return "--outputs - (stdin)";
    case "stack":
      return `--stack ${source.stack}`;
  }
}

/** Parses `pulumi stack output --json`; a `UsageError` names the source and the missing output. */
export function parseStackOutputs(text: string, source: string): StackTarget {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`\`${source}\` is not JSON (${(err as Error).message}): give the output of \`pulumi stack output --json\``, {
      cause: err,
    });
  }
  const parsed = outputsSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const path = i.path.map(String).join(".");
      return i.code === "invalid_type" && i.input === undefined ? `\`${path}\` is missing` : `\`${path}\` ${i.message}`;
    });
    throw new UsageError(
      `\`${source}\` is not a jobworker stack's outputs: ${problems.join("; ")} (is the stack deployed, and is this \`pulumi stack output --json\` of it?)`,
    );
  }
  const workers: Record<string, WorkerTarget> = {};
  for (const [name, w] of Object.entries(parsed.data.workers)) {
    workers[name] = {
      name,
      bucket: w.bucket,
      prefix: w.prefix,
      suffix: w.suffix,
      queueUrl: w.queueUrl,
      queueArn: w.queueArn,
      deadLetterQueueUrl: w.deadLetterQueueUrl,
      serviceName: w.serviceName,
      ...(w.outputs ? { outputs: w.outputs as unknown as Record<string, ResolvedOutputBinding> } : {}),
    };
  }
  if (Object.keys(workers).length === 0)
    throw new UsageError(`\`${source}\` lists no workers: the stack declares none under jobworker:workers`);
  return { clusterName: parsed.data.clusterName, workers, source };
}

/** Reads and parses the outputs from where the flags say. */
export async function readStackOutputs(source: OutputsSource, reader: OutputsReader): Promise<StackTarget> {
  const label = describeSource(source);
  let text: string;
  try {
    text =
      source.kind === "file"
        ? await reader.readFile(source.path)
        : source.kind === "stdin"
          ? await reader.readStdin()
          : await reader.pulumiStackOutput(source.stack);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`\`${label}\`: ${(err as Error).message}`, { cause: err });
  }
  return parseStackOutputs(text, label);
}

/** The worker the flags name, or the stack's only one. */
export function chooseWorker(target: StackTarget, worker: string | undefined): WorkerTarget {
  const names = Object.keys(target.workers).sort();
  if (worker === undefined) {
    if (names.length === 1) return target.workers[names[0]!]!;
    throw new UsageError(
      `\`--worker\` is required: \`${target.source}\` has ${names.length} workers (${names.join(", ")}); pass --worker <name>`,
    );
  }
  const found = target.workers[worker];
  if (!found) throw new UsageError(`\`--worker ${worker}\` is not a worker of \`${target.source}\`; its workers: ${names.join(", ")}`);
  return found;
}

/** The region of the stack's queues (`arn:aws:sqs:<region>:…`). */
export function regionOf(worker: WorkerTarget): string {
  return worker.queueArn.split(":")[3]!;
}

/** Runs the Pulumi CLI; its errors become usage errors naming `--stack` and the alternative. */
export function pulumiStackOutput(stack: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "pulumi",
      ["stack", "output", "--json", "--stack", stack],
      { env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const code = (err as NodeJS.ErrnoException).code;
        const why =
          code === "ENOENT"
            ? "the Pulumi CLI (`pulumi`) is not on the PATH"
            : `\`pulumi stack output --json --stack ${stack}\` failed: ${(stderr || err.message).trim().split("\n")[0]}`;
        reject(
          new UsageError(
            `\`--stack ${stack}\`: ${why}; log in to the stack's backend, or pass \`--outputs <file>\` written by \`pulumi stack output --json\``,
            { cause: err },
          ),
        );
      },
    );
  });
}
