/**
 * Where the cloud-config lives: a private, encrypted (SSE-S3), versioned bucket, one object, and
 * the S3 gateway VPC endpoint instances read it through. SSE-S3 rather than SSE-KMS on purpose:
 * cloud-init's `#include` GET is unsigned, and KMS-encrypted objects can only be read by signed
 * requests.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cloudConfigBucketPolicy } from "./policies";

export interface CloudConfigObjectArgs {
  readonly vpcId: pulumi.Input<string>;
  readonly routeTableIds?: readonly pulumi.Input<string>[];
  readonly s3VpcEndpointId?: pulumi.Input<string>;
  /** The rendered `#cloud-config` text. */
  readonly content: pulumi.Input<string>;
  readonly tags: Readonly<Record<string, string>>;
}

export interface CloudConfigObject {
  readonly bucket: aws.s3.Bucket;
  readonly object: aws.s3.BucketObjectv2;
  readonly objectArn: pulumi.Output<string>;
  /** `https://<bucket>.s3.<region>.amazonaws.com/<key>`: what the user data includes. */
  readonly url: pulumi.Output<string>;
  readonly vpcEndpointId: pulumi.Output<string>;
}

/** One key, fixed: content changes make a new object version at the same URL. */
export const CLOUD_CONFIG_KEY = "cloud-config/cloud-config.yaml";

export function createCloudConfigObject(name: string, args: CloudConfigObjectArgs, parent: pulumi.Resource): CloudConfigObject {
  const opts = { parent };
  const bucket = new aws.s3.Bucket(`${name}-boot`, { forceDestroy: false, tags: args.tags }, opts);
  const ownership = new aws.s3.BucketOwnershipControls(
    `${name}-boot`,
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    opts,
  );
  const publicAccess = new aws.s3.BucketPublicAccessBlock(
    `${name}-boot`,
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    opts,
  );
  const versioning = new aws.s3.BucketVersioning(
    `${name}-boot`,
    { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
    opts,
  );
  // Old cloud-config versions stay a month (to roll back), then expire (Security Hub S3.13).
  new aws.s3.BucketLifecycleConfiguration(
    `${name}-boot`,
    {
      bucket: bucket.id,
      rules: [
        {
          id: "expire-old-cloud-configs",
          status: "Enabled",
          filter: {},
          noncurrentVersionExpiration: { noncurrentDays: 30 },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
      ],
    },
    { ...opts, dependsOn: [versioning] },
  );
  const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-boot`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    opts,
  );

  let vpcEndpointId: pulumi.Output<string>;
  if (args.routeTableIds !== undefined) {
    const region = aws.getRegionOutput({}, { parent });
    const endpoint = new aws.ec2.VpcEndpoint(
      `${name}-s3`,
      {
        vpcId: args.vpcId,
        serviceName: pulumi.interpolate`com.amazonaws.${region.region}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: [...args.routeTableIds],
        tags: args.tags,
      },
      opts,
    );
    vpcEndpointId = endpoint.id;
  } else {
    vpcEndpointId = pulumi.output(args.s3VpcEndpointId!);
  }

  const object = new aws.s3.BucketObjectv2(
    `${name}-cloud-config`,
    {
      bucket: bucket.id,
      key: CLOUD_CONFIG_KEY,
      content: args.content,
      contentType: "text/cloud-config",
      serverSideEncryption: "AES256",
      tags: args.tags,
    },
    { parent, dependsOn: [versioning, encryption, ownership] },
  );
  const objectArn = pulumi.interpolate`${bucket.arn}/${CLOUD_CONFIG_KEY}`;
  new aws.s3.BucketPolicy(
    `${name}-boot`,
    {
      bucket: bucket.id,
      policy: pulumi.all([bucket.arn, objectArn, vpcEndpointId]).apply(([b, o, e]) => JSON.stringify(cloudConfigBucketPolicy(b, o, e))),
    },
    { parent, dependsOn: [publicAccess] },
  );
  const url = pulumi.interpolate`https://${bucket.bucketRegionalDomainName}/${CLOUD_CONFIG_KEY}`;
  return { bucket, object, objectArn, url, vpcEndpointId };
}
