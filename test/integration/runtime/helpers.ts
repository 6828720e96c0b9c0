/**
 * Shared by the runtime integration tests: a worker's AWS resources on moto (input bucket with a real
 * S3 → SQS notification, queue with a redrive policy to a DLQ, output bucket), an in-process worker
 * with the real S3 connector, child worker processes, and small S3/SQS readers.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketNotificationConfigurationCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { Agent as HttpAgent } from "node:http";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Readable, Writable } from "node:stream";
import pino, { type Logger } from "pino";
import { loadProtobufEncoder } from "../../../workers/connectors/protobuf";
import { createConnector } from "../../../workers/connectors";
import { createSecretResolver } from "../../../workers/secrets";
import type { WorkerEvent } from "../../../workers/runtime/events";
import type { RuntimeSettings } from "../../../workers/runtime/settings";
import type { WorkerKind } from "../../../workers/runtime/types";
import { sdkLogger } from "../../../workers/runtime/clients";
import { Worker } from "../../../workers/runtime/worker";
import type { MotoServer } from "../../support/moto";
import { waitFor } from "../../support/wait";

export interface Pipeline {
  readonly inputBucket: string;
  readonly outputBucket: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly maxReceiveCount: number;
}

let counter = 0;

/** Input bucket → notification → queue (+DLQ, redrive) and an output bucket, with unique names. */
export async function createPipeline(
  moto: MotoServer,
  options: { visibilityTimeout?: number; maxReceiveCount?: number } = {},
): Promise<Pipeline> {
  const id = `${Date.now().toString(36)}-${++counter}`;
  const s3 = new S3Client(moto.clientConfig);
  const sqs = new SQSClient(moto.clientConfig);
  const maxReceiveCount = options.maxReceiveCount ?? 3;
  const inputBucket = `in-${id}`;
  const outputBucket = `out-${id}`;
  for (const Bucket of [inputBucket, outputBucket]) {
    await s3.send(
      new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: moto.clientConfig.region as never } }),
    );
  }
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `dlq-${id}` }));
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes!
    .QueueArn!;
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: `q-${id}`,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeout ?? 30),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
      },
    }),
  );
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes!
    .QueueArn!;
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: inputBucket,
      NotificationConfiguration: { QueueConfigurations: [{ QueueArn: queueArn, Events: ["s3:ObjectCreated:*"] }] },
    }),
  );
  s3.destroy();
  sqs.destroy();
  return { inputBucket, outputBucket, queueUrl: queue.QueueUrl!, dlqUrl: dlq.QueueUrl!, maxReceiveCount };
}

export function testSettings(pipeline: Pipeline, overrides: Partial<RuntimeSettings> = {}): RuntimeSettings {
  return {
    worker: "test",
    queueUrl: pipeline.queueUrl,
    outputs: { out: { type: "s3", bucket: pipeline.outputBucket } },
    concurrency: 4,
    maxProcessingSeconds: 60,
    shutdownSeconds: 10,
    scratchDir: mkdtempSync(join(tmpdir(), "jobworker-test-")),
    logLevel: "info",
    pollWaitSeconds: 1,
    retryBaseSeconds: 0,
    retryCapSeconds: 1,
    maxHandoffs: 20,
    ...overrides,
  };
}

export interface RecordedLogs {
  readonly logger: Logger;
  readonly lines: Array<Record<string, unknown>>;
  /** The same lines as written (before parsing), for what parsing hides: duplicate keys. */
  readonly raw: string[];
  withMsg(msg: string): Array<Record<string, unknown>>;
}

export function recordingLogger(): RecordedLogs {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line.trim()) continue;
        raw.push(line);
        lines.push(JSON.parse(line));
      }
      cb();
    },
  });
  return { logger: pino({ level: "debug" }, sink), lines, raw, withMsg: (msg) => lines.filter((l) => l.msg === msg) };
}

export interface RunningWorker {
  readonly worker: Worker;
  readonly events: WorkerEvent[];
  readonly logs: RecordedLogs;
  stop(): Promise<void>;
}

/** An in-process worker with the real S3 connector, clients pointed at `endpoint` (moto, or a fault proxy in front of it). */
export async function startWorker(
  moto: MotoServer,
  kind: WorkerKind,
  settings: RuntimeSettings,
  options: { endpoint?: string; maxAttempts?: number; maxSockets?: number; onSqs?: (sqs: SQSClient) => void } = {},
): Promise<RunningWorker> {
  const logs = recordingLogger();
  const config = {
    ...moto.clientConfig,
    endpoint: options.endpoint ?? moto.endpoint,
    maxAttempts: options.maxAttempts ?? 6,
    retryMode: "standard",
    logger: sdkLogger(logs.logger),
  };
  // A small pool makes a leaked connection (a response nobody read or destroyed) stall the next job.
  const s3Config =
    options.maxSockets === undefined
      ? config
      : { ...config, requestHandler: { httpAgent: new HttpAgent({ keepAlive: true, maxSockets: options.maxSockets }) } };
  const s3 = new S3Client(s3Config);
  const sqs = new SQSClient(config);
  // Tests add middleware here to make one SQS call fail.
  options.onSqs?.(sqs);
  const secrets = createSecretResolver();
  const connectors = Object.fromEntries(
    await Promise.all(
      Object.entries(settings.outputs).map(
        async ([slot, binding]) =>
          [
            slot,
            await createConnector(binding, { s3, logger: logs.logger, secrets, retry: { baseDelayMs: 20, maxDelayMs: 200 } }),
          ] as const,
      ),
    ),
  );
  // Slots with a `format` get their encoder, as `createOutputs` gives them in `jobworker run`.
  const encoders = Object.fromEntries(
    await Promise.all(
      Object.entries(settings.outputs)
        .filter(([, binding]) => binding.format !== undefined)
        .map(
          async ([slot, binding]) =>
            [slot, await loadProtobufEncoder(binding.format!, { field: `JOBWORKER_OUTPUTS.${slot}.format` })] as const,
        ),
    ),
  );
  const events: WorkerEvent[] = [];
  const worker = new Worker({
    kind,
    settings,
    s3,
    sqs,
    connectors,
    encoders,
    logger: logs.logger,
    onEvent: (e) => events.push(e),
    taskProtection: undefined,
  });
  await worker.start();
  return {
    worker,
    events,
    logs,
    async stop() {
      await worker.stop("test done");
      s3.destroy();
      sqs.destroy();
    },
  };
}

export function eventsOf<T extends WorkerEvent["type"]>(events: readonly WorkerEvent[], type: T): Array<Extract<WorkerEvent, { type: T }>> {
  return events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type);
}

export async function listKeys(s3: S3Client, bucket: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

export async function getText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await out.Body!.transformToString()) ?? "";
}

/** Visible + in-flight + delayed messages of a queue. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/** Receives (and leaves invisible for `visibility` s) up to 10 messages of a queue, e.g. the DLQ. */
export async function receiveAll(sqs: SQSClient, queueUrl: string, visibility = 30) {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      VisibilityTimeout: visibility,
      MessageAttributeNames: ["All"],
      MessageSystemAttributeNames: ["All"],
    }),
  );
  return out.Messages ?? [];
}

export const ROOT = join(__dirname, "..", "..", "..");

export interface ChildWorker {
  readonly child: ChildProcess;
  /** Parsed JSON log lines so far. */
  readonly lines: Array<Record<string, unknown>>;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a worker process: `args` after node (a script and its arguments), env on top of moto's.
 * `node` picks another Node binary (e.g. the system's), `nodeFlags` go before everything (`--expose-gc`).
 */
export function spawnWorker(
  args: string[],
  env: Record<string, string>,
  options: { plainNode?: boolean; node?: string; nodeFlags?: string[] } = {},
): ChildWorker {
  const flags = [...(options.nodeFlags ?? []), ...(options.plainNode ? [] : ["-r", "ts-node/register/transpile-only"])];
  const child = spawn(options.node ?? process.execPath, [...flags, ...args], {
    cwd: ROOT,
    env: { ...process.env, TS_NODE_PROJECT: join(ROOT, "tsconfig.json"), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: Array<Record<string, unknown>> = [];
  let partial = "";
  child.stdout!.on("data", (d: Buffer) => {
    const parts = (partial + d.toString("utf8")).split("\n");
    partial = parts.pop() ?? "";
    for (const p of parts) {
      if (!p.trim()) continue;
      try {
        lines.push(JSON.parse(p));
      } catch {
        lines.push({ msg: p, unparsed: true });
      }
    }
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, lines, stderr: () => stderr, exited };
}

/** Waits for a child's log line with message `msg`. */
export function waitForLine(worker: ChildWorker, msg: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  return waitFor(`log line "${msg}" (stderr: ${worker.stderr().slice(-500)})`, () => worker.lines.find((l) => l.msg === msg), {
    timeoutMs,
    intervalMs: 50,
  });
}

/** Kills a child if still running and waits for it to exit. */
export async function ensureStopped(worker: ChildWorker | undefined): Promise<void> {
  if (!worker || worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill("SIGKILL");
  await worker.exited;
}

/**
 * Compiles a TypeScript entry point (and what it imports) to JavaScript under `test-artifacts/`, with
 * no type check (the suite's typecheck does that), so a child process runs the way the container
 * image does: plain Node, no ts-node and no TypeScript compiler in its memory. Returns the .js path.
 */
export function compileEntry(entry: string): string {
  const outDir = join(ROOT, "test-artifacts", "compiled");
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const args = [
    tsc,
    "--outDir",
    outDir,
    "--rootDir",
    ROOT,
    "--noCheck",
    "--target",
    "ES2022",
    "--module",
    "commonjs",
    "--moduleResolution",
    "node",
    "--esModuleInterop",
    "--skipLibCheck",
    "--resolveJsonModule",
    entry,
  ];
  const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`tsc failed for ${entry}: ${result.stdout}${result.stderr}`);
  return join(outDir, relative(ROOT, entry)).replace(/\.ts$/, ".js");
}

/** The memory settings the worker image sets (workers/Dockerfile; a unit test keeps them equal). */
export const IMAGE_NODE_OPTIONS = "--max-semi-space-size=1";
export const IMAGE_MALLOC_ARENA_MAX = "2";

/** Starts a compiled worker script with plain Node and the image's Node flags. */
export function spawnCompiledWorker(script: string, args: string[], env: Record<string, string>): ChildWorker {
  return spawnWorker(
    [script, ...args],
    { NODE_OPTIONS: IMAGE_NODE_OPTIONS, MALLOC_ARENA_MAX: IMAGE_MALLOC_ARENA_MAX, ...env },
    { plainNode: true },
  );
}

/** `total` bytes of varied content in 1 MiB chunks, hashed as they are generated. */
export function generatedStream(total: number): { stream: Readable; sha256: () => string } {
  const block = randomBytes(1024 * 1024);
  const hash = createHash("sha256");
  let sent = 0;
  let n = 0;
  const stream = new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const size = Math.min(block.length, total - sent);
      const chunk = Buffer.from(block.subarray(0, size));
      chunk.writeUInt32LE(n++, 0); // every chunk differs
      hash.update(chunk);
      sent += size;
      this.push(chunk);
    },
  });
  return { stream, sha256: () => hash.digest("hex") };
}

/** Peak resident set size of a live process, bytes (Linux `VmHWM`). */
export function peakRss(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!match) throw new Error(`no VmHWM for pid ${pid}`);
  return Number(match[1]) * 1024;
}
