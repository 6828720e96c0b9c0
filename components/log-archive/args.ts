/**
 * What a `LogArchive` is made from, and every default in one place: CloudWatch Logs → a subscription
 * filter → Firehose (decompressed, one line per record, partitioned by worker and day, GZIP) → an
 * encrypted, TLS-only S3 bucket whose objects move to colder storage classes with age → an Athena
 * workgroup and a Glue table with partition projection.
 */
import type * as pulumi from "@pulumi/pulumi";

/** A log group whose every line is archived. */
export interface ArchivedLogGroup {
  /** Log group name, e.g. the cluster's container group `/jobworker/<stack>/<cluster>/containers`. */
  readonly name: pulumi.Input<string>;
}

/** The settings a stack configures (`jobworker:logging.archive`). */
export interface LogArchiveSettings {
  /** Days after which archived objects move to S3 Glacier Instant Retrieval. @default 30 */
  readonly glacierIrAfterDays?: number;
  /** Days after which archived objects move to S3 Glacier Deep Archive (Athena cannot read them there). @default 365 */
  readonly deepArchiveAfterDays?: number;
  /** Days after which archived objects are deleted. @default none (kept) */
  readonly expireAfterDays?: number;
  /** Firehose buffer: seconds before an object is written. @default 300 */
  readonly bufferSeconds?: number;
  /** Firehose buffer: MiB before an object is written (dynamic partitioning needs at least 64). @default 64 */
  readonly bufferMiB?: number;
  /** Athena stops a query of the workgroup after scanning this many GiB. @default 10 */
  readonly queryScanLimitGiB?: number;
}

export interface LogArchiveArgs extends LogArchiveSettings {
  /** Log groups to archive: one subscription filter each (a group takes at most two). */
  readonly logGroups: readonly ArchivedLogGroup[];
  /** Worker names: the values of the `worker` partition Athena projects (lines without one go under `none`). */
  readonly workers: readonly string[];
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

export const LOG_ARCHIVE_DEFAULTS = {
  glacierIrAfterDays: 30,
  deepArchiveAfterDays: 365,
  bufferSeconds: 300,
  bufferMiB: 64,
  queryScanLimitGiB: 10,
  /** Days Athena query results are kept. */
  resultRetentionDays: 30,
  /** First day partition projection knows of. */
  projectionStart: "2026-01-01",
} as const;

/** Key prefixes in the archive bucket. */
export const ARCHIVE_PREFIXES = { logs: "logs/", errors: "errors/", results: "athena-results/" } as const;
/** The `worker` partition of lines that carry no `worker` field (daemons, the collector). */
export const NO_WORKER = "none";

export type SettledLogArchiveSettings = Required<Omit<LogArchiveSettings, "expireAfterDays">> & { readonly expireAfterDays?: number };
