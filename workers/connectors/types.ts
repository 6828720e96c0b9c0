/**
 * The one connector interface. Every delivery target (S3, REST, SFTP, FTP/FTPS) implements it; the
 * runtime hands handlers the connectors bound to their output slots (see `catalog/bindings.ts`).
 */
import type { Readable } from "node:stream";
import type { ResolvedOutputBinding } from "../../catalog/bindings";

/** One payload to deliver. */
export interface Delivery {
  /**
   * The object or file name at the target, derived by the runtime from the input
   * (bucket, key, version or ETag), so a redelivered job writes the same name, not a second one.
   */
  readonly name: string;
  /**
   * Opens the payload as a fresh stream. Called once per attempt: payloads are kept on the
   * scratch disk, never whole in memory, so a retry can read them again.
   */
  readonly open: () => Readable;
  /**
   * Opens bytes `[start, end)` of the payload as a fresh stream, when the payload can be read in
   * parts (the runtime's payloads are files): lets S3 upload parts in parallel without buffering them.
   */
  readonly openRange?: (start: number, end: number) => Readable;
  /** Bytes, when known (lets S3 skip multipart for small payloads, FTP report progress). */
  readonly size?: number;
  /** @default "application/octet-stream" */
  readonly contentType?: string;
  /** Stable for the job and slot across retries and redeliveries (REST sends it as `Idempotency-Key`). */
  readonly idempotencyKey: string;
  /** Aborts the delivery (shutdown, job deadline). */
  readonly signal: AbortSignal;
  /**
   * What a binding's `fileName` template is rendered from (`file-delivery.ts`); the runtime sets it.
   * Without it a template can use only `{id}`, `{sha256}` and `{records}`.
   */
  readonly naming?: DeliveryNaming;
}

/** The input and slot a payload came from: the parts of a partner file name that a redelivery repeats. */
export interface DeliveryNaming {
  /** The input's object key. */
  readonly key: string;
  /** ISO time of the S3 event (not the clock: a redelivery carries the same). */
  readonly eventTime?: string;
  readonly slot: string;
  /** The handler's extension for the slot (`OutputOptions.extension`), e.g. `.csv`. */
  readonly extension?: string;
  /** Records of the payload, when the runtime counted them (protobuf); else counted from its lines. */
  readonly records?: number;
}

/** What one delivery did; logged as one line by the connector. */
export interface DeliveryResult {
  /** Where it went, without secrets: `s3://b/k`, `sftp://host:22/dir/name`, `https://host/path`. */
  readonly target: string;
  readonly bytes: number;
  readonly attempts: number;
  readonly durationMs: number;
  /** The value `captureResponse` kept from a REST response (e.g. a partner's receipt id), when configured and found. */
  readonly captured?: string;
}

export interface Connector {
  /** The binding type: "s3" | "rest" | "sftp" | "ftp". */
  readonly type: string;
  /** The binding the connector was built from (secrets as references, never values). */
  readonly binding: ResolvedOutputBinding;
  deliver(delivery: Delivery): Promise<DeliveryResult>;
  /** Releases connections; idempotent. */
  close(): Promise<void>;
}
