/**
 * The runtime's benchmark (`npm run bench`), on one moto server on this machine, in one run:
 *
 * 1. Messages per second, same queue contents (S3 event messages for a 1-byte object), same
 *    concurrency (10), each of three consumers with two handlers:
 *    - consumers: `jobworker run` (compiled, a child process: receive, parse, handler, batched
 *      delete, one log line per job); a bare AWS SDK loop, ReceiveMessage(10) → DeleteMessageBatch
 *      (the limit); sqs-consumer 15 (batchSize 10);
 *    - handlers: a no-op (jobworker opens the object lazily, so it sends no GetObject), and one that
 *      reads the whole object (a GetObject per message, in every consumer).
 * 2. A 1 GiB object through an identity handler to S3: the worker's peak RSS (VmHWM, with the image's
 *    Node flags) and throughput, against a bare SDK GetObject → PutObject stream.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  type Message,
} from "@aws-sdk/client-sqs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Consumer } from "sqs-consumer";
import { WORKER_ENV } from "../catalog/contract";
import { RUNTIME_TUNING_ENV } from "../workers/runtime/settings";

/** The worker's memory target: peak RSS below this whatever the object size (with the image's Node flags). */
const RSS_TARGET_MIB = 150;
import { startMoto, type MotoServer } from "../test/support/moto";
import { waitFor } from "../test/support/wait";
import {
  compileEntry,
  createPipeline,
  ensureStopped,
  generatedStream,
  peakRss,
  spawnCompiledWorker,
  waitForLine,
} from "../test/integration/runtime/helpers";

// moto's ReceiveMessage deep-copies messages and scans the whole queue, so its cost grows with the
// backlog: a few hundred messages keep the run short; every variant gets the same fresh queue.
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = 10;
const BIG = Number(process.env.BENCH_BIG_BYTES ?? 1024 ** 3);
const MiB = 1024 ** 2;

let seq = 0;
async function preloadQueue(moto: MotoServer, bucket: string, key: string, eTag: string): Promise<string> {
  const sqs = new SQSClient(moto.clientConfig);
  const q = await sqs.send(new CreateQueueCommand({ QueueName: `bench-${Date.now()}-${++seq}`, Attributes: { VisibilityTimeout: "60" } }));
  const body = JSON.stringify({
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        eventName: "ObjectCreated:Put",
        eventTime: new Date().toISOString(),
        s3: { bucket: { name: bucket }, object: { key, size: 1, eTag } },
      },
    ],
  });
  for (let i = 0; i < MESSAGES; i += 10) {
    const entries = Array.from({ length: Math.min(10, MESSAGES - i) }, (_, j) => ({ Id: String(j), MessageBody: body }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: q.QueueUrl, Entries: entries }));
  }
  sqs.destroy();
  return q.QueueUrl!;
}

async function bareLoop(moto: MotoServer, queueUrl: string, withGet?: { bucket: string; key: string }): Promise<number> {
  const sqs = new SQSClient(moto.clientConfig);
  const s3 = new S3Client(moto.clientConfig);
  const started = Date.now();
  let done = 0;
  while (done < MESSAGES) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    const messages = out.Messages ?? [];
    if (withGet) {
      await Promise.all(
        messages.map(async () => {
          const o = await s3.send(new GetObjectCommand({ Bucket: withGet.bucket, Key: withGet.key }));
          await o.Body!.transformToByteArray();
        }),
      );
    }
    if (messages.length > 0) {
      const res = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
      if (res.Failed?.length) throw new Error(`bare loop: ${res.Failed.length} deletes failed`);
    }
    done += messages.length;
  }
  const seconds = (Date.now() - started) / 1000;
  sqs.destroy();
  s3.destroy();
  return MESSAGES / seconds;
}

async function sqsConsumerRun(moto: MotoServer, queueUrl: string, get?: { bucket: string; key: string }): Promise<number> {
  const sqs = new SQSClient(moto.clientConfig);
  const s3 = new S3Client(moto.clientConfig);
  let done = 0;
  const started = Date.now();
  const consumer = Consumer.create({
    queueUrl,
    sqs,
    batchSize: CONCURRENCY,
    waitTimeSeconds: 1,
    pollingWaitTimeMs: 0,
    handleMessage: async (_m: Message) => {
      if (get) {
        const o = await s3.send(new GetObjectCommand({ Bucket: get.bucket, Key: get.key }));
        await o.Body!.transformToByteArray();
      }
      done++;
      return _m;
    },
  });
  consumer.on("error", (err) => process.stderr.write(`sqs-consumer error: ${err.message}\n`));
  consumer.start();
  await waitFor("sqs-consumer drained", () => done >= MESSAGES, { timeoutMs: 600_000, intervalMs: 20 });
  const seconds = (Date.now() - started) / 1000;
  const stopped = new Promise<void>((resolve) => consumer.once("stopped", () => resolve()));
  consumer.stop();
  await stopped;
  sqs.destroy();
  s3.destroy();
  return MESSAGES / seconds;
}

async function jobworkerRun(
  moto: MotoServer,
  script: string,
  handler: "noop" | "drain",
  queueUrl: string,
  outputBucket: string,
): Promise<number> {
  const worker = spawnCompiledWorker(script, [handler], {
    ...moto.env,
    [WORKER_ENV.queueUrl]: queueUrl,
    [WORKER_ENV.outputs]: JSON.stringify({ out: { type: "s3", bucket: outputBucket } }),
    [WORKER_ENV.concurrency]: String(CONCURRENCY),
    [RUNTIME_TUNING_ENV.pollWaitSeconds]: "1",
  });
  try {
    await waitForLine(worker, "worker started");
    const started = Date.now();
    await waitFor("jobworker drained", () => worker.lines.filter((l) => l.msg === "job done").length >= MESSAGES, {
      timeoutMs: 600_000,
      intervalMs: 20,
    });
    const seconds = (Date.now() - started) / 1000;
    return MESSAGES / seconds;
  } finally {
    worker.child.kill("SIGTERM");
    await worker.exited;
  }
}

async function messageRates(moto: MotoServer, script: string, get: { bucket: string; key: string }, eTag: string): Promise<void> {
  process.stdout.write(
    `messages per second (${ROUNDS} rounds × ${MESSAGES} messages, concurrency ${CONCURRENCY}, moto on loopback; median):\n`,
  );
  const variants: Array<[string, (queueUrl: string) => Promise<number>]> = [
    ["bare", (q) => bareLoop(moto, q)],
    ["jobworker", (q) => jobworkerRun(moto, script, "noop", q, "bench-out")],
    ["sqsConsumer", (q) => sqsConsumerRun(moto, q)],
    ["bareGet", (q) => bareLoop(moto, q, get)],
    ["jobworkerGet", (q) => jobworkerRun(moto, script, "drain", q, "bench-out")],
    ["sqsConsumerGet", (q) => sqsConsumerRun(moto, q, get)],
  ];
  const samples: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < variants.length; i++) {
      const [name, run] = variants[(i + round) % variants.length]!;
      (samples[name] ??= []).push(await run(await preloadQueue(moto, get.bucket, get.key, eTag)));
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rates = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<string, number>;
  const all = (name: string) => samples[name]!.map((r) => r.toFixed(0)).join("/");
  const row = (name: string, key: string, note = "") =>
    process.stdout.write(`  ${name.padEnd(40)} ${rates[key]!.toFixed(0).padStart(6)} msg/s  (rounds ${all(key)})  ${note}\n`);
  const pct = (a: string, b: string) => `${((rates[a]! / rates[b]!) * 100).toFixed(0)}%`;
  const times = (a: string, b: string) => `${(rates[a]! / rates[b]!).toFixed(2)}x`;
  process.stdout.write(" no-op handler (the object is not read):\n");
  row("bare SDK receive/delete loop (limit)", "bare");
  row("jobworker run", "jobworker", `${pct("jobworker", "bare")} of bare`);
  row("sqs-consumer 15", "sqsConsumer", `jobworker/sqs-consumer = ${times("jobworker", "sqsConsumer")}`);
  process.stdout.write(" handler that reads the whole object (a GetObject per message):\n");
  row("bare SDK loop + GetObject", "bareGet");
  row("jobworker run", "jobworkerGet", `${pct("jobworkerGet", "bareGet")} of bare+GetObject`);
  row("sqs-consumer 15 + GetObject", "sqsConsumerGet", `jobworker/sqs-consumer = ${times("jobworkerGet", "sqsConsumerGet")}`);
}

async function main(): Promise<void> {
  const moto = await startMoto();
  const s3 = new S3Client(moto.clientConfig);
  try {
    const script = compileEntry(join(__dirname, "..", "test", "integration", "runtime", "fixtures", "worker-process.ts"));
    await s3.send(
      new CreateBucketCommand({
        Bucket: "bench-objects",
        CreateBucketConfiguration: { LocationConstraint: moto.clientConfig.region as never },
      }),
    );
    await s3.send(
      new CreateBucketCommand({
        Bucket: "bench-out",
        CreateBucketConfiguration: { LocationConstraint: moto.clientConfig.region as never },
      }),
    );
    const put = await s3.send(new PutObjectCommand({ Bucket: "bench-objects", Key: "tiny.txt", Body: "x" }));
    const eTag = put.ETag!.replace(/"/g, "");
    const get = { bucket: "bench-objects", key: "tiny.txt" };

    // Rounds, each running every variant on a fresh queue in a rotated order, and the median per
    // variant: the machine is shared, so load that comes and goes hits every variant alike.
    if (ROUNDS > 0) await messageRates(moto, script, get, eTag);

    // 1 GiB identity S3 → S3.
    const pipeline = await createPipeline(moto, { visibilityTimeout: 120 });
    const worker = spawnCompiledWorker(script, ["copy"], {
      ...moto.env,
      [WORKER_ENV.queueUrl]: pipeline.queueUrl,
      [WORKER_ENV.outputs]: JSON.stringify({ out: { type: "s3", bucket: pipeline.outputBucket } }),
      // debug: the S3 connector then logs where the upload's time went (parts vs CompleteMultipartUpload).
      [WORKER_ENV.logLevel]: "debug",
      [RUNTIME_TUNING_ENV.pollWaitSeconds]: "1",
    });
    try {
      await waitForLine(worker, "worker started");
      const idle = peakRss(worker.child.pid!);
      await new Upload({
        client: s3,
        params: { Bucket: pipeline.inputBucket, Key: "big.bin", Body: generatedStream(BIG).stream },
        partSize: 16 * MiB,
        queueSize: 2,
      }).done();
      const done = await waitForLine(worker, "job done", 900_000);
      const delivered = worker.lines.find((l) => l.msg === "delivered");
      const multipart = worker.lines.find((l) => l.msg === "multipart upload completed");
      const rss = peakRss(worker.child.pid!);
      const jobSeconds = Number(done.durationMs) / 1000;
      process.stdout.write(`\n${(BIG / 1024 ** 3).toFixed(2)} GiB through an identity handler to S3:\n`);
      process.stdout.write(
        `  jobworker: peak RSS ${(rss / MiB).toFixed(1)} MiB (target < ${RSS_TARGET_MIB} MiB: ${rss / MiB < RSS_TARGET_MIB ? "met" : "MISSED"}; idle ${(idle / MiB).toFixed(1)} MiB), ${jobSeconds.toFixed(1)} s, ${(BIG / MiB / jobSeconds).toFixed(0)} MiB/s (GetObject → scratch file, then the upload: ${(Number(delivered?.durationMs) / 1000).toFixed(1)} s = ${multipart?.parts} parts ${(Number(multipart?.partsMs) / 1000).toFixed(1)} s + CompleteMultipartUpload ${(Number(multipart?.completeMs) / 1000).toFixed(1)} s)\n`,
      );
    } finally {
      await ensureStopped(worker);
    }
    // The bare copy skips the SDK's default streaming checksum (aws-chunked encoding), which moto
    // handles at a few MB/s; the worker's multipart parts are buffers and unaffected.
    const bare = new S3Client({ ...moto.clientConfig, requestChecksumCalculation: "WHEN_REQUIRED" });
    const started = Date.now();
    const src = await bare.send(new GetObjectCommand({ Bucket: pipeline.inputBucket, Key: "big.bin" }));
    await bare.send(
      new PutObjectCommand({ Bucket: "bench-out", Key: "bare-copy.bin", Body: src.Body as Readable, ContentLength: src.ContentLength }),
    );
    bare.destroy();
    const bareSeconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `  bare SDK GetObject → PutObject stream: ${bareSeconds.toFixed(1)} s, ${(BIG / MiB / bareSeconds).toFixed(0)} MiB/s\n`,
    );
  } finally {
    s3.destroy();
    await moto.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
