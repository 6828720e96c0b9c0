/**
 * What a worker author writes: a handler plus a definition. The author writes no SQS or S3 code;
 * the runtime hands the handler the object as a stream, its metadata and a context.
 */
import type { Readable, Writable } from "node:stream";
import type { Logger } from "pino";
import type { WorkerDefinition } from "../../catalog/contract";
import type { Connector } from "../connectors/types";

/**
 * The S3 object a job is about, as its notification describes it. Reading it costs nothing: the
 * object itself is fetched only when the handler reads `input` or calls `head()`.
 */
export interface JobInput {
  readonly bucket: string;
  /** URL-decoded object key. */
  readonly key: string;
  /** Bytes, as the event states (0 when the event does not say); `head()` has the stored size. */
  readonly size: number;
  /** Entity tag without quotes, when the event carries it. */
  readonly eTag?: string;
  /** Present on versioned buckets. */
  readonly versionId?: string;
  /** `ObjectCreated:Put`, `ObjectCreated:CompleteMultipartUpload`, ... */
  readonly eventName: string;
  /** ISO time of the event. */
  readonly eventTime?: string;
  /**
   * The object's headers (content type, user metadata, stored size), from the same `GetObject` that
   * streams `input`: the first call sends it if reading has not, without consuming the body.
   */
  head(): Promise<ObjectHead>;
}

/** What `GetObject` says about the object. */
export interface ObjectHead {
  /** Bytes (`ContentLength`). */
  readonly size: number;
  readonly eTag?: string;
  readonly versionId?: string;
  readonly contentType?: string;
  /** User metadata (`x-amz-meta-*`), keys lower-case. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly lastModified?: Date;
}

export interface OutputOptions {
  /** Appended to the derived output name, e.g. `.ndjson`. @default "" */
  readonly extension?: string;
  /** @default "application/octet-stream" */
  readonly contentType?: string;
}

export interface HandlerContext {
  /** Child logger carrying the job's bucket, key and message id. Log summaries, not chunks. */
  readonly logger: Logger;
  /** Aborted on the job's deadline (`maxProcessingSeconds`) and when shutdown gives up waiting. */
  readonly signal: AbortSignal;
  /**
   * A file on the scratch disk for an output slot. Write the slot's payload into it and end it; after
   * the handler returns, the runtime delivers it through the connector bound to the slot, under a
   * name derived from the input (so a redelivered job overwrites, never duplicates). Call at most
   * once per slot.
   */
  output(slot: string, options?: OutputOptions): Writable;
  /** The connectors bound to the definition's output slots, for handlers that need more than one payload per slot. */
  readonly connectors: Readonly<Record<string, Connector>>;
  /** The SQS message this job came from. */
  readonly messageId: string;
  /** How many times SQS has handed this message out (1 on the first try). */
  readonly receiveCount: number;
}

/**
 * Turns one object into outputs. `input` is the object's body; it is fetched on the first read, so a
 * handler that does not need the body (it decides from `meta`) never downloads it. Throw to fail the job: a `PermanentError` sends the message to
 * the dead-letter queue at once; anything else makes it visible again after a backoff, until the
 * queue's `maxReceiveCount` moves it to the dead-letter queue.
 */
export type Handler = (input: Readable, meta: JobInput, ctx: HandlerContext) => Promise<void>;

/** A worker kind: its plain definition (shared with the infrastructure) and its handler. */
export interface WorkerKind {
  readonly definition: WorkerDefinition;
  readonly handler: Handler;
}

/** Typed helper that pairs a catalog definition with its handler. */
export function defineWorker(definition: WorkerDefinition, handler: Handler): WorkerKind {
  return { definition, handler };
}
