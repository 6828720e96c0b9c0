/** `orders-webhook` end to end: orders CSV into its bucket → `jobworker run` → JSON batches at a real HTTP server. */
import assert from "node:assert/strict";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startHttpRecorder, type HttpRecorder } from "../../support/http-recorder";
import { startMoto, type MotoServer } from "../../support/moto";
import { waitFor } from "../../support/wait";
import { createPipeline, ensureStopped, ROOT, waitForLine, type ChildWorker } from "../runtime/helpers";
import { runKind, stopKind } from "./helpers";

describe("kind orders-webhook end to end (moto → jobworker run → HTTP server)", function () {
  this.timeout(120_000);
  let moto: MotoServer;
  let s3: S3Client;
  let api: HttpRecorder;
  let secretDir: string;
  let worker: ChildWorker | undefined;
  before(async () => {
    moto = await startMoto();
    s3 = new S3Client(moto.clientConfig);
    api = await startHttpRecorder();
    secretDir = mkdtempSync(join(tmpdir(), "jobworker-kind-secret-"));
    writeFileSync(join(secretDir, "token"), "Bearer e2e-token\n");
  });
  after(async () => {
    await ensureStopped(worker);
    s3?.destroy();
    await api?.stop();
    await moto?.stop();
    if (secretDir) rmSync(secretDir, { recursive: true, force: true });
  });

  it("posts the file's orders as JSON batches with the secret's auth header and one idempotency key per batch, retrying a 503", async () => {
    const pipeline = await createPipeline(moto);
    // The first request is refused with 503 + Retry-After: the batch is sent again, with the same key.
    api.script((_req, i) => (i === 0 ? { status: 503, headers: { "retry-after": "1" } } : { status: 202 }));
    worker = await runKind(moto, "orders-webhook", pipeline, {
      api: { type: "rest", url: `${api.url}/v1/orders`, mode: "records", batchSize: 2, authSecret: `file:${join(secretDir, "token")}` },
    });
    const csv = readFileSync(join(ROOT, "workers", "kinds", "orders-webhook", "samples", "orders.csv"));
    await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "shop/orders 2026-11-24.csv", Body: csv }));

    const done = await waitForLine(worker, "job done", 60_000);
    assert.equal(done.key, "shop/orders 2026-11-24.csv");
    const delivered = worker.lines.filter((l) => l.msg === "delivered");
    assert.equal(delivered.length, 1, "one log line per delivery");
    assert.deepEqual([delivered[0]!.target, delivered[0]!.attempts, delivered[0]!.bytes], [`${api.url}/v1/orders`, 2, csvToNdjsonBytes()]);

    await waitFor("three requests", () => api.requests.length === 3);
    const keys = api.requests.map((r) => String(r.headers["idempotency-key"]));
    const base = keys[0]!.replace(/-0$/, "");
    assert.match(base, /^[0-9a-f]{32}$/);
    assert.deepEqual(keys, [`${base}-0`, `${base}-0`, `${base}-1`]);
    for (const r of api.requests) {
      assert.equal(r.method, "POST");
      assert.equal(r.headers.authorization, "Bearer e2e-token");
      assert.equal(r.headers["content-type"], "application/json");
    }
    assert.deepEqual(JSON.parse(api.requests[0]!.body.toString()), JSON.parse(api.requests[1]!.body.toString()));
    assert.deepEqual(
      api.requests.slice(1).map((r) => JSON.parse(r.body.toString())),
      [
        [
          { order_id: "O-5001", customer_id: "C-17", total_minor: 4990, currency: "EUR", placed_at: "2026-11-24T09:00:00.000Z" },
          { order_id: "O-5002", customer_id: "C-42", total_minor: 1200, currency: "JPY", placed_at: "2026-11-24T09:01:30.000Z" },
        ],
        [{ order_id: "O-5003", customer_id: "C-17", total_minor: 500, currency: "USD", placed_at: "2026-11-24T09:02:00.000Z" }],
      ],
    );
    assert.deepEqual(await stopKind(worker), { code: 0, signal: null });
  });

  /** Bytes of the NDJSON payload the handler writes for the sample (what the connector streams). */
  function csvToNdjsonBytes(): number {
    const orders = [
      { order_id: "O-5001", customer_id: "C-17", total_minor: 4990, currency: "EUR", placed_at: "2026-11-24T09:00:00.000Z" },
      { order_id: "O-5002", customer_id: "C-42", total_minor: 1200, currency: "JPY", placed_at: "2026-11-24T09:01:30.000Z" },
      { order_id: "O-5003", customer_id: "C-17", total_minor: 500, currency: "USD", placed_at: "2026-11-24T09:02:00.000Z" },
    ];
    return Buffer.byteLength(orders.map((o) => `${JSON.stringify(o)}\n`).join(""));
  }
});
