/**
 * One job: one S3 object. Streams the object into the handler, collects the handler's outputs on the
 * scratch disk, then delivers each through the connector bound to its slot under the idempotent name.
 * Never holds the object in memory: the body is a stream and outputs are files.
 */
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from "@aws-sdk/client-s3";
import { createReadStream, createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import type { Logger } from "pino";
import type { WorkerDefinition } from "../../catalog/contract";
import type { ProtobufEncoder } from "../connectors/protobuf";
import type { Connector, DeliveryResult } from "../connectors/types";
import { ConfigError, PermanentError } from "../errors";
import { idempotencyKey, inputDigest, outputName } from "./output-name";
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
}

export interface JobMessage {
  readonly messageId: string;
  readonly receiveCount: number;
}

export type JobOutcome =
  | { readonly status: "done"; readonly bytesIn: number; readonly deliveries: readonly DeliveryResult[] }
  /** The object no longer exists, or was replaced (its newer version has its own event): nothing to do. */
  | { readonly status: "gone"; readonly reason: "no-such-key" | "superseded" };

interface SlotFile {
  readonly slot: string;
  readonly path: string;
  readonly stream: WriteStream;
  readonly options: OutputOptions;
}

export async function runJob(record: S3ObjectEvent, message: JobMessage, deps: JobDeps, logger: Logger, signal: AbortSignal): Promise<JobOutcome> {
  let object: GetObjectCommandOutput;
  try {
    object = await deps.s3.send(
      new GetObjectCommand({
        Bucket: record.bucket,
        Key: record.key,
        VersionId: record.versionId,
        // Without versioning, the ETag pins the object the event is about: if it was overwritten since,
        // the newer object's own event will bring it, under its own output name.
        IfMatch: record.versionId === undefined && record.eTag ? `"${record.eTag}"` : undefined,
      }),
      { abortSignal: signal },
    );
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e.name === "NoSuchKey" || e.name === "NoSuchVersion" || e.$metadata?.httpStatusCode === 404) return { status: "gone", reason: "no-such-key" };
    if (e.name === "PreconditionFailed" || e.$metadata?.httpStatusCode === 412) return { status: "gone", reason: "superseded" };
    throw err;
  }
  const body = object.Body as Readable | undefined;
  const meta: JobInput = {
    bucket: record.bucket,
    key: record.key,
    size: object.ContentLength ?? record.size ?? 0,
    eTag: object.ETag?.replace(/"/g, "") ?? record.eTag,
    versionId: object.VersionId ?? record.versionId,
    contentType: object.ContentType,
    metadata: object.Metadata ?? {},
    eventName: record.eventName,
    eventTime: record.eventTime,
  };
  // Name outputs from the event's identity (what a redelivery carries), not from the response.
  const identity = { bucket: record.bucket, key: record.key, versionId: record.versionId, eTag: record.eTag ?? meta.eTag };
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
          throw new ConfigError(`handler of \`${deps.definition.name}\` wrote to slot \`${slot}\`, which its definition does not declare`, { context: { slot } });
        }
        if (files.has(slot)) throw new ConfigError(`handler of \`${deps.definition.name}\` opened slot \`${slot}\` twice`, { context: { slot } });
        if (!jobDirCreated) {
          mkdirSync(jobDir, { recursive: true });
          jobDirCreated = true;
        }
        const path = join(jobDir, `out-${files.size}`);
        const stream = createWriteStream(path);
        files.set(slot, { slot, path, stream, options });
        return stream;
      },
    };
    const input: Readable = body ?? Readable.from([]);
    try {
      await deps.handler(input, meta, ctx);
    } finally {
      // A handler that stops reading early must not leave the HTTP connection hanging.
      if (!input.readableEnded) input.destroy();
    }
    for (const file of files.values()) {
      if (!file.stream.writableEnded) file.stream.end();
      await finished(file.stream);
    }
    const deliveries: DeliveryResult[] = [];
    for (const file of files.values()) {
      const connector = deps.connectors[file.slot];
      if (connector === undefined) throw new ConfigError(`slot \`${file.slot}\` has no connector: bind it in \`JOBWORKER_OUTPUTS\``, { context: { slot: file.slot } });
      const encoder = deps.encoders?.[file.slot];
      const payload = encoder === undefined ? file.path : await encodeRecords(file.path, encoder);
      const { size } = await stat(payload);
      deliveries.push(
        await connector.deliver({
          name: outputName(identity, encoder === undefined ? (file.options.extension ?? "") : ".pb"),
          open: () => createReadStream(payload),
          size,
          contentType: encoder === undefined ? file.options.contentType : "application/x-protobuf",
          idempotencyKey: idempotencyKey(identity, file.slot),
          signal,
        }),
      );
    }
    return { status: "done", bytesIn: meta.size, deliveries };
  } catch (err) {
    if (signal.aborted && !(err instanceof PermanentError)) throw new Error(`job aborted: ${String(signal.reason)}`, { cause: err });
    throw err;
  } finally {
    for (const file of files.values()) file.stream.destroy();
    if (jobDirCreated) await rm(jobDir, { recursive: true, force: true });
  }
}

/** Encodes an NDJSON file into the slot's binary format, next to it; returns the encoded file's path. */
async function encodeRecords(path: string, encoder: ProtobufEncoder): Promise<string> {
  const encoded = `${path}.pb`;
  await pipeline(
    readNdjson(createReadStream(path), "output"),
    async function* (records) {
      for await (const { record } of records) yield record;
    },
    encoder.createStream(),
    createWriteStream(encoded),
  );
  return encoded;
}
