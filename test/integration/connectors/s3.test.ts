import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { crc32 } from "node:zlib";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListMultipartUploadsCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { createConnector, createS3Connector, S3_PART_SIZE } from "../../../workers/connectors";
import { createSecretResolver } from "../../../workers/secrets";
import { PermanentError, RetryableError } from "../../../workers/errors";
import { sdkLogger } from "../../../workers/runtime/clients";
import { startFaultProxy } from "../../support/fault-proxy";
import { startMoto, type MotoServer } from "../../support/moto";
import { bufferDelivery, FAST_RETRY, recordingLogger } from "./helpers";

describe("S3 connector (moto server)", function () {
  this.timeout(60_000);
  let moto: MotoServer;
  let s3: S3Client;
  let scratch: string;
  const bucket = "partner-drop";
  const MiB = 1024 * 1024;

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), "s3-connector-"));
    moto = await startMoto();
    s3 = new S3Client(moto.clientConfig);
    await s3.send(
      new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: moto.clientConfig.region as never } }),
    );
  });
  after(async () => {
    rmSync(scratch, { recursive: true, force: true });
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
    const missing = await createConnector(
      { type: "s3", bucket: "no-such-bucket" },
      { s3, logger: log.logger, secrets: createSecretResolver(), retry: FAST_RETRY },
    );
    const d = bufferDelivery("x", "x");
    await assert.rejects(missing.deliver(d), PermanentError);
    assert.equal(d.opens(), 1);

    const dead = new S3Client({ ...moto.clientConfig, endpoint: "http://127.0.0.1:1", maxAttempts: 1 });
    const refused = await createConnector(
      { type: "s3", bucket },
      { s3: dead, logger: log.logger, secrets: createSecretResolver(), retry: FAST_RETRY },
    );
    const d2 = bufferDelivery("y", "y");
    const err = await refused.deliver(d2).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof RetryableError, `expected RetryableError, got ${String(err)}`);
    assert.equal(d2.opens(), FAST_RETRY.maxAttempts);
    assert.equal(log.withMsg("delivery failed").at(-1)!.attempts, FAST_RETRY.maxAttempts);
    dead.destroy();
  });
  /** A payload on disk, as the runtime stages it: `open` and `openRange` read the file afresh. */
  function fileDelivery(name: string, bytes: Buffer, ranges: Array<[number, number]> = []) {
    const path = join(scratch, name);
    writeFileSync(path, bytes);
    let opens = 0;
    return {
      name,
      open: () => {
        opens++;
        return createReadStream(path);
      },
      openRange: (start: number, end: number) => {
        ranges.push([start, end]);
        return createReadStream(path, { start, end: end - 1 });
      },
      size: bytes.length,
      idempotencyKey: `job-${name}`,
      signal: new AbortController().signal,
      opens: () => opens,
    };
  }

  /** Deterministic, non-repeating content, so a part sent twice or out of place changes the hash. */
  function payload(size: number): Buffer {
    const bytes = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4) bytes.writeUInt32LE((i * 2654435761) >>> 0, Math.min(i, size - 4));
    return bytes;
  }

  it("uploads a payload on disk as parallel parts streamed from its file ranges, byte for byte, with a CRC32 on each request", async () => {
    const log = recordingLogger();
    const connector = createS3Connector(
      { type: "s3", bucket, prefix: "files", kmsKeyId: "alias/partner" },
      { s3, logger: log.logger, retry: FAST_RETRY, filePartSize: 5 * MiB },
    );
    const bytes = payload(17 * MiB + 321); // 4 parts: 5 + 5 + 5 + 2 MiB
    const ranges: Array<[number, number]> = [];
    const delivery = fileDelivery("parts.bin", bytes, ranges);
    const result = await connector.deliver(delivery);
    assert.equal(result.bytes, bytes.length);
    assert.equal(delivery.opens(), 0, "the whole-payload stream is never opened");
    const got = await body("files/parts.bin");
    assert.equal(createHash("sha256").update(got).digest("hex"), createHash("sha256").update(bytes).digest("hex"));
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "files/parts.bin" }));
    assert.match(head.ETag ?? "", /-4"$/, "a multipart ETag ends in -<parts>");
    assert.equal(head.ServerSideEncryption, "aws:kms");
    // Each part's range is read twice: once for its checksum, once to send it.
    const expected = [
      [0, 5 * MiB],
      [5 * MiB, 10 * MiB],
      [10 * MiB, 15 * MiB],
      [15 * MiB, bytes.length],
    ];
    assert.deepEqual(
      [...ranges].sort((a, b) => a[0] - b[0]),
      expected.flatMap((r) => [r, r]),
    );
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    assert.equal(uploads.Uploads?.length ?? 0, 0);
  });

  it("sends a payload on disk up to one part as one plain PutObject carrying its CRC32, and each part with its range's CRC32", async () => {
    // moto neither stores nor checks a CRC32 sent as a header (S3 checks it and answers BadDigest on
    // a mismatch), so the test reads what went over the wire.
    const proxy = await startFaultProxy(moto.endpoint, { failEvery: 0, resetEvery: 0 });
    const recorded = new S3Client({ ...moto.clientConfig, endpoint: proxy.endpoint });
    const crcOf = (bytes: Buffer) => {
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(bytes) >>> 0);
      return crc.toString("base64");
    };
    try {
      const log = recordingLogger();
      const connector = createS3Connector(
        { type: "s3", bucket, prefix: "crc" },
        { s3: recorded, logger: log.logger, retry: FAST_RETRY, filePartSize: 5 * MiB },
      );
      const single = payload(3 * MiB + 5);
      await connector.deliver(fileDelivery("single.bin", single));
      const multi = payload(11 * MiB);
      await connector.deliver(fileDelivery("multi.bin", multi));
      await connector.deliver(fileDelivery("empty.bin", Buffer.alloc(0)));

      const puts = proxy.stats.log.filter((r) => r.method === "PUT");
      const put = puts.find((r) => r.url.split("?")[0] === `/${bucket}/crc/single.bin`)!;
      assert.equal(put.headers["x-amz-checksum-crc32"], crcOf(single));
      assert.equal(put.headers["content-length"], String(single.length));
      assert.equal(put.headers["content-encoding"], undefined, "a plain body, not aws-chunked");
      const parts = puts.filter((r) => r.url.startsWith(`/${bucket}/crc/multi.bin?`) && r.url.includes("partNumber="));
      const byPart = new Map(
        parts.map((r) => [Number(new URL(r.url, "http://x").searchParams.get("partNumber")), r.headers["x-amz-checksum-crc32"]]),
      );
      assert.deepEqual(
        [...byPart.entries()].sort((a, b) => a[0] - b[0]),
        [
          [1, crcOf(multi.subarray(0, 5 * MiB))],
          [2, crcOf(multi.subarray(5 * MiB, 10 * MiB))],
          [3, crcOf(multi.subarray(10 * MiB))],
        ],
      );
      assert.ok((await body("crc/multi.bin")).equals(multi));
      assert.equal((await body("crc/empty.bin")).length, 0);
    } finally {
      recorded.destroy();
      await proxy.stop();
    }
  });

  it("retries parts through 503s and connection resets with fresh streams of the same range, byte for byte", async () => {
    const proxy = await startFaultProxy(moto.endpoint, { failEvery: 3, resetEvery: 7 });
    const log = recordingLogger();
    const flaky = new S3Client({ ...moto.clientConfig, endpoint: proxy.endpoint, logger: sdkLogger(log.logger) });
    try {
      const connector = createS3Connector(
        { type: "s3", bucket, prefix: "flaky" },
        { s3: flaky, logger: log.logger, retry: { ...FAST_RETRY, maxAttempts: 6 }, filePartSize: 5 * MiB },
      );
      const bytes = payload(21 * MiB); // 5 parts
      const ranges: Array<[number, number]> = [];
      await connector.deliver(fileDelivery("flaky.bin", bytes, ranges));
      const got = await body("flaky/flaky.bin");
      assert.ok(got.equals(bytes), "the object is the payload, byte for byte");
      assert.ok(proxy.stats.failed503 + proxy.stats.reset >= 2, `faults injected: ${JSON.stringify(proxy.stats)}`);
      assert.ok(ranges.length > 10, `retried parts reopen their range (ranges opened: ${ranges.length})`);
      // The SDK's own warning (it does not retry stream bodies) arrives as a JSON log line, not on the console.
      assert.ok(
        log.lines.some((l) => l.source === "aws-sdk" && /non-retryable streaming request/.test(String(l.msg))),
        "SDK warning logged",
      );
    } finally {
      flaky.destroy();
      await proxy.stop();
    }
  });

  it("aborts the multipart upload when a part fails for good, leaving no parts behind", async () => {
    const log = recordingLogger();
    const connector = createS3Connector(
      { type: "s3", bucket, prefix: "broken" },
      { s3, logger: log.logger, retry: FAST_RETRY, filePartSize: 5 * MiB },
    );
    const good = fileDelivery("broken.bin", payload(12 * MiB));
    const delivery = {
      ...good,
      openRange: (start: number, end: number) =>
        start >= 10 * MiB
          ? new Readable({
              read() {
                this.destroy(new Error("scratch disk read error"));
              },
            })
          : good.openRange(start, end),
    };
    await assert.rejects(connector.deliver(delivery), /scratch disk read error/);
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    assert.equal(uploads.Uploads?.length ?? 0, 0);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "broken/" }));
    assert.equal(listed.KeyCount ?? 0, 0);
    assert.equal(log.withMsg("delivery failed").length, 1);
  });

  it("fails a delivery whose payload file cannot be read while sending, without crashing or hanging, and leaves no upload", async () => {
    const log = recordingLogger();
    const connector = createS3Connector(
      { type: "s3", bucket, prefix: "unreadable" },
      { s3, logger: log.logger, retry: FAST_RETRY, filePartSize: 5 * MiB },
    );
    const good = fileDelivery("unreadable.bin", payload(12 * MiB));
    const opened = new Map<number, number>();
    const delivery = {
      ...good,
      // The checksum pass reads each range; the send of the second part finds the file gone.
      openRange: (start: number, end: number) => {
        const n = (opened.get(start) ?? 0) + 1;
        opened.set(start, n);
        return start === 5 * MiB && n === 2 ? createReadStream(join(scratch, "no-such-file")) : good.openRange(start, end);
      },
    };
    const err = await connector.deliver(delivery).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    assert.ok(err instanceof Error, "the delivery fails");
    assert.match(err.message, /reading the payload for part 2 of 3 to s3:\/\/partner-drop\/unreadable\/unreadable\.bin failed: ENOENT/);
    assert.equal(opened.get(5 * MiB), 2, "a disk error is not retried");
    const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    assert.equal(uploads.Uploads?.length ?? 0, 0);
  });

  it("makes at most maxAttempts tries of a request that S3 keeps throttling (no retries of retries)", async () => {
    const proxy = await startFaultProxy(moto.endpoint, { failEvery: 1, resetEvery: 0 });
    const throttled = new S3Client({ ...moto.clientConfig, endpoint: proxy.endpoint });
    try {
      const log = recordingLogger();
      const connector = createS3Connector(
        { type: "s3", bucket, prefix: "throttled" },
        { s3: throttled, logger: log.logger, retry: FAST_RETRY },
      );
      const err = await connector.deliver(fileDelivery("throttled.bin", payload(1000))).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      assert.ok(err instanceof RetryableError, `expected RetryableError, got ${String(err)}`);
      assert.equal(err.message.match(/gave up after/g)?.length, 1, err.message);
      const puts = proxy.stats.log.filter((r) => r.method === "PUT");
      assert.equal(puts.length, FAST_RETRY.maxAttempts);
      assert.equal(log.withMsg("delivery failed").length, 1);
    } finally {
      throttled.destroy();
      await proxy.stop();
    }
  });
});
