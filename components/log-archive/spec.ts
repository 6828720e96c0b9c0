/**
 * The log archive as plain data: the Firehose S3 destination (processors, prefixes, buffering), the
 * bucket's lifecycle rules, the Glue table (JSON SerDe, partition projection) and a sample query.
 * Pure functions of plain values; `component.ts` hands the results to resources.
 */
import { ARCHIVE_PREFIXES, LOG_ARCHIVE_DEFAULTS, NO_WORKER, type SettledLogArchiveSettings } from "./args";

/**
 * Where Firehose writes: one prefix per worker and UTC day (Hive-style `key=value`, so the Glue table's
 * partition projection maps them). `worker` comes from each line's own `worker` field; the day from
 * the record's arrival time at Firehose.
 */
export const ARCHIVE_OBJECT_PREFIX = `${ARCHIVE_PREFIXES.logs}worker=!{partitionKeyFromQuery:worker}/dt=!{timestamp:yyyy-MM-dd}/`;
export const ARCHIVE_ERROR_PREFIX = `${ARCHIVE_PREFIXES.errors}!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/`;

export interface FirehoseProcessor {
  readonly type: string;
  readonly parameters?: { parameterName: string; parameterValue: string }[];
}

/**
 * CloudWatch Logs delivers subscription data to Firehose gzip-compressed, as batches of events in a
 * JSON envelope. The pipeline decompresses them (`Decompression`), keeps only each event's message
 * (`CloudWatchLogProcessing` / `DataMessageExtraction`: one record per log line, as the runtime wrote
 * it), reads the partition key from the line (`MetadataExtraction`, jq), ends each record with a
 * newline (`AppendDelimiterToRecord`, so an object is JSON Lines), and GZIP-compresses the objects.
 * (Firehose Developer Guide: "Decompress CloudWatch Logs", "Message extraction", "Dynamic partitioning".)
 * A line that is not JSON fails the jq step and is written under `errors/` instead.
 */
export function firehoseProcessors(): FirehoseProcessor[] {
  return [
    { type: "Decompression", parameters: [{ parameterName: "CompressionFormat", parameterValue: "GZIP" }] },
    { type: "CloudWatchLogProcessing", parameters: [{ parameterName: "DataMessageExtraction", parameterValue: "true" }] },
    {
      type: "MetadataExtraction",
      parameters: [
        { parameterName: "MetadataExtractionQuery", parameterValue: `{worker: (.worker // "${NO_WORKER}")}` },
        { parameterName: "JsonParsingEngine", parameterValue: "JQ-1.6" },
      ],
    },
    { type: "AppendDelimiterToRecord" },
  ];
}

/** The `extendedS3Configuration` of the delivery stream (bucket and role ARNs resolved). */
export function firehoseS3Destination(i: { bucketArn: string; roleArn: string; settings: SettledLogArchiveSettings }) {
  return {
    bucketArn: i.bucketArn,
    roleArn: i.roleArn,
    prefix: ARCHIVE_OBJECT_PREFIX,
    errorOutputPrefix: ARCHIVE_ERROR_PREFIX,
    bufferingInterval: i.settings.bufferSeconds,
    bufferingSize: i.settings.bufferMiB,
    compressionFormat: "GZIP",
    dynamicPartitioningConfiguration: { enabled: true },
    processingConfiguration: { enabled: true, processors: firehoseProcessors() },
  };
}

/** Lifecycle rules of the archive bucket: archived lines go colder with age; query results expire. */
export function archiveLifecycleRules(s: SettledLogArchiveSettings) {
  return [
    {
      id: "archive-logs",
      status: "Enabled",
      filter: { prefix: ARCHIVE_PREFIXES.logs },
      transitions: [
        { days: s.glacierIrAfterDays, storageClass: "GLACIER_IR" },
        { days: s.deepArchiveAfterDays, storageClass: "DEEP_ARCHIVE" },
      ],
      ...(s.expireAfterDays !== undefined ? { expiration: { days: s.expireAfterDays } } : {}),
    },
    {
      id: "expire-query-results",
      status: "Enabled",
      filter: { prefix: ARCHIVE_PREFIXES.results },
      expiration: { days: LOG_ARCHIVE_DEFAULTS.resultRetentionDays },
    },
  ];
}

/** The members of a runtime log line the table reads (Glue column names are lower case). */
export const ARCHIVE_COLUMNS: readonly { name: string; type: string; jsonKey?: string }[] = [
  { name: "time", type: "string" },
  { name: "level", type: "string" },
  { name: "msg", type: "string" },
  { name: "messageid", type: "string", jsonKey: "messageId" },
  { name: "receivecount", type: "int", jsonKey: "receiveCount" },
  { name: "bucket", type: "string" },
  { name: "key", type: "string" },
  { name: "durationms", type: "bigint", jsonKey: "durationMs" },
  { name: "bytesin", type: "bigint", jsonKey: "bytesIn" },
  { name: "outcome", type: "string", jsonKey: "Outcome" },
  { name: "reason", type: "string" },
  { name: "err", type: "struct<type:string,message:string,stack:string>" },
  { name: "pid", type: "int" },
  { name: "slot", type: "string" },
];

/**
 * The Glue table over `logs/`: JSON Lines read by the OpenX JSON SerDe, partitions projected (no
 * crawler, no `MSCK REPAIR`): `dt` is every day from the projection start to today, `worker` one of
 * the stack's workers or `none`. The SerDe is case-sensitive with explicit mappings because a job
 * metrics line carries both `worker` (every line's field) and `Worker` (its EMF dimension): the
 * case-insensitive default rejects such a line as a duplicate key.
 */
export function glueTableSpec(i: { bucket: string; workers: readonly string[] }) {
  const location = `s3://${i.bucket}/${ARCHIVE_PREFIXES.logs}`;
  const mappings: Record<string, string> = Object.fromEntries(
    ARCHIVE_COLUMNS.filter((c) => c.jsonKey).map((c) => [`mapping.${c.name}`, c.jsonKey!]),
  );
  return {
    tableType: "EXTERNAL_TABLE",
    parameters: {
      classification: "json",
      "projection.enabled": "true",
      "projection.dt.type": "date",
      "projection.dt.format": "yyyy-MM-dd",
      "projection.dt.range": `${LOG_ARCHIVE_DEFAULTS.projectionStart},NOW`,
      "projection.dt.interval": "1",
      "projection.dt.interval.unit": "DAYS",
      "projection.worker.type": "enum",
      "projection.worker.values": [...new Set([...i.workers].sort()), NO_WORKER].join(","),
      "storage.location.template": `${location}worker=\${worker}/dt=\${dt}/`,
    },
    partitionKeys: [
      { name: "worker", type: "string" },
      { name: "dt", type: "string" },
    ],
    storageDescriptor: {
      location,
      inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
      outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
      compressed: true,
      columns: ARCHIVE_COLUMNS.map((c) => ({ name: c.name, type: c.type })),
      serDeInfo: {
        serializationLibrary: "org.openx.data.jsonserde.JsonSerDe",
        parameters: { "case.insensitive": "false", "ignore.malformed.json": "true", ...mappings } as Record<string, string>,
      },
    },
  };
}

/** "What happened to file X last March": every line about one object key in a month, oldest first. */
export function sampleQuery(database: string, table: string): string {
  return [
    "SELECT time, worker, level, msg, outcome, durationms, err.message AS error",
    `FROM "${database}"."${table}"`,
    "WHERE dt BETWEEN '2026-03-01' AND '2026-03-31'",
    "  AND key = 'acme/feed.csv'",
    "ORDER BY time",
  ].join("\n");
}
