/**
 * A partner file name survives redelivery: the same S3 event delivered twice (two SQS messages with
 * one body, minutes apart on the clock as far as the name is concerned) writes one object under one
 * name, rendered from the event's time in the binding's time zone, the job's id, the record count and
 * the hash of the gzip bytes.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { gunzipSync } from "node:zlib";
import { zonedParts } from "../../../workers/connectors/file-name";
import { idempotencyKey } from "../../../workers/runtime/output-name";
import { startMoto, type MotoServer } from "../../support/moto";
import { waitFor } from "../../support/wait";
import { copyKind } from "./fixtures/test-kinds";
import { createPipeline, eventsOf, listKeys, startWorker, testSettings, type RunningWorker } from "./helpers";

const CSV = "id,amount\n1,10\n2,20\n3,30\n";

describe("partner file names across redelivery (moto server)", function () {
  this.timeout(90_000);
  let moto: MotoServer;
  let s3: S3Client;
  let sqs: SQSClient;
  let running: RunningWorker | undefined;
  before(async () => {
    moto = await startMoto();
    s3 = new S3Client(moto.clientConfig);
    sqs = new SQSClient(moto.clientConfig);
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });
  after(async () => {
    s3?.destroy();
    sqs?.destroy();
    await moto?.stop();
  });

  it("writes the same name, once, when the same S3 event is delivered twice", async () => {
    const pipeline = await createPipeline(moto);
    const put = await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "drop/orders.csv", Body: CSV }));
    // Take the notification S3 sent, put it back, and send its body once more: a redelivery.
    const received = await waitFor("the S3 notification", async () => {
      const r = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: pipeline.queueUrl, WaitTimeSeconds: 1, VisibilityTimeout: 30, MaxNumberOfMessages: 10 }),
      );
      return r.Messages?.find((m) => m.Body?.includes("orders.csv")); // the key is URL-encoded in the event
    });
    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: pipeline.queueUrl, ReceiptHandle: received.ReceiptHandle!, VisibilityTimeout: 0 }),
    );
    const event = JSON.parse(received.Body!).Records[0] as { eventTime: string };

    const settings = testSettings(pipeline, {
      concurrency: 1,
      outputs: {
        out: {
          type: "s3",
          bucket: pipeline.outputBucket,
          prefix: "partner/",
          fileName: "ACME_{date}_{time}_{stem}_{id:8}_{records}_{sha256:12}.csv.gz",
          timeZone: "Asia/Tokyo",
          compression: "gzip",
          checksumFiles: ["sha256"],
          triggerFile: { content: "size" },
        },
      },
    });
    running = await startWorker(moto, copyKind(), settings);
    await waitFor("the first delivery", () => eventsOf(running!.events, "job-done").length === 1, { timeoutMs: 30_000 });
    const first = await listKeys(s3, pipeline.outputBucket);
    await sqs.send(new SendMessageCommand({ QueueUrl: pipeline.queueUrl, MessageBody: received.Body! }));
    await waitFor("the redelivery", () => eventsOf(running!.events, "job-done").length === 2, { timeoutMs: 30_000 });
    const second = await listKeys(s3, pipeline.outputBucket);

    const t = zonedParts(new Date(event.eventTime), "Asia/Tokyo");
    const id = idempotencyKey({ bucket: pipeline.inputBucket, key: "drop/orders.csv", eTag: put.ETag!.replace(/"/g, "") }, "out");
    const body = await s3.send(new GetObjectCommand({ Bucket: pipeline.outputBucket, Key: first.find((k) => k.endsWith(".csv.gz"))! }));
    const gz = Buffer.from(await body.Body!.transformToByteArray());
    const sha = createHash("sha256").update(gz).digest("hex");
    const name = `partner/ACME_${t.yyyy}${t.MM}${t.dd}_${t.HH}${t.mm}${t.ss}_orders_${id.slice(0, 8)}_4_${sha.slice(0, 12)}.csv.gz`;
    assert.deepEqual(first, [name, `${name}.done`, `${name}.sha256`]);
    assert.deepEqual(second, first, "the redelivery wrote the same three names, no others");
    assert.equal(gunzipSync(gz).toString(), CSV);
    const done = eventsOf(running.events, "job-done");
    assert.deepEqual(
      done.map((d) => d.deliveries[0]!.target),
      [`s3://${pipeline.outputBucket}/${name}`, `s3://${pipeline.outputBucket}/${name}`],
    );
  });
});
