/**
 * `npm start` (the README's first command): the pipeline on this machine in a minute.
 *
 *  1. starts moto server on loopback (creating `.venv` with `scripts/setup.sh --python-only` if missing);
 *  2. creates the prod stack's buckets, queues, dead-letter queues and S3 → SQS notifications there
 *     (`scripts/local-pipeline-plan.ts`; outputs to systems that don't exist here go to a local bucket);
 *  3. starts one `jobworker run <worker>` process per worker;
 *  4. drops the kinds' sample files (`workers/kinds/<kind>/samples/`) into their inputs;
 *  5. prints each job as it flows and where each result landed (also copied to `.local/results/`).
 *
 * Ctrl-C stops everything it started. `--once` (CI) exits when the samples and everything they chain
 * into are processed: 0 when every job succeeded and every dead-letter queue is empty, 1 otherwise.
 */
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
  type QueueConfiguration,
} from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { WORKER_ENV } from "../catalog/contract";
import { MOTO_BIN, startMoto, type MotoServer } from "../test/support/moto";
import { createGpgKeyring, type GpgKeyring } from "../test/support/gpg";
import {
  DELIVERIES_BUCKET,
  LOCAL_PGP_DIR,
  LOCAL_PGP_REFS,
  planLocalPipeline,
  readStackWorkers,
  ROOT,
  type LocalPlan,
  type PlannedWorker,
} from "./local-pipeline-plan";

export interface PipelineOptions {
  /** Exit once the samples are processed. */
  readonly once: boolean;
  /** Give up waiting in `--once` mode after this many seconds. @default 180 */
  readonly timeoutSeconds: number;
  /** Where results are copied. @default .local/results */
  readonly resultsDir: string;
}

export function parseArgs(argv: readonly string[]): PipelineOptions {
  const once = argv.includes("--once") || argv.includes("--ci");
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const unknown = argv.filter((a) => !["--once", "--ci"].includes(a) && !/^--(timeout|results)=/.test(a));
  if (unknown.length > 0)
    throw new Error(`unknown argument ${unknown[0]}: usage npm start [-- --once] [-- --timeout=<seconds>] [-- --results=<dir>]`);
  const timeout = value("timeout");
  const timeoutSeconds = timeout === undefined ? 180 : Number(timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    throw new Error(`--timeout must be a positive number of seconds, got ${timeout}`);
  return { once, timeoutSeconds, resultsDir: resolve(value("results") ?? join(ROOT, ".local", "results")) };
}

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const pad = (s: string, n: number) => s.padEnd(n);

async function provision(moto: MotoServer, plan: LocalPlan): Promise<Map<string, { queueUrl: string; dlqUrl: string }>> {
  const s3 = new S3Client(moto.clientConfig);
  const sqs = new SQSClient(moto.clientConfig);
  try {
    for (const Bucket of plan.buckets) {
      await s3.send(
        new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: moto.clientConfig.region as never } }),
      );
    }
    const queues = new Map<string, { queueUrl: string; dlqUrl: string; queueArn: string }>();
    for (const w of plan.workers) {
      const dlq = await sqs.send(
        new CreateQueueCommand({ QueueName: w.deadLetterQueueName, Attributes: { MessageRetentionPeriod: "1209600" } }),
      );
      const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes!
        .QueueArn!;
      const q = await sqs.send(
        new CreateQueueCommand({
          QueueName: w.queueName,
          Attributes: {
            VisibilityTimeout: String(w.visibilityTimeoutSeconds),
            ReceiveMessageWaitTimeSeconds: "20",
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: w.maxReceiveCount }),
          },
        }),
      );
      const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: q.QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes!
        .QueueArn!;
      queues.set(w.name, { queueUrl: q.QueueUrl!, dlqUrl: dlq.QueueUrl!, queueArn });
    }
    // One notification configuration per bucket (the API replaces it whole), one queue per worker.
    const byBucket = new Map<string, QueueConfiguration[]>();
    for (const w of plan.workers) {
      const rules = [
        ...(w.prefix ? [{ Name: "prefix" as const, Value: w.prefix }] : []),
        ...(w.suffix ? [{ Name: "suffix" as const, Value: w.suffix }] : []),
      ];
      byBucket.set(w.inputBucket, [
        ...(byBucket.get(w.inputBucket) ?? []),
        {
          Id: w.name,
          QueueArn: queues.get(w.name)!.queueArn,
          Events: ["s3:ObjectCreated:*"],
          ...(rules.length ? { Filter: { Key: { FilterRules: rules } } } : {}),
        },
      ]);
    }
    for (const [Bucket, QueueConfigurations] of byBucket) {
      await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket, NotificationConfiguration: { QueueConfigurations } }));
    }
    return queues;
  } finally {
    s3.destroy();
    sqs.destroy();
  }
}

interface WorkerProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

interface Progress {
  done: number;
  failed: number;
  deadLettered: number;
  lastActivity: number;
  results: string[];
  started: Set<string>;
}

/** The fields of the worker's pino lines that the progress display reads. */
interface WorkerLogLine {
  readonly msg?: string;
  readonly level?: string;
  readonly key?: string;
  readonly durationMs?: number;
  readonly outputs?: readonly { target: string; bytes: number }[];
  readonly err?: { message?: string };
  readonly permanent?: boolean;
  readonly reason?: string;
  readonly line?: number;
}

function startWorker(
  w: PlannedWorker,
  queueUrl: string,
  moto: MotoServer,
  progress: Progress,
  onResult: (target: string) => void,
): WorkerProcess {
  const child = spawn(process.execPath, [join(ROOT, "workers", "bin", "jobworker.js"), "run", w.name], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      ...moto.env,
      [WORKER_ENV.worker]: w.name,
      [WORKER_ENV.queueUrl]: queueUrl,
      [WORKER_ENV.outputs]: JSON.stringify(w.outputs),
      [WORKER_ENV.scratchDir]: join(ROOT, ".local", "scratch", w.name),
      [WORKER_ENV.shutdownSeconds]: "10",
      // Seconds, not minutes, between retries: a local run shows a failing job's fate quickly.
      JOBWORKER_RETRY_BASE_SECONDS: "1",
      JOBWORKER_RETRY_CAP_SECONDS: "5",
      // REST/SFTP/FTP targets do not exist here: their slots are bound to the local bucket instead.
      JOBWORKER_LOCAL_REDIRECT: "true",
    },
  });
  const tag = `[${w.name}]`;
  let partial = "";
  child.stdout!.on("data", (d: Buffer) => {
    const lines = (partial + d.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.trim()) continue;
      let entry: WorkerLogLine;
      try {
        entry = JSON.parse(line);
      } catch {
        say(`${tag} ${line}`);
        continue;
      }
      progress.lastActivity = Date.now();
      switch (entry.msg) {
        case "worker started":
          progress.started.add(w.name);
          say(`${pad(tag, 26)} ready, polling ${w.queueName}`);
          break;
        case "job done":
          progress.done++;
          for (const o of entry.outputs ?? []) {
            say(`${pad(tag, 26)} ✔ ${entry.key} → ${o.target} (${o.bytes} B, ${entry.durationMs} ms)`);
            progress.results.push(o.target);
            onResult(o.target);
          }
          break;
        case "job failed":
          progress.failed++;
          say(`${pad(tag, 26)} ✖ ${entry.key}: ${entry.err?.message ?? "failed"}${entry.permanent ? " (permanent)" : " (will retry)"}`);
          break;
        case "message sent to the dead-letter queue":
          progress.deadLettered++;
          say(`${pad(tag, 26)} ☠ sent to ${w.deadLetterQueueName}: ${entry.reason}`);
          break;
        case "row rejected":
          say(`${pad(tag, 26)}   row ${entry.line} rejected: ${entry.reason}`);
          break;
        case "job failed on its last receive; the redrive policy moves it to the dead-letter queue":
          progress.deadLettered++;
          say(`${pad(tag, 26)} ☠ last attempt failed; redrive moves it to ${w.deadLetterQueueName}`);
          break;
        default:
          if (entry.level === "error" || entry.level === "fatal")
            say(`${pad(tag, 26)} ${entry.msg}${entry.err?.message ? `: ${entry.err.message}` : ""}`);
      }
    }
  });
  child.stderr!.on("data", (d: Buffer) => process.stderr.write(`${tag} ${d.toString("utf8")}`));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { name: w.name, child, exited };
}

async function queueDepths(moto: MotoServer, urls: string[]): Promise<number> {
  const sqs = new SQSClient(moto.clientConfig);
  try {
    let total = 0;
    for (const QueueUrl of urls) {
      const a = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      total += Number(a.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(a.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    }
    return total;
  } finally {
    sqs.destroy();
  }
}

/**
 * The local OpenPGP keyrings the plan's bindings reference (made once with gpg, kept in .local/pgp):
 * the partner's, to decrypt what was delivered, and ours, to sign.
 */
function localKeyrings(plan: LocalPlan): { partner?: GpgKeyring } {
  const refs = new Set(plan.workers.flatMap((w) => Object.values(w.outputs).flatMap((o) => Object.values(o as Record<string, unknown>))));
  if (!refs.has(LOCAL_PGP_REFS.pgpPublicKeySecret)) return {};
  const signs = refs.has(LOCAL_PGP_REFS.pgpSigningKeySecret);
  say(
    `OpenPGP: the partner's key${signs ? " and ours (to sign) are throwaway keys" : " is a throwaway key"} in ${relative(process.cwd(), LOCAL_PGP_DIR)}/ (made once with gpg)`,
  );
  const partner = createGpgKeyring("Partner (local)", "", join(LOCAL_PGP_DIR, "partner"));
  if (signs) {
    const ours = createGpgKeyring("Jobworker (local)", "local only", join(LOCAL_PGP_DIR, "ours"));
    partner.gpg(["--import", ours.publicKeyFile]);
  }
  return { partner };
}

/** Decrypts an OpenPGP result with the local partner key next to it (`<file>.decrypted`); the line to print. */
function decryptResult(partner: GpgKeyring, file: string): string {
  const decrypted = `${file}.decrypted`;
  const r = partner.gpg(["--yes", "--output", decrypted, "--decrypt", file]);
  if (r.status !== 0) return `could not decrypt ${relative(process.cwd(), file)} with the local partner key: ${r.stderr.trim()}`;
  return `decrypted with the local partner key → ${relative(process.cwd(), decrypted)} (gpg --homedir ${relative(process.cwd(), partner.home)} --decrypt)`;
}

async function copyResult(moto: MotoServer, target: string, resultsDir: string): Promise<string | undefined> {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(target);
  if (!match) return undefined;
  const [, Bucket, Key] = match;
  const file = join(resultsDir, Bucket!, Key!);
  mkdirSync(dirname(file), { recursive: true });
  const s3 = new S3Client(moto.clientConfig);
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket, Key }));
    await pipeline(out.Body as Readable, createWriteStream(file));
    return file;
  } finally {
    s3.destroy();
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  const options = parseArgs(argv);
  if (!existsSync(MOTO_BIN)) {
    say("moto server is not installed yet: running `bash scripts/setup.sh --python-only` (a minute, once)");
    const setup = spawnSync("bash", [join(ROOT, "scripts", "setup.sh"), "--python-only"], { cwd: ROOT, stdio: "inherit" });
    if (setup.status !== 0) throw new Error("scripts/setup.sh --python-only failed: python3 with venv and pip is needed");
  }
  const plan = planLocalPipeline(readStackWorkers());
  say(`jobworker local pipeline: ${plan.workers.length} workers from Pulumi.prod.yaml`);
  const { partner } = localKeyrings(plan);
  const moto = await startMoto();
  say(`moto server (S3 + SQS emulator) on ${moto.endpoint}`);
  const workers: WorkerProcess[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      say("stopping workers and moto server …");
      for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGTERM");
      await Promise.all(workers.map((w) => w.exited));
      await moto.stop();
    })());
  const onSignal = () => void stopAll().then(() => process.exit(0));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const queues = await provision(moto, plan);
    for (const w of plan.workers) {
      say(
        `  ${pad(w.name, 24)} s3://${w.inputBucket}/${w.prefix}*${w.suffix ?? ""} → queue ${w.queueName} (DLQ ${w.deadLetterQueueName} after ${w.maxReceiveCount} receives)`,
      );
      for (const [slot, o] of Object.entries(w.outputs))
        if (o.type === "s3") say(`  ${pad("", 24)}   output ${slot} → s3://${o.bucket}/${o.prefix ?? ""}`);
      for (const r of w.redirects) say(`  ${pad("", 24)}   redirected: ${r}`);
    }
    const progress: Progress = { done: 0, failed: 0, deadLettered: 0, lastActivity: Date.now(), results: [], started: new Set() };
    const copies: Promise<void>[] = [];
    const onResult = (target: string) => {
      copies.push(
        copyResult(moto, target, options.resultsDir).then<void, void>(
          (file) => {
            if (file && target.startsWith(`s3://${DELIVERIES_BUCKET}/`)) say(`${pad("", 26)}   copied to ${relative(process.cwd(), file)}`);
            if (file && partner && /\.(pgp|gpg|asc)$/.test(file)) say(`${pad("", 26)}   ${decryptResult(partner, file)}`);
          },
          (err: unknown) => {
            say(`could not copy ${target}: ${(err as Error).message}`);
          },
        ),
      );
    };
    for (const w of plan.workers) workers.push(startWorker(w, queues.get(w.name)!.queueUrl, moto, progress, onResult));
    const deadline = Date.now() + options.timeoutSeconds * 1000;
    while (progress.started.size < workers.length) {
      if (workers.some((w) => w.child.exitCode !== null)) throw new Error("a worker process exited during start (see its output above)");
      if (Date.now() > deadline) throw new Error("workers did not start in time");
      await new Promise((r) => setTimeout(r, 100));
    }
    const s3 = new S3Client(moto.clientConfig);
    let dropped = 0;
    for (const w of plan.workers) {
      for (const sample of w.samples) {
        await s3.send(new PutObjectCommand({ Bucket: w.inputBucket, Key: sample.key, Body: readFileSync(sample.file) }));
        say(`dropped ${relative(ROOT, sample.file)} → s3://${w.inputBucket}/${sample.key}`);
        dropped++;
      }
    }
    s3.destroy();
    if (!options.once) {
      say(
        `\nRunning. Drop more files with: AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing .venv/bin/aws --endpoint-url ${moto.endpoint} s3 cp <file> s3://${plan.workers[0]?.inputBucket}/${plan.workers[0]?.prefix ?? ""}`,
      );
      say("Ctrl-C stops everything.\n");
      await new Promise<never>(() => {});
    }
    // --once: done when every sample (and what it chains into) was processed and the queues are empty.
    const urls = [...queues.values()].map((q) => q.queueUrl);
    const dlqs = [...queues.values()].map((q) => q.dlqUrl);
    for (;;) {
      if (Date.now() > deadline)
        throw new Error(`timed out after ${options.timeoutSeconds} s: ${progress.done} jobs done, ${progress.failed} failed`);
      if (workers.some((w) => w.child.exitCode !== null)) throw new Error("a worker process exited (see its output above)");
      const quiet = Date.now() - progress.lastActivity > 1500;
      if (quiet && progress.done + progress.deadLettered >= dropped && (await queueDepths(moto, urls)) === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await Promise.all(copies);
    const dead = await queueDepths(moto, dlqs);
    say(`\n${progress.done} jobs done, ${progress.failed} failed attempts, ${dead} messages in dead-letter queues.`);
    say(`Results (copied under ${relative(process.cwd(), options.resultsDir) || "."}):`);
    for (const r of progress.results) say(`  ${r}`);
    return progress.failed === 0 && dead === 0 ? 0 : 1;
  } finally {
    await stopAll();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
