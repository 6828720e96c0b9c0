/**
 * The queue loop against moto server with real S3 → SQS notifications: an in-process worker with the
 * real S3 connector, one pipeline (buckets, queue, DLQ) per test.
 */
import assert from "node:assert/strict";
import { DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createServer, type Server } from "node:http";
import { outputName } from "../../../workers/runtime/output-name";
import { createTaskProtection } from "../../../workers/runtime/task-protection";
import { startFaultProxy } from "../../support/fault-proxy";
import { startMoto, type MotoServer } from "../../support/moto";
import { freePort } from "../../support/ports";
import { duplicateKeys } from "../../support/json-keys";
import { waitFor } from "../../support/wait";
import { copyKind } from "./fixtures/test-kinds";
import {
  createPipeline,
  eventsOf,
  getText,
  listKeys,
  queueDepth,
  receiveAll,
  startWorker,
  testSettings,
  type RunningWorker,
} from "./helpers";

describe("runtime queue loop (moto server)", function () {
  this.timeout(90_000);
  let moto: MotoServer;
  let s3: S3Client;
  let sqs: SQSClient;
  let running: RunningWorker | undefined;
  let runningWorker: RunningWorker | undefined;

  before(async () => {
    moto = await startMoto();
    s3 = new S3Client(moto.clientConfig);
    sqs = new SQSClient(moto.clientConfig);
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await runningWorker?.stop();
    runningWorker = undefined;
  });
  after(async () => {
    s3?.destroy();
    sqs?.destroy();
    await moto?.stop();
  });

  async function put(bucket: string, key: string, body: string | Buffer): Promise<string> {
    const out = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    return out.ETag!.replace(/"/g, "");
  }

  it("processes an object end to end: put → S3 notification → worker → output object under the idempotent name", async () => {
    const pipeline = await createPipeline(moto);
    running = await startWorker(moto, copyKind(), testSettings(pipeline));
    const eTag = await put(pipeline.inputBucket, "feeds/today.csv", "a,b\n1,2\n");
    const expected = outputName({ bucket: pipeline.inputBucket, key: "feeds/today.csv", eTag }, ".copy");
    await waitFor("output object", async () => (await listKeys(s3, pipeline.outputBucket)).includes(expected), { timeoutMs: 20_000 });
    assert.equal(await getText(s3, pipeline.outputBucket, expected), "a,b\n1,2\n");
    assert.match(expected, /^feeds\/today\.[0-9a-f]{16}\.copy$/);
    await waitFor("queue drained", async () => {
      const d = await queueDepth(sqs, pipeline.queueUrl);
      return d.visible === 0 && d.inFlight === 0;
    });
    const done = running.logs.withMsg("job done");
    assert.equal(done.length, 1);
    assert.equal(done[0]!.key, "feeds/today.csv");
    assert.equal(done[0]!.bucket, pipeline.inputBucket);
    assert.equal(typeof done[0]!.messageId, "string");
    assert.equal(typeof done[0]!.durationMs, "number");
  });

  it("decodes keys with spaces, `+`, unicode and `%` from real notifications", async () => {
    const pipeline = await createPipeline(moto);
    const seen: string[] = [];
    running = await startWorker(moto, copyKind({ onStart: (k) => seen.push(k) }), testSettings(pipeline));
    const keys = ["with space/a b.txt", "plus+sign.txt", "ünïcödé/日本語.txt", "percent%20literal%.txt", "mixed +%2B ü.txt"];
    for (const key of keys) await put(pipeline.inputBucket, key, `body of ${key}`);
    await waitFor("every key processed", () => seen.length >= keys.length, { timeoutMs: 30_000 });
    assert.deepEqual([...seen].sort(), [...keys].sort());
    await waitFor("every output written", async () => (await listKeys(s3, pipeline.outputBucket)).length === keys.length);
    assert.deepEqual(eventsOf(running.events, "job-failed"), []);
  });

  it("acknowledges the s3:TestEvent that configuring a notification sends, without failing or dead-lettering it", async () => {
    const pipeline = await createPipeline(moto);
    running = await startWorker(moto, copyKind(), testSettings(pipeline));
    await waitFor("test event handled", () => eventsOf(running!.events, "test-event").length > 0);
    const [event] = eventsOf(running.events, "test-event");
    assert.equal(event!.bucket, pipeline.inputBucket);
    await waitFor("test event deleted", () => eventsOf(running!.events, "message-deleted").some((e) => e.messageId === event!.messageId));
    assert.deepEqual(eventsOf(running.events, "message-dead-lettered"), []);
    assert.equal(running.logs.withMsg("s3:TestEvent acknowledged").length, 1);
  });

  it("sends a malformed body to the dead-letter queue with the reason, and keeps processing", async () => {
    const pipeline = await createPipeline(moto);
    running = await startWorker(moto, copyKind(), testSettings(pipeline));
    await sqs.send(new SendMessageCommand({ QueueUrl: pipeline.queueUrl, MessageBody: "this is not an S3 event" }));
    await put(pipeline.inputBucket, "after.txt", "still flowing");
    await waitFor("output after the bad message", async () => (await listKeys(s3, pipeline.outputBucket)).length === 1, {
      timeoutMs: 20_000,
    });
    const dead = await waitFor("message in the DLQ", async () => {
      const m = await receiveAll(sqs, pipeline.dlqUrl);
      return m.length > 0 ? m : undefined;
    });
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.Body, "this is not an S3 event");
    assert.match(dead[0]!.MessageAttributes?.["jobworker.reason"]?.StringValue ?? "", /^malformed message: body is not JSON/);
    assert.equal(running.worker.currentState, "running");
  });

  it("runs every record of a message with several records, then deletes the message once", async () => {
    const pipeline = await createPipeline(moto);
    const seen: string[] = [];
    running = await startWorker(moto, copyKind({ onStart: (k) => seen.push(k) }), testSettings(pipeline));
    // Objects put into the OUTPUT bucket (no notification there), announced by one hand-made message
    // shaped like AWS's: two records, URL-encoded keys.
    const eTagA = await put(pipeline.outputBucket, "multi/a one.txt", "A");
    const eTagB = await put(pipeline.outputBucket, "multi/b+two.txt", "B");
    const record = (key: string, eTag: string) => ({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: moto.clientConfig.region,
      eventTime: new Date().toISOString(),
      eventName: "ObjectCreated:Put",
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: "t",
        bucket: { name: pipeline.outputBucket, arn: `arn:aws:s3:::${pipeline.outputBucket}` },
        object: { key: encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/"), size: 1, eTag, sequencer: "0055AED6DCD90281E5" },
      },
    });
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: pipeline.queueUrl,
        MessageBody: JSON.stringify({ Records: [record("multi/a one.txt", eTagA), record("multi/b+two.txt", eTagB)] }),
      }),
    );
    await waitFor("message deleted", () => eventsOf(running!.events, "message-deleted").some((e) => e.messageId === sent.MessageId), {
      timeoutMs: 20_000,
    });
    assert.deepEqual(seen.sort(), ["multi/a one.txt", "multi/b+two.txt"]);
    const done = eventsOf(running.events, "job-done").filter((e) => e.messageId === sent.MessageId);
    assert.deepEqual(done.map((e) => e.key).sort(), ["multi/a one.txt", "multi/b+two.txt"]);
  });

  it("copies a 0-byte object to a 0-byte output", async () => {
    const pipeline = await createPipeline(moto);
    running = await startWorker(moto, copyKind(), testSettings(pipeline));
    const eTag = await put(pipeline.inputBucket, "empty.bin", Buffer.alloc(0));
    const expected = outputName({ bucket: pipeline.inputBucket, key: "empty.bin", eTag }, ".copy");
    await waitFor("empty output", async () => (await listKeys(s3, pipeline.outputBucket)).includes(expected), { timeoutMs: 20_000 });
    assert.equal(await getText(s3, pipeline.outputBucket, expected), "");
    assert.equal(eventsOf(running.events, "job-done")[0]!.deliveries[0]!.bytes, 0);
  });

  it("logs and acknowledges an object deleted before processing", async () => {
    const pipeline = await createPipeline(moto);
    // Put and delete before the worker starts, so the notification is waiting for an object that is gone.
    await put(pipeline.inputBucket, "gone.txt", "soon deleted");
    await s3.send(new DeleteObjectCommand({ Bucket: pipeline.inputBucket, Key: "gone.txt" }));
    running = await startWorker(moto, copyKind(), testSettings(pipeline));
    const gone = await waitFor("job-gone", () => eventsOf(running!.events, "job-gone")[0], { timeoutMs: 20_000 });
    assert.equal(gone.key, "gone.txt");
    assert.equal(gone.reason, "no-such-key");
    await waitFor("message deleted", () => eventsOf(running!.events, "message-deleted").some((e) => e.messageId === gone.messageId));
    assert.deepEqual(await listKeys(s3, pipeline.outputBucket), []);
    assert.deepEqual(await receiveAll(sqs, pipeline.dlqUrl, 0), []);
  });

  it("retries an event naming a bucket that does not exist and dead-letters it, never acknowledging it as a deleted object", async () => {
    const pipeline = await createPipeline(moto, { maxReceiveCount: 2 });
    running = await startWorker(moto, copyKind(), testSettings(pipeline));
    const bucket = `${pipeline.inputBucket}-missing`;
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: pipeline.queueUrl,
        MessageBody: JSON.stringify({
          Records: [
            {
              eventVersion: "2.1",
              eventSource: "aws:s3",
              eventName: "ObjectCreated:Put",
              s3: { bucket: { name: bucket }, object: { key: "misrouted.txt", size: 1 } },
            },
          ],
        }),
      }),
    );
    const dead = await waitFor(
      "misrouted message in the DLQ",
      async () => {
        const m = await receiveAll(sqs, pipeline.dlqUrl);
        return m.length > 0 ? m : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    assert.match(dead[0]!.Body!, /misrouted\.txt/);
    assert.deepEqual(eventsOf(running.events, "job-gone"), []);
    const failed = eventsOf(running.events, "job-failed").filter((e) => e.messageId === sent.MessageId);
    assert.equal(failed.length, 2);
    for (const f of failed) {
      assert.equal(f.permanent, false);
      assert.match(
        f.error.message,
        new RegExp(`GetObject s3://${bucket}/misrouted\\.txt failed with NoSuchBucket: the bucket does not exist`),
      );
    }
    const [last] = running.logs.withMsg("job failed on its last receive; the redrive policy moves it to the dead-letter queue");
    assert.match(String(last?.reason), /NoSuchBucket/);
  });

  it("moves a message whose handler always throws to the DLQ after maxReceiveCount receives, while the queue keeps flowing", async () => {
    const pipeline = await createPipeline(moto, { maxReceiveCount: 3 });
    const attempts: string[] = [];
    const poison = copyKind({ fail: true, onStart: (k) => attempts.push(k) });
    // Fails only for poison keys; copies the rest.
    const good = copyKind();
    const kind = {
      definition: poison.definition,
      handler: (input: any, meta: any, ctx: any) =>
        meta.key.startsWith("poison") ? poison.handler(input, meta, ctx) : good.handler(input, meta, ctx),
    };
    running = await startWorker(moto, kind, testSettings(pipeline, { retryBaseSeconds: 1, retryCapSeconds: 1 }));
    await put(pipeline.inputBucket, "poison.txt", "boom");
    for (let i = 0; i < 5; i++) await put(pipeline.inputBucket, `good-${i}.txt`, `good ${i}`);
    await waitFor("good objects processed meanwhile", async () => (await listKeys(s3, pipeline.outputBucket)).length === 5, {
      timeoutMs: 20_000,
    });
    const dead = await waitFor(
      "poison message in the DLQ",
      async () => {
        const m = await receiveAll(sqs, pipeline.dlqUrl);
        return m.length > 0 ? m : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 500 },
    );
    assert.equal(dead.length, 1);
    assert.match(dead[0]!.Body!, /poison\.txt/);
    assert.equal(attempts.filter((k) => k === "poison.txt").length, pipeline.maxReceiveCount);
    assert.equal(eventsOf(running.events, "message-released").length, pipeline.maxReceiveCount);
  });

  it("logs one true line when a release fails, and writes no line with a duplicate JSON key", async () => {
    const pipeline = await createPipeline(moto);
    const failing = copyKind({ fail: true });
    const good = copyKind();
    const kind = {
      definition: failing.definition,
      handler: (input: any, meta: any, ctx: any) =>
        meta.key.startsWith("fail") ? failing.handler(input, meta, ctx) : good.handler(input, meta, ctx),
    };
    // Every ChangeMessageVisibilityBatch entry fails, as SQS reports a per-entry failure.
    const failReleases = (client: SQSClient) =>
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName !== "ChangeMessageVisibilityBatchCommand") return next(args);
          const entries = (args.input as { Entries: Array<{ Id: string }> }).Entries;
          const Failed = entries.map((e) => ({ Id: e.Id, Code: "InternalError", SenderFault: false, Message: "injected" }));
          return { response: {}, output: { $metadata: {}, Successful: [], Failed } } as never;
        },
        { step: "initialize", name: "failReleases" },
      );
    running = await startWorker(moto, kind, testSettings(pipeline), { onSqs: failReleases });
    await put(pipeline.inputBucket, "ok.txt", "delivered");
    await put(pipeline.inputBucket, "fail.txt", "fails");
    await waitFor(
      "release failure logged",
      () => running!.logs.withMsg("release failed; the message comes back when its current visibility timeout ends").length > 0,
      {
        timeoutMs: 20_000,
      },
    );
    await waitFor("good object delivered", () => running!.logs.withMsg("delivered").length === 1);
    const failed = running.logs.withMsg("job failed").find((l) => l.key === "fail.txt")!;
    const about = running.logs.lines.filter((l) => l.messageId === failed.messageId && /release|retried|visibility/.test(String(l.msg)));
    assert.deepEqual(
      about.map((l) => [l.msg, l.code]),
      [["release failed; the message comes back when its current visibility timeout ends", "InternalError"]],
    );
    assert.equal(running.logs.withMsg("delivered")[0]!.connector, "s3");
    const withDuplicates = running.logs.raw.map((line) => ({ line, keys: duplicateKeys(line) })).filter((l) => l.keys.length > 0);
    assert.deepEqual(withDuplicates, []);
  });

  it("keeps a job slower than the visibility timeout invisible with the heartbeat (no redelivery)", async () => {
    const pipeline = await createPipeline(moto, { visibilityTimeout: 2 });
    const starts: string[] = [];
    running = await startWorker(moto, copyKind({ delayMs: 6_000, onStart: (k) => starts.push(k) }), testSettings(pipeline));
    await put(pipeline.inputBucket, "slow.txt", "slow");
    await waitFor("slow job done", () => eventsOf(running!.events, "job-done").length === 1, { timeoutMs: 20_000 });
    await waitFor("message deleted", () => eventsOf(running!.events, "message-deleted").length >= 2); // test event + job
    assert.deepEqual(starts, ["slow.txt"]);
    assert.deepEqual(eventsOf(running.events, "lease-lost"), []);
    assert.equal(running.logs.withMsg("message received again while in flight; continuing with the latest receipt handle").length, 0);
  });

  it("never runs or receives more messages than its concurrency allows (backpressure)", async () => {
    const pipeline = await createPipeline(moto);
    let running = 0;
    let maxRunning = 0;
    const slow = copyKind({ delayMs: 400 });
    const kind = {
      definition: slow.definition,
      handler: async (input: any, meta: any, ctx: any) => {
        maxRunning = Math.max(maxRunning, ++running);
        try {
          await slow.handler(input, meta, ctx);
        } finally {
          running--;
        }
      },
    };
    const worker = await startWorker(moto, kind, testSettings(pipeline, { concurrency: 2, logLevel: "debug" }));
    runningWorker = worker;
    for (let i = 0; i < 6; i++) await put(pipeline.inputBucket, `bp-${i}.txt`, `${i}`);
    await waitFor("all copied", async () => (await listKeys(s3, pipeline.outputBucket)).length === 6, { timeoutMs: 30_000 });
    assert.equal(maxRunning, 2);
    const receives = worker.logs.withMsg("received");
    assert.ok(receives.length > 0);
    for (const r of receives) assert.ok(Number(r.received) <= 2 && Number(r.asked) <= 2, JSON.stringify(r));
  });

  it("retries transient AWS errors (503s, connection resets) and loses nothing", async () => {
    const pipeline = await createPipeline(moto);
    const proxy = await startFaultProxy(moto.endpoint, { failEvery: 4, resetEvery: 9 });
    try {
      running = await startWorker(moto, copyKind(), testSettings(pipeline), { endpoint: proxy.endpoint });
      const keys = Array.from({ length: 12 }, (_, i) => `faulty/${i}.txt`);
      for (const key of keys) await put(pipeline.inputBucket, key, `payload ${key}`);
      await waitFor("all outputs", async () => (await listKeys(s3, pipeline.outputBucket)).length === keys.length, {
        timeoutMs: 60_000,
        intervalMs: 250,
      });
      await waitFor(
        "queue drained",
        async () => {
          const d = await queueDepth(sqs, pipeline.queueUrl);
          return d.visible === 0 && d.inFlight === 0;
        },
        { timeoutMs: 30_000 },
      );
      for (const key of await listKeys(s3, pipeline.outputBucket))
        assert.match(await getText(s3, pipeline.outputBucket, key), /^payload faulty\/\d+\.txt$/);
      assert.deepEqual(await receiveAll(sqs, pipeline.dlqUrl, 0), []);
      assert.ok(proxy.stats.failed503 > 5, `503s injected: ${proxy.stats.failed503}`);
      assert.ok(proxy.stats.reset > 2, `resets injected: ${proxy.stats.reset}`);
    } finally {
      await running?.stop();
      running = undefined;
      await proxy.stop();
    }
  });

  it("turns ECS task scale-in protection on while busy and off when idle (fake agent endpoint)", async () => {
    const pipeline = await createPipeline(moto);
    const puts: Array<{ ProtectionEnabled: boolean; ExpiresInMinutes?: number }> = [];
    const agent: Server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        if (req.method === "PUT" && req.url === "/task-protection/v1/state") puts.push(JSON.parse(body));
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ protection: { ProtectionEnabled: puts.at(-1)?.ProtectionEnabled ?? false } }));
      });
    });
    const port = await freePort();
    await new Promise<void>((r) => agent.listen(port, "127.0.0.1", r));
    try {
      const settings = testSettings(pipeline, { maxProcessingSeconds: 120, ecsAgentUri: `http://127.0.0.1:${port}` });
      const recording = await startWorker(moto, copyKind({ delayMs: 1_000 }), settings);
      running = recording;
      // startWorker passes no TaskProtection, so the worker built its own from ecsAgentUri.
      await put(pipeline.inputBucket, "protected.txt", "x");
      await waitFor("job done", () => eventsOf(recording.events, "job-done").length === 1, { timeoutMs: 20_000 });
      await waitFor("protection off", () => puts.length >= 2 && puts.at(-1)!.ProtectionEnabled === false);
      const enabled = puts.filter((p) => p.ProtectionEnabled);
      assert.ok(enabled.length >= 1);
      assert.deepEqual(enabled[0], { ProtectionEnabled: true, ExpiresInMinutes: 3 });
      assert.deepEqual(puts.at(-1), { ProtectionEnabled: false });
    } finally {
      await running?.stop();
      running = undefined;
      await new Promise<void>((r) => agent.close(() => r()));
    }
    void createTaskProtection;
  });
});
