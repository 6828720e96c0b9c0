/**
 * Worker processes against moto server: the `jobworker` CLI end to end with a shipped kind, `kill -9`
 * mid-job, SIGTERM mid-job, and SIGTERM with a job that outlives the shutdown deadline.
 */
import assert from "node:assert/strict";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { WORKER_ENV } from "../../../catalog/contract";
import { RUNTIME_TUNING_ENV } from "../../../workers/runtime/settings";
import { startMoto, type MotoServer } from "../../support/moto";
import { waitFor } from "../../support/wait";
import {
  createPipeline,
  ensureStopped,
  getText,
  listKeys,
  queueDepth,
  ROOT,
  spawnWorker,
  waitForLine,
  type ChildWorker,
  type Pipeline,
} from "./helpers";

const FIXTURE = join(__dirname, "fixtures", "worker-process.ts");
const BIN = join(ROOT, "workers", "bin", "jobworker.js");

describe("runtime worker processes (moto server)", function () {
  this.timeout(120_000);
  let moto: MotoServer;
  let s3: S3Client;
  let sqs: SQSClient;
  const children: ChildWorker[] = [];

  before(async () => {
    moto = await startMoto();
    s3 = new S3Client(moto.clientConfig);
    sqs = new SQSClient(moto.clientConfig);
  });
  afterEach(async () => {
    for (const c of children.splice(0)) await ensureStopped(c);
  });
  after(async () => {
    s3?.destroy();
    sqs?.destroy();
    await moto?.stop();
  });

  function workerEnv(pipeline: Pipeline, extra: Record<string, string> = {}): Record<string, string> {
    return {
      ...moto.env,
      [WORKER_ENV.queueUrl]: pipeline.queueUrl,
      [WORKER_ENV.outputs]: JSON.stringify({ out: { type: "s3", bucket: pipeline.outputBucket } }),
      [RUNTIME_TUNING_ENV.pollWaitSeconds]: "1",
      [RUNTIME_TUNING_ENV.retryBaseSeconds]: "0",
      [RUNTIME_TUNING_ENV.retryCapSeconds]: "1",
      ...extra,
    };
  }
  function start(args: string[], env: Record<string, string>): ChildWorker {
    const child = spawnWorker(args, env);
    children.push(child);
    return child;
  }
  const drained = (pipeline: Pipeline) =>
    waitFor(
      "queue drained",
      async () => {
        const d = await queueDepth(sqs, pipeline.queueUrl);
        return d.visible === 0 && d.inFlight === 0;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );

  it("`jobworker run feed-normalize` turns a partner CSV into NDJSON records in the next stage's bucket", async () => {
    const pipeline = await createPipeline(moto);
    const worker = start(
      [BIN, "run", "feed-normalize"],
      workerEnv(pipeline, {
        [WORKER_ENV.outputs]: JSON.stringify({ records: { type: "s3", bucket: pipeline.outputBucket, prefix: "incoming" } }),
      }),
    );
    await waitForLine(worker, "worker started");
    const csv = readFileSync(join(ROOT, "workers", "kinds", "feed-normalize", "samples", "acme-feed.csv"));
    await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "acme/feed 1.csv", Body: csv }));
    const [key] = await waitFor(
      "NDJSON output",
      async () => {
        const keys = await listKeys(s3, pipeline.outputBucket);
        return keys.length > 0 ? keys : undefined;
      },
      { timeoutMs: 30_000 },
    );
    assert.match(key!, /^incoming\/acme\/feed 1\.[0-9a-f]{16}\.ndjson$/);
    const records = (await getText(s3, pipeline.outputBucket, key!))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(records.length, 4); // the sample's 5th row has quantity "many" and is rejected
    assert.deepEqual(records[0], {
      id: "A-1001",
      sku: "TS-RED-M",
      quantity: 12,
      price_minor: 1990,
      currency: "EUR",
      updated_at: "2026-11-24T08:00:00Z",
      attributes: { colour: "red", size: "M" },
    });
    const done = await waitForLine(worker, "job done");
    assert.equal(done.worker, "feed-normalize");
    assert.equal(done.key, "acme/feed 1.csv");
    assert.equal(typeof done.durationMs, "number");
    worker.child.kill("SIGTERM");
    assert.deepEqual(await worker.exited, { code: 0, signal: null });
  });

  it("`jobworker run` refuses bad settings with exit code 2 and names the variable", async () => {
    const worker = start([BIN, "run", "feed-normalize"], { ...moto.env, [WORKER_ENV.queueUrl]: "", [WORKER_ENV.outputs]: "" });
    assert.deepEqual(await worker.exited, { code: 2, signal: null });
    assert.match(worker.stderr(), /configuration error: `JOBWORKER_QUEUE_URL` is not set/);
  });

  it("`jobworker run` names the queue variable when the queue does not exist (exit 2)", async () => {
    const worker = start([BIN, "run", "orders-webhook"], {
      ...moto.env,
      [WORKER_ENV.queueUrl]: `${moto.endpoint}/123456789012/no-such-queue`,
      [WORKER_ENV.outputs]: JSON.stringify({ api: { type: "rest", url: "http://127.0.0.1:9/orders" } }),
    });
    assert.deepEqual(await worker.exited, { code: 2, signal: null });
    assert.match(
      worker.stderr(),
      /configuration error: `JOBWORKER_QUEUE_URL` is http:\/\/127\.0\.0\.1:\d+\/123456789012\/no-such-queue, which does not exist/,
    );
  });

  it("`jobworker run` with the endpoint down names the call, the endpoint and the setting to check (exit 1, no stack trace)", async () => {
    const worker = start([BIN, "run", "feed-normalize"], {
      ...moto.env,
      AWS_ENDPOINT_URL: "http://127.0.0.1:1",
      [WORKER_ENV.queueUrl]: "http://127.0.0.1:1/123456789012/feed",
      [WORKER_ENV.outputs]: JSON.stringify({ records: { type: "s3", bucket: "next" } }),
    });
    assert.deepEqual(await worker.exited, { code: 1, signal: null });
    assert.match(
      worker.stderr(),
      /^jobworker: cannot start: GetQueueAttributes on http:\/\/127\.0\.0\.1:1\/123456789012\/feed via the endpoint http:\/\/127\.0\.0\.1:1 \(from `AWS_ENDPOINT_URL`\) failed after the SDK's retries \(ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:1\); check that it is up and reachable, or unset it to use AWS's endpoint\n$/,
    );
    assert.doesNotMatch(worker.stderr(), /\n\s+at /); // no stack trace
  });

  it("after `kill -9` mid-job the message comes back, is processed, and exactly one output object exists", async () => {
    const pipeline = await createPipeline(moto, { visibilityTimeout: 3 });
    const first = start([FIXTURE, "copy"], workerEnv(pipeline, { TEST_DELAY_MS: "4000" }));
    await waitForLine(first, "worker started");
    await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "crash.txt", Body: "survives a crash" }));
    await waitForLine(first, "handler started");
    first.child.kill("SIGKILL");
    assert.equal((await first.exited).signal, "SIGKILL");
    assert.deepEqual(await listKeys(s3, pipeline.outputBucket), []);

    const second = start([FIXTURE, "copy"], workerEnv(pipeline, { TEST_DELAY_MS: "0" }));
    const done = await waitForLine(second, "job done", 30_000);
    assert.equal(done.key, "crash.txt");
    assert.ok(Number(done.receiveCount) >= 2, `receiveCount ${done.receiveCount}`);
    await drained(pipeline);
    const keys = await listKeys(s3, pipeline.outputBucket);
    assert.equal(keys.length, 1);
    assert.equal(await getText(s3, pipeline.outputBucket, keys[0]!), "survives a crash");
    second.child.kill("SIGTERM");
    assert.equal((await second.exited).code, 0);
  });

  it("after `kill -9` between delivery and delete the redelivered message rewrites the same output object, not a second one", async () => {
    const pipeline = await createPipeline(moto, { visibilityTimeout: 2 });
    const first = start([FIXTURE, "copy"], workerEnv(pipeline, { TEST_KILL_AFTER_DELIVERY: "1" }));
    await waitForLine(first, "worker started");
    await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "twice.txt", Body: "delivered twice, stored once" }));
    assert.equal((await first.exited).signal, "SIGKILL");
    const afterCrash = await listKeys(s3, pipeline.outputBucket);
    assert.equal(afterCrash.length, 1);

    const second = start([FIXTURE, "copy"], workerEnv(pipeline));
    const done = await waitForLine(second, "job done", 30_000);
    assert.ok(Number(done.receiveCount) >= 2, `receiveCount ${done.receiveCount}`);
    await drained(pipeline);
    assert.deepEqual(await listKeys(s3, pipeline.outputBucket), afterCrash);
    second.child.kill("SIGTERM");
    assert.equal((await second.exited).code, 0);
  });

  // AbortSignal.any([..., AbortSignal.timeout()]) lost its timeout to GC on Node 20: run under the
  // system's node (whatever version) and the test runner's, with a collection forced mid-job.
  for (const [which, node] of [
    ["the system's node", "node"],
    ["the test runner's Node", process.execPath],
  ] as const) {
    it(`fails a job at its deadline (maxProcessingSeconds) even after a garbage collection mid-job (${which})`, async () => {
      const pipeline = await createPipeline(moto, { visibilityTimeout: 60 });
      const worker = spawnWorker([FIXTURE, "await-abort"], workerEnv(pipeline, { [WORKER_ENV.maxProcessingSeconds]: "1" }), {
        node,
        nodeFlags: ["--expose-gc"],
      });
      children.push(worker);
      await waitForLine(worker, "worker started");
      await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "gc.txt", Body: "x" }));
      await waitForLine(worker, "handler started");
      const failed = await waitForLine(worker, "job failed", 10_000);
      assert.match(String((failed.err as { message?: string }).message), /job deadline reached \(maxProcessingSeconds 1\)/);
      worker.child.kill("SIGTERM");
      assert.equal((await worker.exited).code, 0);
    });
  }

  it("on SIGTERM mid-job finishes the job in flight, deletes its message and exits 0", async () => {
    const pipeline = await createPipeline(moto);
    const worker = start([FIXTURE, "copy"], workerEnv(pipeline, { TEST_DELAY_MS: "2000", [WORKER_ENV.shutdownSeconds]: "20" }));
    await waitForLine(worker, "worker started");
    await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "graceful.txt", Body: "finished on SIGTERM" }));
    await waitForLine(worker, "handler started");
    worker.child.kill("SIGTERM");
    assert.deepEqual(await worker.exited, { code: 0, signal: null });
    const keys = await listKeys(s3, pipeline.outputBucket);
    assert.equal(keys.length, 1);
    assert.equal(await getText(s3, pipeline.outputBucket, keys[0]!), "finished on SIGTERM");
    await drained(pipeline);
    const msgs = worker.lines.map((l) => l.msg);
    assert.ok(msgs.indexOf("stopping: no new messages; finishing jobs in flight") < msgs.indexOf("job done"), msgs.join(" | "));
    assert.equal(worker.lines.find((l) => l.msg === "worker stopped")?.reason, "SIGTERM");
  });

  it("on SIGTERM with a job longer than the shutdown deadline makes its message visible again at once and exits 0", async () => {
    const pipeline = await createPipeline(moto, { visibilityTimeout: 300 });
    const worker = start([FIXTURE, "copy"], workerEnv(pipeline, { TEST_DELAY_MS: "60000", [WORKER_ENV.shutdownSeconds]: "1" }));
    await waitForLine(worker, "worker started");
    await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "too-long.txt", Body: "x" }));
    await waitForLine(worker, "handler started");
    const signalled = Date.now();
    worker.child.kill("SIGTERM");
    assert.deepEqual(await worker.exited, { code: 0, signal: null });
    assert.ok(Date.now() - signalled < 10_000, `exit took ${Date.now() - signalled} ms`);
    // The visibility timeout is 300 s: only the release makes it visible within seconds.
    await waitFor("message visible again", async () => (await queueDepth(sqs, pipeline.queueUrl)).visible === 1, { timeoutMs: 5_000 });
    assert.deepEqual(await listKeys(s3, pipeline.outputBucket), []);
  });
});
