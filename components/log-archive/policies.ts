/**
 * IAM documents of the log archive, as pure functions of plain values: CloudWatch Logs may put into
 * the delivery stream; Firehose may write the archive bucket. Both trusts carry confused-deputy
 * conditions (source account and ARN for CloudWatch Logs, the account as external id for Firehose).
 */
import { policyDocument, serviceTrustPolicy, type IdentityPolicy, type TrustPolicy } from "../iam";
import { ARCHIVE_PREFIXES } from "./args";

export interface ArchiveScope {
  readonly accountId: string;
  readonly region: string;
  /** @default "aws" */
  readonly partition?: string;
}

/** CloudWatch Logs assumes this role to deliver subscription data (regional service principal). */
export function logsDeliveryTrustPolicy(s: ArchiveScope): TrustPolicy {
  return serviceTrustPolicy(`logs.${s.region}.amazonaws.com`, {
    StringEquals: { "aws:SourceAccount": s.accountId },
    ArnLike: { "aws:SourceArn": `arn:${s.partition ?? "aws"}:logs:${s.region}:${s.accountId}:*` },
  });
}

/** What CloudWatch Logs may do with that role: put records into the one delivery stream. */
export function logsDeliveryPolicy(deliveryStreamArn: string): IdentityPolicy {
  return policyDocument({
    Sid: "PutIntoArchiveStream",
    Effect: "Allow",
    Action: ["firehose:PutRecord", "firehose:PutRecordBatch"],
    Resource: deliveryStreamArn,
  });
}

/**
 * Firehose assumes this role to write the archive, only on this account's behalf: Firehose passes the
 * account id as the external id (Firehose Developer Guide, "Grant Firehose access to an Amazon S3 destination").
 */
export function firehoseTrustPolicy(s: ArchiveScope): TrustPolicy {
  return serviceTrustPolicy("firehose.amazonaws.com", { StringEquals: { "sts:ExternalId": s.accountId } });
}

/** Firehose's S3 destination permissions (Firehose Developer Guide, "Grant Firehose access to an Amazon S3 destination"), on this bucket only. */
export function firehoseToS3Policy(bucketArn: string): IdentityPolicy {
  return policyDocument(
    {
      Sid: "FindArchiveBucket",
      Effect: "Allow",
      Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
      Resource: bucketArn,
    },
    {
      Sid: "WriteArchiveObjects",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
      Resource: [`${bucketArn}/${ARCHIVE_PREFIXES.logs}*`, `${bucketArn}/${ARCHIVE_PREFIXES.errors}*`],
    },
  );
}
