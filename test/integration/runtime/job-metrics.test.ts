/**
 * Job metrics end to end: the runtime's EMF lines, captured from a real worker process's stdout (what
 * the log driver ships) and from an in-process worker whose jobs fail, checked against the EMF
 * specification and against the bytes that really moved.
 */
import assert from "node:assert/strict";
import { HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { WORKER_ENV } from "../../../catalog/contract";
import { PermanentError } from "../../../workers/errors";
import { defineWorker } from "../../../workers/runtime/types";
import { RUNTIME_TUNING_ENV } from "../../../workers/runtime/settings";
import { emfViolations } from "../../support/emf";
import { startMoto, type MotoServer } from "../../support/moto";
import { waitFor } from "../../support/wait";
import { copyKind, testDefinition } from "./fixtures/test-kinds";
import {
  createPipeline,
  ensureStopped,
  listKeys,
  ROOT,
  spawnWorker,
  startWorker,
  testSettings,
  waitForLine,
  type ChildWorker,
  type RunningWorker,
} from "./helpers";

const BIN = join(ROOT, "workers", "bin", "jobworker.js");

describe("runtime job metrics (EMF, moto server)", function () {
  this.timeout(90_000);
  let moto: MotoServer;
  let s3: S3Client;
  let child: ChildWorker | undefined;
  let running: RunningWorker | undefined;

  before(async () => {
    moto = await startMoto();
    s3 = new S3Client(moto.clientConfig);
  });
  afterEach(async () => {
    await ensureStopped(child);
    child = undefined;
    await running?.stop();
    running = undefined;
  });
  after(async () => {
    s3?.destroy();
    await moto?.stop();
  });

  it("a `jobworker run` process writes one EMF line per job to stdout, with the bytes read and delivered", async () => {
    const pipeline = await createPipeline(moto);
    child = spawnWorker([BIN, "run", "feed-normalize"], {
      ...moto.env,
      [WORKER_ENV.queueUrl]: pipeline.queueUrl,
      [WORKER_ENV.outputs]: JSON.stringify({ records: { type: "s3", bucket: pipeline.outputBucket } }),
      [RUNTIME_TUNING_ENV.pollWaitSeconds]: "1",
    });
    await waitForLine(child, "worker started");
    const csv = readFileSync(join(ROOT, "workers", "kinds", "feed-normalize", "samples", "acme-feed.csv"));
    await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "acme/feed.csv", Body: csv }));
    const line = await waitForLine(child, "job metrics");
    assert.deepEqual(emfViolations(line), []);
    const [outKey] = await listKeys(s3, pipeline.outputBucket);
    const out = await s3.send(new HeadObjectCommand({ Bucket: pipeline.outputBucket, Key: outKey! }));
    assert.deepEqual(
      { Worker: line.Worker, Outcome: line.Outcome, BytesIn: line.BytesIn, BytesOut: line.BytesOut, Jobs: line.Jobs, key: line.key },
      { Worker: "feed-normalize", Outcome: "succeeded", BytesIn: csv.length, BytesOut: out.ContentLength, Jobs: 1, key: "acme/feed.csv" },
    );
    assert.equal(typeof line.JobDuration, "number");
    assert.equal(child.lines.filter((l) => l.msg === "job metrics").length, 1);
    child.child.kill("SIGTERM");
    assert.deepEqual(await child.exited, { code: 0, signal: null });
  });

  it("reports a retried job as `released` and a permanently failed one as `dead-lettered`, with the bytes it read", async () => {
    const pipeline = await createPipeline(moto, { maxReceiveCount: 5 });
    const kind = defineWorker(testDefinition("test-fail"), async (input, meta) => {
      for await (const _chunk of input);
      if (meta.key.startsWith("permanent")) throw new PermanentError(`cannot parse ${meta.key}`);
      throw new Error(`transient failure on ${meta.key}`);
    });
    running = await startWorker(moto, kind, testSettings(pipeline, { worker: "test-fail", retryBaseSeconds: 30, retryCapSeconds: 30 }));
    await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "permanent.txt", Body: "x".repeat(1000) }));
    await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "transient.txt", Body: "y".repeat(700) }));
    const lines = await waitFor(
      "two job metrics lines",
      () => {
        const found = running!.logs.withMsg("job metrics");
        return found.length >= 2 ? found : undefined;
      },
      { timeoutMs: 20_000 },
    );
    for (const l of lines) assert.deepEqual(emfViolations(l), []);
    const byKey = Object.fromEntries(
      lines.map((l) => [l.key, { Outcome: l.Outcome, BytesIn: l.BytesIn, BytesOut: l.BytesOut, Worker: l.Worker }]),
    );
    assert.deepEqual(byKey, {
      "permanent.txt": { Outcome: "dead-lettered", BytesIn: 1000, BytesOut: 0, Worker: "test-fail" },
      "transient.txt": { Outcome: "released", BytesIn: 700, BytesOut: 0, Worker: "test-fail" },
    });
  });

  it("reports a job cut off by the shutdown deadline (before it read its object) as `released` (handed back), with 0 bytes in and out", async () => {
    const pipeline = await createPipeline(moto);
    running = await startWorker(moto, copyKind({ delayMs: 20_000 }), testSettings(pipeline, { shutdownSeconds: 1 }));
    await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "slow.txt", Body: "s".repeat(300) }));
    await waitFor("job started", () => running!.logs.withMsg("handler started").length > 0, { timeoutMs: 20_000 });
    const worker = running;
    running = undefined;
    await worker.stop();
    const stopped = await waitFor("job metrics line", () => {
      const found = worker.logs.withMsg("job metrics");
      return found.length > 0 ? found : undefined;
    });
    assert.deepEqual(emfViolations(stopped[0]), []);
    assert.deepEqual([stopped[0]!.Outcome, stopped[0]!.BytesIn, stopped[0]!.BytesOut], ["released", 0, 0]);
  });

  it("reports a successful in-process job as `succeeded` with bytes in equal to bytes out for a copy", async () => {
    const pipeline = await createPipeline(moto);
    running = await startWorker(moto, copyKind(), testSettings(pipeline));
    await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "a.txt", Body: "z".repeat(4321) }));
    const [line] = await waitFor("job metrics line", () => {
      const found = running!.logs.withMsg("job metrics");
      return found.length > 0 ? found : undefined;
    });
    assert.deepEqual(emfViolations(line), []);
    assert.deepEqual([line!.Outcome, line!.BytesIn, line!.BytesOut, line!.Worker], ["succeeded", 4321, 4321, "test"]);
  });
});
