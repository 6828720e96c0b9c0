/** LogArchive under Pulumi mocks: the subscription → Firehose → bucket → Glue/Athena wiring, and the stack config that turns it on. */
import assert from "node:assert/strict";
import { loadClusterConfig, type ConfigReader } from "../../../config/cluster";
import { StackConfigError } from "../../../config/errors";
import { judgeIamDocuments } from "../../support/iam";
import { readStackConfig, runProgram, startMocks, type MockStack } from "../../support/pulumi";

const T = {
  filter: "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
  stream: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
  bucket: "aws:s3/bucket:Bucket",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  table: "aws:glue/catalogTable:CatalogTable",
  database: "aws:glue/catalogDatabase:CatalogDatabase",
  workgroup: "aws:athena/workgroup:Workgroup",
} as const;

function reader(config: Record<string, unknown>): ConfigReader {
  return {
    name: "jobworker",
    get: ((key: string) => {
      const v = config[`jobworker:${key}`];
      return v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
    }) as ConfigReader["get"],
  };
}
const withArchive = (archive: unknown) => {
  const cfg = structuredClone(readStackConfig("prod"));
  cfg["jobworker:logging"] = { ...((cfg["jobworker:logging"] as object | undefined) ?? {}), archive };
  return cfg;
};

describe("LogArchive", function () {
  this.timeout(120_000);
  let stack: MockStack;
  before(async () => {
    stack = startMocks();
    const { LogArchive } = require("../../../components/log-archive");
    new LogArchive("jw", { logGroups: [{ name: "/jobworker/test/jw/containers" }], workers: ["feed-normalize"], glacierIrAfterDays: 60 });
    await stack.settle();
  });

  it("subscribes each log group, unfiltered, to the delivery stream through the CloudWatch Logs role", () => {
    const filter = stack.one(T.filter);
    const stream = stack.one(T.stream);
    assert.equal(filter.inputs.logGroup, "/jobworker/test/jw/containers");
    assert.equal(filter.inputs.filterPattern, "");
    assert.equal(filter.inputs.destinationArn, stream.state.arn);
    assert.equal(filter.inputs.roleArn, stack.one(T.role, "jw-logs-delivery").state.arn);
  });

  it("delivers into the archive bucket through the Firehose role, GZIP, partitioned, encrypted at rest", () => {
    const stream = stack.one(T.stream);
    const s3 = stream.inputs.extendedS3Configuration;
    assert.equal(stream.inputs.destination, "extended_s3");
    assert.equal(s3.bucketArn, stack.one(T.bucket, "jw-archive").state.arn);
    assert.equal(s3.roleArn, stack.one(T.role, "jw-firehose").state.arn);
    assert.equal(s3.compressionFormat, "GZIP");
    assert.equal(s3.dynamicPartitioningConfiguration.enabled, true);
    assert.equal(s3.prefix, "logs/worker=!{partitionKeyFromQuery:worker}/dt=!{timestamp:yyyy-MM-dd}/");
    assert.deepEqual(stream.inputs.serverSideEncryption, { enabled: true, keyType: "AWS_OWNED_CMK" });
  });

  it("keeps the archive in a secure bucket: public access blocked, TLS only, lifecycle to GLACIER_IR after the configured days", () => {
    const block = stack.one(T.publicAccess, "jw-archive");
    assert.deepEqual(
      [block.inputs.blockPublicAcls, block.inputs.blockPublicPolicy, block.inputs.ignorePublicAcls, block.inputs.restrictPublicBuckets],
      [true, true, true, true],
    );
    const tls = JSON.parse(stack.one(T.bucketPolicy, "jw-archive").inputs.policy);
    assert.equal(tls.Statement[0].Condition.Bool["aws:SecureTransport"], "false");
    const rules = stack.one(T.lifecycle, "jw-archive").inputs.rules;
    assert.deepEqual(
      rules.map((r: { id: string }) => r.id),
      ["abort-incomplete-multipart-uploads", "expire-noncurrent-versions", "archive-logs", "expire-query-results"],
    );
    assert.deepEqual(rules[2].transitions, [
      { days: 60, storageClass: "GLACIER_IR" },
      { days: 365, storageClass: "DEEP_ARCHIVE" },
    ]);
  });

  it("queries through an Athena workgroup whose results are encrypted in the archive bucket, over a projected Glue table", () => {
    const bucket = stack.one(T.bucket, "jw-archive").state.bucket;
    const wg = stack.one(T.workgroup).inputs.configuration;
    assert.equal(wg.enforceWorkgroupConfiguration, true);
    assert.equal(wg.resultConfiguration.outputLocation, `s3://${bucket}/athena-results/`);
    assert.deepEqual(wg.resultConfiguration.encryptionConfiguration, { encryptionOption: "SSE_S3" });
    assert.equal(wg.bytesScannedCutoffPerQuery, 10 * 1024 ** 3);
    const table = stack.one(T.table).inputs;
    assert.equal(table.databaseName, stack.one(T.database).inputs.name);
    assert.equal(table.storageDescriptor.location, `s3://${bucket}/logs/`);
    assert.equal(table.parameters["projection.worker.values"], "feed-normalize,none");
  });

  it("renders only IAM documents that pass the pack's IAM rule", async () => {
    const judged = await judgeIamDocuments(stack.resources);
    assert.deepEqual(judged.messages, []);
    assert.ok(judged.documents.filter((d) => /jw-(firehose|logs-delivery)/.test(d)).length >= 4, judged.documents.join(", "));
  });

  it("loads `jobworker:logging.archive` apart from the collector settings, defaults settled by the component", () => {
    const loaded = loadClusterConfig(reader(withArchive({ deepArchiveAfterDays: 400 })));
    assert.deepEqual(loaded.logArchive, { deepArchiveAfterDays: 400 });
    assert.equal((loaded.cluster.logCollector as Record<string, unknown>).archive, undefined);
    assert.equal(loadClusterConfig(reader(readStackConfig("prod"))).logArchive, undefined);
  });

  for (const [archive, key, message] of [
    [{ deepArchiveAfterDays: 60 }, "jobworker:logging.archive.deepArchiveAfterDays", /glacierIrAfterDays \+ 90/],
    [{ glacierAfterDays: 30 }, "jobworker:logging.archive.glacierAfterDays", /unknown setting/],
    [{ bufferMiB: 1.5 }, "jobworker:logging.archive.bufferMiB", /whole number/],
  ] as const) {
    it(`refuses ${JSON.stringify(archive)}, naming \`${key}\``, () => {
      assert.throws(
        () => loadClusterConfig(reader(withArchive(archive))),
        (err: unknown) => err instanceof StackConfigError && err.key === key && message.test(err.message),
      );
    });
  }

  it("in the program, archives the cluster's container log group with the stack's workers as partitions", async () => {
    const program = await runProgram(withArchive({}));
    const filter = program.one(T.filter);
    const group = program.one("aws:cloudwatch/logGroup:LogGroup", "containers");
    assert.equal(filter.inputs.logGroup, group.inputs.name);
    const workers = Object.keys(program.outputs.workers as Record<string, unknown>).sort();
    assert.equal(program.one(T.table).inputs.parameters["projection.worker.values"], [...workers, "none"].join(","));
    assert.match(String(program.outputs.logArchiveSampleQuery), /key = 'acme\/feed\.csv'/);
  });
});
