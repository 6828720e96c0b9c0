/**
 * Uploads a payload that sits on the scratch disk (its size known, any byte range readable again)
 * without buffering it: one `PutObject` up to one part, otherwise a multipart upload whose parts are
 * streamed from their file ranges, several at a time. Memory stays at a few stream chunks whatever
 * the part size or the parallelism, which `@aws-sdk/lib-storage` cannot do (it copies each part into
 * a buffer before sending it).
 *
 * Every request carries a precomputed CRC32 (`x-amz-checksum-crc32`, node's zlib.crc32 over the
 * range), so S3 verifies the bytes and the SDK sends a plain body rather than its aws-chunked
 * encoding with a trailing checksum. The SDK does not retry a request whose body is a stream (it
 * cannot rewind one), so each request is retried here, with a fresh stream of the same range.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type PutObjectCommandInput,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";
import { crc32 } from "node:zlib";
import type { Logger } from "pino";
import { classifyAwsError } from "./aws-errors";
import { RetryableError } from "../errors";
import { withRetry, type RetryPolicy } from "./retry";

const MiB = 1024 * 1024;
/** Part size for payloads on disk: parts cost no memory, so larger than S3's 5 MiB minimum. */
export const S3_FILE_PART_SIZE = 8 * MiB;
/** Parts uploaded at once, each streamed from its file range. */
export const S3_FILE_PARTS_IN_FLIGHT = 4;

/** The object's parameters: everything of `PutObject` but the body and its length. */
export type ObjectParams = Omit<PutObjectCommandInput, "Body" | "ContentLength" | "ChecksumCRC32" | "ChecksumAlgorithm"> & {
  Bucket: string;
  Key: string;
};

export interface FileUpload {
  readonly s3: S3Client;
  readonly params: ObjectParams;
  readonly size: number;
  /** Bytes `[start, end)` of the payload, as a fresh stream. */
  readonly openRange: (start: number, end: number) => Readable;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly retry?: Partial<RetryPolicy>;
  /** Bytes per part; the caller fits it to S3's 10,000 parts (`multipartPartSize`). */
  readonly partSize: number;
  /** @default S3_FILE_PARTS_IN_FLIGHT */
  readonly partsInFlight?: number;
}

/** CRC32 of a stream, base64 of its 4 big-endian bytes, as S3's `x-amz-checksum-crc32` wants it. */
export async function crc32Base64(source: AsyncIterable<Buffer> | Iterable<Buffer>, signal?: AbortSignal): Promise<string> {
  let crc = 0;
  for await (const chunk of source) {
    signal?.throwIfAborted();
    crc = crc32(chunk, crc);
  }
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(crc >>> 0);
  return bytes.toString("base64");
}

/** What an upload did: the bytes sent and the most attempts any one request needed. */
export interface FileUploadResult {
  readonly bytes: number;
  readonly attempts: number;
}

/**
 * Uploads the payload. Requests with a body are retried here (bounded by `retry`), the others by the
 * SDK; so the caller must not retry the whole upload again. Throws `RetryableError` or
 * `PermanentError` for S3's answers, and the read error itself when the payload file cannot be read.
 */
export async function uploadFile(upload: FileUpload): Promise<FileUploadResult> {
  const { partSize } = upload;
  const target = `s3://${upload.params.Bucket}/${upload.params.Key}`;
  if (upload.size <= partSize) {
    const { attempts } = await sendRange(upload, 0, upload.size, `upload to ${target}`, async (body, checksum, abortSignal) => {
      await upload.s3.send(new PutObjectCommand({ ...upload.params, Body: body, ContentLength: upload.size, ChecksumCRC32: checksum }), {
        abortSignal,
      });
    });
    return { bytes: upload.size, attempts };
  }
  return uploadParts(upload, partSize, target);
}

async function uploadParts(upload: FileUpload, partSize: number, target: string): Promise<FileUploadResult> {
  const { s3, params } = upload;
  // No body: the SDK retries this call (and CompleteMultipartUpload) itself.
  const created = await s3
    .send(new CreateMultipartUploadCommand({ ...params, ChecksumAlgorithm: "CRC32" }), { abortSignal: upload.signal })
    .catch((err: unknown) => {
      throw classifyAwsError(err, `starting the multipart upload to ${target} failed`, { target });
    });
  const uploadId = created.UploadId!;
  const count = Math.ceil(upload.size / partSize);
  const parts: CompletedPart[] = new Array(count);
  // The first failed part stops the others.
  const stopParts = new AbortController();
  const partSignal = AbortSignal.any([upload.signal, stopParts.signal]);
  let next = 0;
  let firstError: unknown;
  let attempts = 1;
  const lane = async (): Promise<void> => {
    try {
      while (next < count && !partSignal.aborted) {
        const index = next++;
        const start = index * partSize;
        const end = Math.min(upload.size, start + partSize);
        const sent = await sendRange(
          { ...upload, signal: partSignal },
          start,
          end,
          `part ${index + 1} of ${count} to ${target}`,
          async (body, checksum, abortSignal) => {
            const out = await s3.send(
              new UploadPartCommand({
                Bucket: params.Bucket,
                Key: params.Key,
                UploadId: uploadId,
                PartNumber: index + 1,
                Body: body,
                ContentLength: end - start,
                ChecksumCRC32: checksum,
              }),
              { abortSignal },
            );
            return { PartNumber: index + 1, ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32 ?? checksum };
          },
        );
        parts[index] = sent.value;
        attempts = Math.max(attempts, sent.attempts);
      }
    } catch (err) {
      // The first failure is the cause; the parts it stops fail with aborts.
      firstError ??= err;
      stopParts.abort(err);
    }
  };
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: Math.min(upload.partsInFlight ?? S3_FILE_PARTS_IN_FLIGHT, count) }, lane));
    if (firstError !== undefined) throw firstError;
    const partsDone = performance.now();
    if (upload.signal.aborted) throw classifyAwsError(upload.signal.reason, `upload to ${target} aborted`, { target });
    try {
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: params.Bucket,
          Key: params.Key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
        { abortSignal: upload.signal },
      );
    } catch (err) {
      // NoSuchUpload after the SDK retried: an earlier attempt may have completed it and lost the
      // answer. Not permanent: the job runs again and rewrites the same (idempotent) object.
      if ((err as { name?: string }).name === "NoSuchUpload") {
        throw new RetryableError(`completing the multipart upload to ${target} answered NoSuchUpload; the delivery is retried`, {
          cause: err,
          context: { target },
        });
      }
      throw classifyAwsError(err, `completing the multipart upload to ${target} failed`, { target });
    }
    // Where the time went, for tuning part size and parallelism (one line per upload, not per part).
    upload.logger.debug(
      { target, parts: count, partSize, partsMs: Math.round(partsDone - started), completeMs: Math.round(performance.now() - partsDone) },
      "multipart upload completed",
    );
    return { bytes: upload.size, attempts };
  } catch (err) {
    // A failed upload is aborted, so no orphaned parts accrue storage cost.
    await s3
      .send(new AbortMultipartUploadCommand({ Bucket: params.Bucket, Key: params.Key, UploadId: uploadId }))
      .catch((abortErr: unknown) =>
        upload.logger.warn(
          { err: abortErr, target, uploadId },
          "aborting the multipart upload failed; the bucket's lifecycle rule must remove its parts",
        ),
      );
    throw err;
  }
}

/**
 * Sends bytes `[start, end)` with `send(body, checksum, signal)`: the checksum first (one read of the
 * range), then each attempt with a fresh stream, retried on transient errors. A read error of the
 * file aborts the attempt's request (the SDK pipes the body without watching it: unhandled, the error
 * would crash the process and the request would hang) and fails at once: retrying cannot fix a disk.
 */
async function sendRange<T>(
  upload: FileUpload,
  start: number,
  end: number,
  what: string,
  send: (body: Readable | Buffer, checksum: string, signal: AbortSignal) => Promise<T>,
): Promise<{ value: T; attempts: number }> {
  const checksum = await crc32Base64(end > start ? upload.openRange(start, end) : [], upload.signal);
  return withRetry(
    async () => {
      // A 0-byte payload goes as an empty buffer: a file range cannot be empty.
      const body = end > start ? upload.openRange(start, end) : Buffer.alloc(0);
      const attempt = new AbortController();
      let readError: Error | undefined;
      if (!Buffer.isBuffer(body)) {
        body.once("error", (err) => {
          readError = err;
          attempt.abort(err);
        });
      }
      try {
        return await send(body, checksum, AbortSignal.any([upload.signal, attempt.signal]));
      } catch (err) {
        if (readError !== undefined) throw new Error(`reading the payload for ${what} failed: ${readError.message}`, { cause: readError });
        throw classifyAwsError(err, `${what} failed`, { target: `s3://${upload.params.Bucket}/${upload.params.Key}`, start, end });
      } finally {
        if (!Buffer.isBuffer(body)) body.destroy();
      }
    },
    { policy: upload.retry, signal: upload.signal },
  );
}
