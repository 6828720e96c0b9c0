import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { createConnector, S3_PART_SIZE } from "../../../workers/connectors";
import { createSecretResolver } from "../../../workers/secrets";
import { PermanentError, RetryableError } from "../../../workers/errors";
import { startMoto, type MotoServer } from "../../support/moto";
import { bufferDelivery, FAST_RETRY, recordingLogger } from "./helpers";

describe("S3 connector (moto server)", function () {
  let moto: MotoServer;
  let s3: S3Client;
  const bucket = "partner-drop";

  before(async () => {
    moto = await startMoto();
    s3 = new S3Client(moto.clientConfig);
    await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: moto.clientConfig.region as never } }));
  });
  after(async () => {
    s3?.destroy();
    await moto?.stop();
  });

  async function body(key: string): Promise<Buffer> {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await out.Body!.transformToByteArray());
  }

  it("writes the payload under prefix/name and logs one line with target, bytes, duration and attempts", async () => {
    const log = recordingLogger();
    const connector = await createConnector(
      { type: "s3", bucket, prefix: "in/", bucketOwnerFullControl: true },
      { s3, logger: log.logger, secrets: createSecretResolver(), retry: FAST_RETRY },
    );
    const result = await connector.deliver(bufferDelivery("a.ndjson", '{"id":1}\n', { contentType: "application/x-ndjson" }));
    assert.deepEqual({ ...result, durationMs: 0 }, { target: `s3://${bucket}/in/a.ndjson`, bytes: 9, attempts: 1, durationMs: 0 });
    assert.equal((await body("in/a.ndjson")).toString(), '{"id":1}\n');
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "in/a.ndjson" }));
    assert.equal(head.ContentType, "application/x-ndjson");
    const lines = log.withMsg("delivered");
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.target, `s3://${bucket}/in/a.ndjson`);
    assert.equal(lines[0]!.bytes, 9);
    assert.equal(lines[0]!.attempts, 1);
    assert.equal(typeof lines[0]!.durationMs, "number");
    await connector.close();
  });

  it("streams a large payload as a multipart upload with SSE-KMS, byte for byte", async () => {
    const log = recordingLogger();
    const total = 2 * S3_PART_SIZE + 12345; // three parts
    const connector = await createConnector(
      { type: "s3", bucket, prefix: "big", kmsKeyId: "alias/partner" },
      { s3, logger: log.logger, secrets: createSecretResolver(), retry: FAST_RETRY },
    );
    // A generated stream of known content, never held whole in memory by the test.
    const hash = createHash("sha256");
    function* chunks() {
      let sent = 0;
      let n = 0;
      while (sent < total) {
        const size = Math.min(256 * 1024, total - sent);
        const chunk = Buffer.alloc(size, n++ % 251);
        hash.update(chunk);
        sent += size;
        yield chunk;
      }
    }
    let opened = 0;
    const result = await connector.deliver({
      name: "blob.bin",
      open: () => {
        opened++;
        return Readable.from(chunks());
      },
      idempotencyKey: "k",
      signal: new AbortController().signal,
    });
    const expected = hash.digest("hex");
    assert.equal(opened, 1);
    assert.equal(result.bytes, total);
    assert.equal(result.target, `s3://${bucket}/big/blob.bin`);
    const got = await body("big/blob.bin");
    assert.equal(got.length, total);
    assert.equal(createHash("sha256").update(got).digest("hex"), expected);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "big/blob.bin" }));
    assert.equal(head.ServerSideEncryption, "aws:kms");
    assert.match(head.ETag ?? "", /-3"$/, "a multipart ETag ends in -<parts>");
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    assert.equal(uploads.Uploads?.length ?? 0, 0);
  });

  it("fails fast on a missing bucket (permanent) and retries a refused connection (retryable)", async () => {
    const log = recordingLogger();
    const missing = await createConnector({ type: "s3", bucket: "no-such-bucket" }, { s3, logger: log.logger, secrets: createSecretResolver(), retry: FAST_RETRY });
    const d = bufferDelivery("x", "x");
    await assert.rejects(missing.deliver(d), PermanentError);
    assert.equal(d.opens(), 1);

    const dead = new S3Client({ ...moto.clientConfig, endpoint: "http://127.0.0.1:1", maxAttempts: 1 });
    const refused = await createConnector({ type: "s3", bucket }, { s3: dead, logger: log.logger, secrets: createSecretResolver(), retry: FAST_RETRY });
    const d2 = bufferDelivery("y", "y");
    const err = await refused.deliver(d2).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof RetryableError, `expected RetryableError, got ${String(err)}`);
    assert.equal(d2.opens(), FAST_RETRY.maxAttempts);
    assert.equal(log.withMsg("delivery failed").at(-1)!.attempts, FAST_RETRY.maxAttempts);
    dead.destroy();
  });
});
