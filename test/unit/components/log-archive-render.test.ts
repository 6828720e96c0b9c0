/** The log archive's pure rendering: Firehose pipeline, partitions, lifecycle, Glue table, IAM documents, settings. */
import assert from "node:assert/strict";
import {
  ARCHIVE_ERROR_PREFIX,
  ARCHIVE_OBJECT_PREFIX,
  archiveLifecycleRules,
  firehoseProcessors,
  firehoseS3Destination,
  firehoseToS3Policy,
  firehoseTrustPolicy,
  glueTableSpec,
  logsDeliveryPolicy,
  logsDeliveryTrustPolicy,
  sampleQuery,
  settleLogArchiveSettings,
  LogArchiveArgsError,
} from "../../../components/log-archive";
import { jobMetricsRecord } from "../../../workers/runtime/job-metrics";
import { checkPolicyDocument, IamCatalogue, POLICY_KINDS } from "../../../policy/iam";

const scope = { accountId: "123456789012", region: "eu-west-1" };
const defaults = settleLogArchiveSettings({});

describe("log archive rendering", () => {
  it("decompresses CloudWatch Logs data, extracts each message, partitions by the line's worker and ends records with a newline, in that order", () => {
    assert.deepEqual(
      firehoseProcessors().map((p) => [p.type, Object.fromEntries((p.parameters ?? []).map((q) => [q.parameterName, q.parameterValue]))]),
      [
        ["Decompression", { CompressionFormat: "GZIP" }],
        ["CloudWatchLogProcessing", { DataMessageExtraction: "true" }],
        ["MetadataExtraction", { MetadataExtractionQuery: '{worker: (.worker // "none")}', JsonParsingEngine: "JQ-1.6" }],
        ["AppendDelimiterToRecord", {}],
      ],
    );
  });

  it("writes GZIP objects under logs/worker=<worker>/dt=<yyyy-MM-dd>/ with dynamic partitioning and the configured buffer", () => {
    const d = firehoseS3Destination({ bucketArn: "arn:aws:s3:::arch", roleArn: "arn:aws:iam::123456789012:role/fh", settings: defaults });
    assert.equal(d.prefix, "logs/worker=!{partitionKeyFromQuery:worker}/dt=!{timestamp:yyyy-MM-dd}/");
    assert.equal(d.prefix, ARCHIVE_OBJECT_PREFIX);
    assert.equal(d.errorOutputPrefix, ARCHIVE_ERROR_PREFIX);
    assert.deepEqual(
      [d.compressionFormat, d.dynamicPartitioningConfiguration.enabled, d.bufferingInterval, d.bufferingSize],
      ["GZIP", true, 300, 64],
    );
  });

  it("moves archived lines to GLACIER_IR after 30 days and DEEP_ARCHIVE after 365 by default, keeps them, and expires query results", () => {
    const [logs, results] = archiveLifecycleRules(defaults);
    assert.deepEqual(logs, {
      id: "archive-logs",
      status: "Enabled",
      filter: { prefix: "logs/" },
      transitions: [
        { days: 30, storageClass: "GLACIER_IR" },
        { days: 365, storageClass: "DEEP_ARCHIVE" },
      ],
    });
    assert.deepEqual(results, {
      id: "expire-query-results",
      status: "Enabled",
      filter: { prefix: "athena-results/" },
      expiration: { days: 30 },
    });
    const withExpiry = archiveLifecycleRules(settleLogArchiveSettings({ expireAfterDays: 3650 }))[0]!;
    assert.deepEqual(withExpiry.expiration, { days: 3650 });
  });

  it("projects dt as days and worker as the stack's workers plus `none`, at the prefix Firehose writes", () => {
    const t = glueTableSpec({ bucket: "arch", workers: ["orders-webhook", "feed-normalize", "feed-normalize"] });
    assert.equal(t.parameters["projection.worker.values"], "feed-normalize,orders-webhook,none");
    assert.equal(t.parameters["projection.dt.format"], "yyyy-MM-dd");
    assert.equal(t.parameters["storage.location.template"], "s3://arch/logs/worker=${worker}/dt=${dt}/");
    // The template is Firehose's prefix with the partition keys substituted.
    assert.equal(
      ARCHIVE_OBJECT_PREFIX.replace("!{partitionKeyFromQuery:worker}", "${worker}").replace("!{timestamp:yyyy-MM-dd}", "${dt}"),
      t.parameters["storage.location.template"].replace("s3://arch/", ""),
    );
    assert.deepEqual(
      t.partitionKeys.map((k) => k.name),
      ["worker", "dt"],
    );
    assert.ok(!t.storageDescriptor.columns.some((c) => c.name === "worker" || c.name === "dt"), "a partition key is not also a column");
  });

  it("reads lines case-sensitively with mappings, since a job metrics line holds both `worker` and `Worker`", () => {
    const line = {
      worker: "feed-normalize",
      ...jobMetricsRecord({ worker: "feed-normalize", outcome: "succeeded", durationMs: 1, bytesIn: 1, bytesOut: 1, timestamp: 1.7e12 }),
    };
    const lower = Object.keys(line).map((k) => k.toLowerCase());
    assert.notEqual(new Set(lower).size, lower.length, "case-folded keys collide");
    const serde = glueTableSpec({ bucket: "arch", workers: [] }).storageDescriptor.serDeInfo;
    assert.equal(serde.serializationLibrary, "org.openx.data.jsonserde.JsonSerDe");
    assert.equal(serde.parameters["case.insensitive"], "false");
    assert.equal(serde.parameters["mapping.messageid"], "messageId");
    assert.equal(serde.parameters["mapping.outcome"], "Outcome");
  });

  it("has a sample query for one object key in one month", () => {
    assert.match(
      sampleQuery("jobworker_prod_logs", "lines"),
      /FROM "jobworker_prod_logs"\."lines"\nWHERE dt BETWEEN '2026-03-01' AND '2026-03-31'\n {2}AND key = /,
    );
  });

  it("renders IAM documents that pass IAM's grammar and catalogue", async () => {
    const catalogue = new IamCatalogue();
    const cases = [
      ["CloudWatch Logs → Firehose trust", logsDeliveryTrustPolicy(scope), POLICY_KINDS.trust],
      [
        "CloudWatch Logs → Firehose permissions",
        logsDeliveryPolicy("arn:aws:firehose:eu-west-1:123456789012:deliverystream/jw-archive"),
        POLICY_KINDS.identity,
      ],
      ["Firehose trust", firehoseTrustPolicy(scope), POLICY_KINDS.trust],
      ["Firehose → S3 permissions", firehoseToS3Policy("arn:aws:s3:::jw-archive"), POLICY_KINDS.identity],
    ] as const;
    for (const [title, document, kind] of cases) assert.deepEqual(await checkPolicyDocument(document, kind, catalogue), [], title);
  });

  it("trusts CloudWatch Logs of this region and account only, and Firehose only for this account", () => {
    assert.deepEqual(logsDeliveryTrustPolicy(scope).Statement[0], {
      Effect: "Allow",
      Principal: { Service: "logs.eu-west-1.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: {
        StringEquals: { "aws:SourceAccount": "123456789012" },
        ArnLike: { "aws:SourceArn": "arn:aws:logs:eu-west-1:123456789012:*" },
      },
    });
    assert.deepEqual(firehoseTrustPolicy(scope).Statement[0]!.Condition, { StringEquals: { "sts:ExternalId": "123456789012" } });
  });

  const bad: Array<[string, Parameters<typeof settleLogArchiveSettings>[0], string, RegExp]> = [
    [
      "Deep Archive sooner than 90 days after Glacier IR",
      { glacierIrAfterDays: 30, deepArchiveAfterDays: 60 },
      "deepArchiveAfterDays",
      /at least glacierIrAfterDays \+ 90 \(120\)/,
    ],
    ["expiry inside Deep Archive's minimum", { expireAfterDays: 400 }, "expireAfterDays", /at least deepArchiveAfterDays \+ 180 \(545\)/],
    ["a buffer below dynamic partitioning's 64 MiB", { bufferMiB: 5 }, "bufferMiB", /from 64 to 128/],
    ["a buffer of 30 s", { bufferSeconds: 30 }, "bufferSeconds", /from 60 to 900/],
  ];
  for (const [what, settings, field, message] of bad) {
    it(`refuses ${what}, naming \`${field}\``, () => {
      assert.throws(
        () => settleLogArchiveSettings(settings),
        (err: unknown) => err instanceof LogArchiveArgsError && err.field === field && message.test(err.message),
      );
    });
  }
});
