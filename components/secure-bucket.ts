/**
 * A private, encrypted, TLS-only, versioned S3 bucket: what every worker input bucket (own or shared)
 * is. It is also where chained workers write, so incomplete multipart uploads (a task killed
 * mid-upload cannot abort its own) are removed after a day rather than billed forever. Versioning
 * (Security Hub S3.14) keeps an overwritten or deleted input for `NONCURRENT_VERSION_DAYS`, then the
 * lifecycle expires it.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { tlsOnlyBucketPolicy } from "./job-worker/policies";

/** Days after which S3 removes the parts of a multipart upload nobody completed or aborted. */
export const INCOMPLETE_UPLOAD_DAYS = 1;
/** Days S3 keeps a version after it was overwritten or deleted. */
export const NONCURRENT_VERSION_DAYS = 7;

export interface SecureBucket {
  readonly bucket: aws.s3.Bucket;
  /** The last of the bucket's settings; notifications depend on it. */
  readonly ready: pulumi.Resource[];
}

/** Creates the bucket and its guard rails, all parented to `parent`, names derived from `name`. */
export function createSecureBucket(
  name: string,
  options: {
    parent: pulumi.Resource;
    forceDestroy?: boolean;
    tags?: Record<string, string>;
    /** Lifecycle rules beside the incomplete-upload one (a bucket has one lifecycle configuration). @default none */
    lifecycleRules?: aws.types.input.s3.BucketLifecycleConfigurationRule[];
  },
): SecureBucket {
  const opts = { parent: options.parent };
  const bucket = new aws.s3.Bucket(name, { forceDestroy: options.forceDestroy ?? false, tags: options.tags }, opts);
  const publicAccess = new aws.s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    opts,
  );
  const ownership = new aws.s3.BucketOwnershipControls(
    `${name}-ownership`,
    {
      bucket: bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    },
    opts,
  );
  const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    {
      bucket: bucket.id,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
    },
    opts,
  );
  const versioning = new aws.s3.BucketVersioning(
    `${name}-versioning`,
    { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
    opts,
  );
  const lifecycle = new aws.s3.BucketLifecycleConfiguration(
    `${name}-lifecycle`,
    {
      bucket: bucket.id,
      rules: [
        {
          id: "abort-incomplete-multipart-uploads",
          status: "Enabled",
          filter: {},
          abortIncompleteMultipartUpload: { daysAfterInitiation: INCOMPLETE_UPLOAD_DAYS },
        },
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: {},
          noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_VERSION_DAYS },
        },
        ...(options.lifecycleRules ?? []),
      ],
    },
    { ...opts, dependsOn: [versioning] },
  );
  const policy = new aws.s3.BucketPolicy(
    `${name}-tls-only`,
    {
      bucket: bucket.id,
      policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))),
    },
    { ...opts, dependsOn: [publicAccess] },
  );
  return { bucket, ready: [publicAccess, ownership, encryption, versioning, lifecycle, policy] };
}
