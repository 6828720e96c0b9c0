/**
 * A protobuf output slot through the runtime (moto server): a record the format cannot hold exactly
 * fails the job permanently, naming the line of the handler's output and the field, and the message
 * goes to the dead-letter queue with that reason; nothing is delivered.
 */
import assert from "node:assert/strict";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { startMoto, type MotoServer } from "../../support/moto";
import { waitFor } from "../../support/wait";
import { copyKind } from "./fixtures/test-kinds";
import { createPipeline, listKeys, startWorker, testSettings, type RunningWorker } from "./helpers";

describe("runtime protobuf output slot (moto server)", function () {
  this.timeout(90_000);
  let moto: MotoServer;
  let s3: S3Client;
  let running: RunningWorker | undefined;
  before(async () => {
    moto = await startMoto();
    s3 = new S3Client(moto.clientConfig);
  });
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });
  after(async () => {
    s3?.destroy();
    await moto?.stop();
  });

  it("dead-letters a record with a 64-bit number beyond 2^53, naming the output line and the field, and delivers nothing", async () => {
    const pipeline = await createPipeline(moto);
    const format = { type: "protobuf" as const, schema: "partner/v1/record.proto", messageType: "partner.v1.Record", delimited: true };
    running = await startWorker(
      moto,
      copyKind(),
      testSettings(pipeline, { outputs: { out: { type: "s3", bucket: pipeline.outputBucket, format } } }),
    );
    const body = ['{"id":"ok","quantity":1}', "", '{"id":"big","quantity":9007199254740993}', ""].join("\n");
    await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "records.ndjson", Body: body }));
    const [line] = await waitFor(
      "the dead-letter line",
      () => {
        const found = running!.logs.withMsg("message sent to the dead-letter queue");
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 40_000 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; log: ${JSON.stringify(running!.logs.lines.map((l) => [l.msg, l.err ?? l.reason]))}`);
    });
    assert.match(String(line!.reason), /output line 3: record 2, field `quantity`: a JSON number beyond 2\^53 - 1/);
    assert.deepEqual(await listKeys(s3, pipeline.outputBucket), []);
  });
});
