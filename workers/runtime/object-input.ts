/**
 * The job's input object, opened lazily: `GetObject` is sent when the handler first reads the stream
 * or asks for the object's headers (`head()`), and once only (the headers and the body come from the
 * same response). A handler that decides from the event alone (key, size, ETag) costs no request, so
 * a worker that routes or rejects by name runs at the speed of the queue.
 *
 * The request pins the object the event is about: the version on versioned buckets, otherwise
 * `If-Match` on the event's ETag. A missing object (deleted since) or a replaced one (its newer
 * version brings its own event) is not a failure: `gone` says which, and the job is acknowledged.
 */
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from "@aws-sdk/client-s3";
import { Readable } from "node:stream";
import { JobworkerError, RetryableError } from "../errors";
import type { S3ObjectEvent } from "./s3-event";
import type { ObjectHead } from "./types";

export type GoneReason = "no-such-key" | "superseded";

/** The input object is no longer there (or was replaced): the job has nothing to do. */
export class InputGoneError extends JobworkerError {
  constructor(
    readonly reason: GoneReason,
    record: Pick<S3ObjectEvent, "bucket" | "key">,
    cause: unknown,
  ) {
    super(
      reason === "no-such-key"
        ? `s3://${record.bucket}/${record.key} no longer exists`
        : `s3://${record.bucket}/${record.key} was replaced since the event`,
      {
        cause,
        context: { bucket: record.bucket, key: record.key, reason },
      },
    );
  }
}

export interface ObjectInput {
  /** The body, streamed with backpressure; sends `GetObject` on the first read. */
  readonly stream: Readable;
  /** The object's headers; sends `GetObject` if the stream has not yet, without consuming the body. */
  head(): Promise<ObjectHead>;
  /** Set when `GetObject` found the object deleted or replaced. */
  readonly gone: GoneReason | undefined;
  /** Any other failure fetching or reading the object (after the SDK's retries), even one the handler caught. */
  readonly failure: unknown;
  /** Body bytes the handler has read. */
  readonly bytesRead: number;
  /** Releases the HTTP response (and its socket) whether or not the body was read. Idempotent. */
  close(): void;
}

/**
 * Whether a `GetObject` error means the object is gone. Only a missing key or version is: a missing
 * bucket (also a 404) or a refused request (403) says the event or the setup is wrong (a misrouted
 * event, a wrong endpoint, a missing grant), so it fails the job, which retries and then dead-letters.
 */
export function goneReason(err: unknown): GoneReason | undefined {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (e.name === "NoSuchKey" || e.name === "NoSuchVersion") return "no-such-key";
  if (e.name === "PreconditionFailed" || e.$metadata?.httpStatusCode === 412) return "superseded";
  return undefined;
}

/** Errors that say the event cannot be served here as configured: named, with what to check. */
const SETUP_ERRORS: Readonly<Record<string, string>> = {
  NoSuchBucket:
    "the bucket does not exist at this endpoint: check the event's source (a misrouted notification) and AWS_ENDPOINT_URL/AWS_REGION",
  AccessDenied: "access denied: the task role needs s3:GetObject on it (and kms:Decrypt for a KMS-encrypted bucket)",
};

/** A setup error wrapped with the object and what to check; any other error unchanged. */
function explain(err: unknown, record: Pick<S3ObjectEvent, "bucket" | "key">): unknown {
  const name = (err as { name?: string }).name ?? "";
  const why = SETUP_ERRORS[name];
  if (why === undefined) return err;
  return new RetryableError(`GetObject s3://${record.bucket}/${record.key} failed with ${name}: ${why}`, {
    cause: err,
    context: { bucket: record.bucket, key: record.key, code: name },
  });
}

export function openObjectInput(s3: S3Client, record: S3ObjectEvent, signal: AbortSignal): ObjectInput {
  let response: Promise<GetObjectCommandOutput> | undefined;
  let body: Readable | undefined;
  let gone: GoneReason | undefined;
  let failure: unknown;
  let bytesRead = 0;
  let closed = false;

  const fetch = (): Promise<GetObjectCommandOutput> =>
    (response ??= s3
      .send(
        new GetObjectCommand({
          Bucket: record.bucket,
          Key: record.key,
          VersionId: record.versionId,
          // Without versioning, the ETag pins the object the event is about.
          IfMatch: record.versionId === undefined && record.eTag ? `"${record.eTag}"` : undefined,
        }),
        { abortSignal: signal },
      )
      .then(
        (out) => {
          body = (out.Body as Readable | undefined) ?? Readable.from([]);
          // Closed while the request was in flight: nobody will read this body.
          if (closed) body.destroy();
          return out;
        },
        (err: unknown) => {
          const reason = goneReason(err);
          if (reason === undefined) {
            const explained = explain(err, record);
            failure ??= explained;
            throw explained;
          }
          gone = reason;
          throw new InputGoneError(reason, record, err);
        },
      ));

  // Readable.from pulls the generator only when the stream is read: no read, no request.
  const stream = Readable.from(
    (async function* () {
      await fetch();
      if (closed) return;
      try {
        for await (const chunk of body!) {
          bytesRead += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
      } catch (err) {
        // A connection reset mid-body: the handler saw a truncated object, whatever it did next.
        if (!closed) failure ??= err;
        throw err;
      }
    })(),
    { objectMode: false },
  );

  return {
    stream,
    async head() {
      const out = await fetch();
      return {
        size: out.ContentLength ?? record.size ?? 0,
        eTag: out.ETag?.replace(/"/g, "") ?? record.eTag,
        versionId: out.VersionId ?? record.versionId,
        contentType: out.ContentType,
        metadata: out.Metadata ?? {},
        lastModified: out.LastModified,
      };
    },
    get gone() {
      return gone;
    },
    get failure() {
      return failure;
    },
    get bytesRead() {
      return bytesRead;
    },
    close() {
      closed = true;
      if (!stream.destroyed) stream.destroy();
      // A body fetched for head() alone, or left half-read, still holds its socket.
      if (body !== undefined && !body.destroyed) body.destroy();
    },
  };
}
