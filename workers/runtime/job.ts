/**
 * One job: one S3 object. Hands the handler the object (fetched on its first read), collects the
 * handler's outputs on the scratch disk, then delivers each through the connector bound to its slot
 * under the idempotent name. Never holds the object in memory: the body is a stream and outputs are files.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { createReadStream, createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { finished, pipeline } from "node:stream/promises";
import type { Logger } from "pino";
import type { WorkerDefinition } from "../../catalog/contract";
import type { ProtobufEncoder } from "../connectors/protobuf";
import type { Connector, DeliveryResult } from "../connectors/types";
import { ConfigError, PermanentError, RetryableError } from "../errors";
import { idempotencyKey, inputDigest, outputName } from "./output-name";
import { openObjectInput, type GoneReason } from "./object-input";
import { readNdjson } from "./records";
import type { S3ObjectEvent } from "./s3-event";
import type { Handler, HandlerContext, JobInput, OutputOptions } from "./types";

export interface JobDeps {
  readonly s3: S3Client;
  readonly definition: WorkerDefinition;
  readonly handler: Handler;
  readonly connectors: Readonly<Record<string, Connector>>;
  readonly scratchDir: string;
  /**
   * Encoders of slots whose binding has a `format`: the handler writes NDJSON records, the runtime
   * encodes them (e.g. length-delimited protobuf) on the scratch disk before delivery.
   */
  readonly encoders?: Readonly<Record<string, ProtobufEncoder>>;
  /** Filled in as the job runs, whatever its outcome: bytes read from S3 and bytes delivered (job metrics). */
  readonly meter?: JobMeter;
}

/** Byte counts of one job, from the stream counters (object input) and the connectors' results. */
export interface JobMeter {
  bytesIn: number;
  bytesOut: number;
}

export interface JobMessage {
  readonly messageId: string;
  readonly receiveCount: number;
}

export type JobOutcome =
  | { readonly status: "done"; readonly bytesIn: number; readonly deliveries: readonly DeliveryResult[] }
  /** The object no longer exists, or was replaced (its newer version has its own event): nothing to do. */
  | { readonly status: "gone"; readonly reason: GoneReason };

interface SlotFile {
  readonly slot: string;
  readonly path: string;
  readonly stream: WriteStream;
  readonly options: OutputOptions;
}

export async function runJob(
  record: S3ObjectEvent,
  message: JobMessage,
  deps: JobDeps,
  logger: Logger,
  signal: AbortSignal,
): Promise<JobOutcome> {
  const object = openObjectInput(deps.s3, record, signal);
  const meta: JobInput = {
    bucket: record.bucket,
    key: record.key,
    size: record.size ?? 0,
    eTag: record.eTag,
    versionId: record.versionId,
    eventName: record.eventName,
    eventTime: record.eventTime,
    head: () => object.head(),
  };
  // Name outputs from the event's identity (what a redelivery carries), not from the response.
  const identity = { bucket: record.bucket, key: record.key, versionId: record.versionId, eTag: record.eTag };
  const jobDir = join(deps.scratchDir, `${inputDigest(identity).slice(0, 24)}-${process.pid}-${Date.now().toString(36)}`);
  // Created on the first output: a job that writes nothing touches no disk.
  let jobDirCreated = false;
  const files = new Map<string, SlotFile>();
  try {
    const ctx: HandlerContext = {
      logger,
      signal,
      connectors: deps.connectors,
      messageId: message.messageId,
      receiveCount: message.receiveCount,
      output(slot, options = {}) {
        if (!(slot in deps.definition.outputs)) {
          throw new ConfigError(`handler of \`${deps.definition.name}\` wrote to slot \`${slot}\`, which its definition does not declare`, {
            context: { slot },
          });
        }
        if (files.has(slot))
          throw new ConfigError(`handler of \`${deps.definition.name}\` opened slot \`${slot}\` twice`, { context: { slot } });
        if (!jobDirCreated) {
          mkdirSync(jobDir, { recursive: true });
          jobDirCreated = true;
        }
        const path = join(jobDir, `out-${files.size}`);
        const stream = createWriteStream(path);
        // Without a listener, a write error (disk full, or a write still pending when a failed job
        // destroys its files) would crash the process. The error stays on the stream: `finished`
        // below rejects with it, failing the job.
        stream.on("error", (err) => logger.debug({ err, slot }, "output file error"));
        files.set(slot, { slot, path, stream, options });
        return stream;
      },
    };
    try {
      await deps.handler(object.stream, meta, ctx);
    } finally {
      // A handler that stops reading early (or read only the headers) must not leave the HTTP connection hanging.
      object.close();
    }
    // Whatever the handler made of a missing input (rethrown, wrapped or ignored), the job is about nothing.
    if (object.gone !== undefined) return { status: "gone", reason: object.gone };
    // A handler that caught a failed read worked on a truncated object: deliver nothing, retry the job.
    if (object.failure !== undefined) {
      throw new RetryableError(`reading s3://${record.bucket}/${record.key} failed, and the handler returned anyway; the job is retried`, {
        cause: object.failure,
        context: { bucket: record.bucket, key: record.key },
      });
    }
    for (const file of files.values()) {
      if (!file.stream.writableEnded) file.stream.end();
      await finished(file.stream);
    }
    const deliveries: DeliveryResult[] = [];
    for (const file of files.values()) {
      const connector = deps.connectors[file.slot];
      if (connector === undefined)
        throw new ConfigError(`slot \`${file.slot}\` has no connector: bind it in \`JOBWORKER_OUTPUTS\``, { context: { slot: file.slot } });
      const encoder = deps.encoders?.[file.slot];
      const encoded = encoder === undefined ? undefined : await encodeRecords(file.path, encoder);
      const payload = encoded?.path ?? file.path;
      const { size } = await stat(payload);
      const delivered = await connector.deliver({
        name: outputName(identity, encoder === undefined ? (file.options.extension ?? "") : ".pb"),
        open: () => createReadStream(payload),
        openRange: (start, end) => createReadStream(payload, { start, end: end - 1 }),
        size,
        contentType: encoder === undefined ? file.options.contentType : "application/x-protobuf",
        idempotencyKey: idempotencyKey(identity, file.slot),
        signal,
        naming: {
          key: record.key,
          eventTime: record.eventTime,
          slot: file.slot,
          extension: encoder === undefined ? file.options.extension : ".pb",
          records: encoded?.records,
        },
      });
      deliveries.push(delivered);
      if (deps.meter !== undefined) deps.meter.bytesOut += delivered.bytes;
    }
    return { status: "done", bytesIn: object.bytesRead, deliveries };
  } catch (err) {
    if (object.gone !== undefined) return { status: "gone", reason: object.gone };
    if (signal.aborted && !(err instanceof PermanentError)) throw new Error(`job aborted: ${String(signal.reason)}`, { cause: err });
    throw err;
  } finally {
    if (deps.meter !== undefined) deps.meter.bytesIn = object.bytesRead;
    for (const file of files.values()) file.stream.destroy();
    if (jobDirCreated) await rm(jobDir, { recursive: true, force: true });
  }
}

/**
 * Encodes an NDJSON file into the slot's binary format, next to it; returns the encoded file's path
 * and its record count. A record the format refuses fails the job naming its line in the handler's
 * output (and the field, from the encoder's message).
 */
async function encodeRecords(path: string, encoder: ProtobufEncoder): Promise<{ path: string; records: number }> {
  const encoded = `${path}.pb`;
  let records = 0;
  await pipeline(
    readNdjson(createReadStream(path), "output"),
    async function* (lines) {
      for await (const { record, lineNumber } of lines) {
        try {
          yield encoder.encodeRecord(record, records);
        } catch (err) {
          if (!(err instanceof PermanentError)) throw err;
          throw new PermanentError(`output line ${lineNumber}: ${err.message}`, {
            cause: err,
            context: { ...err.context, line: lineNumber },
          });
        }
        records += 1;
      }
    },
    createWriteStream(encoded),
  );
  return { path: encoded, records };
}
