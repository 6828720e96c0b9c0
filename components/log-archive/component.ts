/**
 * `LogArchive`: every line of the given log groups, kept for years at archive prices and queryable
 * with Athena. A subscription filter per log group feeds one Firehose delivery stream, which writes
 * GZIP JSON Lines into a secure bucket under `logs/worker=<worker>/dt=<day>/`; a Glue table projects
 * those partitions and an Athena workgroup (results encrypted, in the same bucket) runs the queries.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createSecureBucket } from "../secure-bucket";
import { ARCHIVE_PREFIXES, type LogArchiveArgs } from "./args";
import { firehoseToS3Policy, firehoseTrustPolicy, logsDeliveryPolicy, logsDeliveryTrustPolicy, type ArchiveScope } from "./policies";
import { archiveLifecycleRules, firehoseS3Destination, glueTableSpec, sampleQuery } from "./spec";
import { settleLogArchiveSettings } from "./validation";

/** The Glue table's name in the archive database. */
export const ARCHIVE_TABLE = "lines";

export class LogArchive extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly deliveryStreamArn: pulumi.Output<string>;
  public readonly workgroupName: pulumi.Output<string>;
  public readonly databaseName: pulumi.Output<string>;
  public readonly tableName: pulumi.Output<string>;
  /** A ready-to-run example query (one object key, one month). */
  public readonly sampleQuery: pulumi.Output<string>;

  constructor(name: string, args: LogArchiveArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jobworker:index:LogArchive", name, {}, opts);
    const settings = settleLogArchiveSettings(args);
    const tags = { ...(args.tags ?? {}), "jobworker:log-archive": name };
    const parent = { parent: this };

    const identity = aws.getCallerIdentityOutput({}, parent);
    const region = aws.getRegionOutput({}, parent);
    const partition = aws.getPartitionOutput({}, parent);
    const scope: pulumi.Output<ArchiveScope> = pulumi
      .all([identity.accountId, region.region, partition.partition])
      .apply(([accountId, r, p]) => ({ accountId, region: r, partition: p }));

    const { bucket, ready } = createSecureBucket(`${name}-archive`, {
      parent: this,
      tags,
      lifecycleRules: archiveLifecycleRules(settings),
    });

    const firehoseRole = new aws.iam.Role(
      `${name}-firehose`,
      { assumeRolePolicy: scope.apply((s) => JSON.stringify(firehoseTrustPolicy(s))), tags },
      parent,
    );
    const firehoseWrite = new aws.iam.RolePolicy(
      `${name}-firehose`,
      { role: firehoseRole.id, policy: bucket.arn.apply((arn) => JSON.stringify(firehoseToS3Policy(arn))) },
      parent,
    );
    const stream = new aws.kinesis.FirehoseDeliveryStream(
      `${name}-archive`,
      {
        destination: "extended_s3",
        extendedS3Configuration: pulumi
          .all([bucket.arn, firehoseRole.arn])
          .apply(([bucketArn, roleArn]) => firehoseS3Destination({ bucketArn, roleArn, settings })),
        serverSideEncryption: { enabled: true, keyType: "AWS_OWNED_CMK" },
        tags,
      },
      { parent: this, dependsOn: [firehoseWrite, ...ready] },
    );

    const logsRole = new aws.iam.Role(
      `${name}-logs-delivery`,
      { assumeRolePolicy: scope.apply((s) => JSON.stringify(logsDeliveryTrustPolicy(s))), tags },
      parent,
    );
    const logsPut = new aws.iam.RolePolicy(
      `${name}-logs-delivery`,
      { role: logsRole.id, policy: stream.arn.apply((arn) => JSON.stringify(logsDeliveryPolicy(arn))) },
      parent,
    );
    args.logGroups.forEach((group, i) => {
      new aws.cloudwatch.LogSubscriptionFilter(
        `${name}-archive-${i}`,
        { logGroup: group.name, filterPattern: "", destinationArn: stream.arn, roleArn: logsRole.arn },
        { parent: this, dependsOn: [logsPut] },
      );
    });

    // Glue database names are lower case letters, digits and underscores.
    const database = new aws.glue.CatalogDatabase(
      `${name}-logs`,
      { name: `${name}_${pulumi.getStack()}_logs`.toLowerCase().replace(/[^a-z0-9_]/g, "_"), tags },
      parent,
    );
    const table = new aws.glue.CatalogTable(
      `${name}-lines`,
      { databaseName: database.name, name: ARCHIVE_TABLE, ...glueTableSpecOutput(bucket.bucket, args.workers) },
      parent,
    );
    const workgroup = new aws.athena.Workgroup(
      `${name}-logs`,
      {
        name: `${name}-${pulumi.getStack()}-logs`,
        forceDestroy: true,
        configuration: {
          enforceWorkgroupConfiguration: true,
          publishCloudwatchMetricsEnabled: true,
          bytesScannedCutoffPerQuery: settings.queryScanLimitGiB * 1024 ** 3,
          resultConfiguration: {
            outputLocation: pulumi.interpolate`s3://${bucket.bucket}/${ARCHIVE_PREFIXES.results}`,
            encryptionConfiguration: { encryptionOption: "SSE_S3" },
          },
        },
        tags,
      },
      parent,
    );

    this.bucketName = bucket.bucket;
    this.deliveryStreamArn = stream.arn;
    this.workgroupName = workgroup.name;
    this.databaseName = database.name;
    this.tableName = table.name;
    this.sampleQuery = database.name.apply((db) => sampleQuery(db, ARCHIVE_TABLE));
    this.registerOutputs({
      bucketName: this.bucketName,
      deliveryStreamArn: this.deliveryStreamArn,
      workgroupName: this.workgroupName,
      databaseName: this.databaseName,
      tableName: this.tableName,
      sampleQuery: this.sampleQuery,
    });
  }
}

/** The table spec with the bucket name resolved (each member an Output, as the resource takes them). */
function glueTableSpecOutput(bucketName: pulumi.Output<string>, workers: readonly string[]) {
  const spec = bucketName.apply((bucket) => glueTableSpec({ bucket, workers }));
  return {
    tableType: spec.tableType,
    parameters: spec.parameters,
    partitionKeys: spec.partitionKeys,
    storageDescriptor: spec.storageDescriptor,
  };
}
