/**
 * The job's input is fetched lazily (workers/runtime/object-input.ts), against moto server through a
 * recording proxy: no GetObject for a handler that does not read, one GetObject for headers and body
 * together, connections released whatever the handler read, and a missing object acknowledged
 * whatever the handler made of the error.
 */
import assert from "node:assert/strict";
import { DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { PermanentError } from "../../../workers/errors";
import { defineWorker, type ObjectHead } from "../../../workers/runtime/types";
import { startFaultProxy, type FaultProxy } from "../../support/fault-proxy";
import { startMoto, type MotoServer } from "../../support/moto";
import { waitFor } from "../../support/wait";
import { testDefinition } from "./fixtures/test-kinds";
import { createPipeline, eventsOf, listKeys, receiveAll, startWorker, testSettings, type RunningWorker } from "./helpers";

describe("runtime input object, opened lazily (moto server)", function () {
  this.timeout(60_000);
  let moto: MotoServer;
  let s3: S3Client;
  let sqs: SQSClient;
  let proxy: FaultProxy;
  let running: RunningWorker | undefined;

  before(async () => {
    moto = await startMoto();
    s3 = new S3Client(moto.clientConfig);
    sqs = new SQSClient(moto.clientConfig);
    // No faults: the proxy only records what the worker sends.
    proxy = await startFaultProxy(moto.endpoint, { failEvery: 0, resetEvery: 0 });
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });
  after(async () => {
    s3?.destroy();
    sqs?.destroy();
    await proxy?.stop();
    await moto?.stop();
  });

  const objectGets = (bucket: string) => proxy.stats.log.filter((r) => r.method === "GET" && r.url.startsWith(`/${bucket}/`));

  it("sends no GetObject for a handler that decides from the event alone", async () => {
    const pipeline = await createPipeline(moto);
    const seen: Array<{ key: string; size: number; eTag?: string }> = [];
    const kind = defineWorker(testDefinition("key-router"), async (_input, meta) => {
      seen.push({ key: meta.key, size: meta.size, eTag: meta.eTag });
    });
    running = await startWorker(moto, kind, testSettings(pipeline), { endpoint: proxy.endpoint });
    const put = await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "route me.csv", Body: "12345" }));
    const done = await waitFor("job done", () => eventsOf(running!.events, "job-done")[0], { timeoutMs: 20_000 });
    assert.equal(done.key, "route me.csv");
    assert.deepEqual(seen, [{ key: "route me.csv", size: 5, eTag: put.ETag!.replace(/"/g, "") }]);
    assert.deepEqual(objectGets(pipeline.inputBucket), []);
    assert.equal(running.logs.withMsg("job done")[0]!.bytesIn, 0);
  });

  it("sends one GetObject for the headers and the body together", async () => {
    const pipeline = await createPipeline(moto);
    let head: ObjectHead | undefined;
    let body = "";
    const kind = defineWorker(testDefinition("head-and-body"), async (input, meta) => {
      head = await meta.head();
      assert.deepEqual(await meta.head(), head, "head() twice gives the same answer");
      for await (const chunk of input) body += (chunk as Buffer).toString();
    });
    running = await startWorker(moto, kind, testSettings(pipeline), { endpoint: proxy.endpoint });
    await s3.send(
      new PutObjectCommand({
        Bucket: pipeline.inputBucket,
        Key: "typed.ndjson",
        Body: '{"a":1}\n',
        ContentType: "application/x-ndjson",
        Metadata: { Source: "partner-a" },
      }),
    );
    await waitFor("job done", () => eventsOf(running!.events, "job-done")[0], { timeoutMs: 20_000 });
    assert.equal(body, '{"a":1}\n');
    assert.equal(head!.contentType, "application/x-ndjson");
    assert.deepEqual(head!.metadata, { source: "partner-a" });
    assert.equal(head!.size, 8);
    assert.equal(objectGets(pipeline.inputBucket).length, 1);
    assert.equal(running.logs.withMsg("job done")[0]!.bytesIn, 8);
  });

  it("releases the connection of a handler that reads only the headers, or stops reading early", async () => {
    const pipeline = await createPipeline(moto);
    const kind = defineWorker(testDefinition("partial-reader", { concurrency: 1 }), async (input, meta) => {
      if (meta.key.startsWith("head-only")) {
        await meta.head();
        return;
      }
      for await (const _chunk of input) break; // the first chunk only
    });
    // One socket: a response left open would stall every later job.
    running = await startWorker(moto, kind, testSettings(pipeline, { concurrency: 1 }), { endpoint: proxy.endpoint, maxSockets: 1 });
    const big = Buffer.alloc(4 * 1024 * 1024, 7);
    const keys = ["head-only-1.bin", "early-1.bin", "head-only-2.bin", "early-2.bin", "head-only-3.bin"];
    for (const key of keys) await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: key, Body: big }));
    await waitFor("every job done", () => eventsOf(running!.events, "job-done").length === keys.length, { timeoutMs: 30_000 });
    assert.deepEqual(
      eventsOf(running.events, "job-done")
        .map((e) => e.key)
        .sort(),
      [...keys].sort(),
    );
    assert.deepEqual(eventsOf(running.events, "job-failed"), []);
  });

  it("acknowledges a deleted object whatever the handler made of the read error", async () => {
    const pipeline = await createPipeline(moto);
    const kind = defineWorker(testDefinition("error-wrapper"), async (input, meta) => {
      try {
        for await (const _chunk of input);
      } catch (err) {
        if (meta.key.startsWith("wrapped")) throw new PermanentError("could not read the feed", { cause: err });
        return; // swallowed
      }
    });
    for (const key of ["wrapped.txt", "swallowed.txt"]) {
      await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: key, Body: "soon gone" }));
      await s3.send(new DeleteObjectCommand({ Bucket: pipeline.inputBucket, Key: key }));
    }
    running = await startWorker(moto, kind, testSettings(pipeline), { endpoint: proxy.endpoint });
    await waitFor("both gone", () => eventsOf(running!.events, "job-gone").length === 2, { timeoutMs: 20_000 });
    assert.deepEqual(
      eventsOf(running.events, "job-gone")
        .map((e) => [e.key, e.reason])
        .sort(),
      [
        ["swallowed.txt", "no-such-key"],
        ["wrapped.txt", "no-such-key"],
      ],
    );
    await waitFor("messages deleted", () => eventsOf(running!.events, "message-deleted").length >= 3); // test event + 2 jobs
    assert.deepEqual(eventsOf(running.events, "job-failed"), []);
    assert.deepEqual(await receiveAll(sqs, pipeline.dlqUrl, 0), []);
    assert.deepEqual(await listKeys(s3, pipeline.outputBucket), []);
  });

  it("retries a job whose handler caught a read that failed mid-object, delivering nothing", async () => {
    const pipeline = await createPipeline(moto);
    // SQS answers are small; the 1 MiB object is cut after 64 KiB, as a dropped connection would.
    const cutting = await startFaultProxy(moto.endpoint, { failEvery: 0, resetEvery: 0, truncateBodiesOver: 64 * 1024 });
    try {
      let reads = 0;
      const kind = defineWorker(testDefinition("error-swallower"), async (input, _meta, ctx) => {
        reads++;
        const out = ctx.output("out");
        try {
          for await (const chunk of input) out.write(chunk);
        } catch {
          // A careless handler: it carries on with what it got.
        }
        out.end();
      });
      running = await startWorker(moto, kind, testSettings(pipeline, { retryBaseSeconds: 1, retryCapSeconds: 1 }), {
        endpoint: cutting.endpoint,
      });
      await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "big.bin", Body: Buffer.alloc(1024 * 1024, 1) }));
      const failed = await waitFor("job failed", () => eventsOf(running!.events, "job-failed")[0], { timeoutMs: 20_000 });
      assert.match(failed.error.message, /reading s3:\/\/.+\/big\.bin failed, and the handler returned anyway/);
      assert.equal(failed.permanent, false);
      await waitFor("message released for a retry", () => eventsOf(running!.events, "message-released").length >= 1);
      assert.deepEqual(eventsOf(running.events, "job-done"), []);
      assert.deepEqual(await listKeys(s3, pipeline.outputBucket), []);
      assert.ok(cutting.stats.truncated >= 1 && reads >= 1);
    } finally {
      await running?.stop();
      running = undefined;
      await cutting.stop();
    }
  });
});
