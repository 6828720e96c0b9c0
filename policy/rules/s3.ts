/**
 * S3 bucket policies. Public access blocking and default encryption are separate resources
 * (`BucketPublicAccessBlock`, `BucketServerSideEncryptionConfiguration`) pointing at the bucket, so a
 * bucket alone cannot be judged: these are stack policies that look for the companion resource.
 */
import type { PolicyConfigSchema, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configWithDefaults, knownString, ofType, peek, refersTo } from "../support";
import { TYPES } from "../types";

const PUBLIC_ACCESS_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

/**
 * A bucket's name for messages. Its generated name is unknown at a new stack's first preview; the
 * companions are then linked through the engine's property dependencies (support.ts `refersTo`), so
 * these stack policies decide at preview instead of being skipped.
 */
function bucketLabel(bucket: PolicyResource): string {
  const name = knownString(bucket.props, "bucket");
  return name !== undefined && name !== bucket.name ? `\`${bucket.name}\` (\`${name}\`)` : `\`${bucket.name}\``;
}

export const bucketPublicAccessBlocked: StackValidationPolicy = {
  name: "s3-bucket-public-access-blocked",
  description:
    "Checks whether every S3 bucket has a BucketPublicAccessBlock with all four settings (`blockPublicAcls`, `blockPublicPolicy`, `ignorePublicAcls`, `restrictPublicBuckets`) true (Security Hub S3.8, CKV_AWS_53, CKV_AWS_54, CKV_AWS_55, CKV_AWS_56).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const blocks = ofType(args.resources, TYPES.publicAccessBlock);
    for (const bucket of ofType(args.resources, TYPES.bucket, TYPES.bucketV2)) {
      const block = blocks.find((b) => refersTo(b, "bucket", bucket));
      if (!block) {
        report(
          `S3 bucket ${bucketLabel(bucket)} has no BucketPublicAccessBlock: add an \`aws.s3.BucketPublicAccessBlock\` with \`bucket\` set to it and all four settings true.`,
          bucket.urn,
        );
        continue;
      }
      const off = PUBLIC_ACCESS_FLAGS.filter((flag) => block.props[flag] !== true);
      if (off.length > 0) {
        report(
          `BucketPublicAccessBlock \`${block.name}\` of S3 bucket ${bucketLabel(bucket)} must set ${off.map((f) => `\`${f}\``).join(", ")} to true.`,
          block.urn,
        );
      }
    }
  },
};

const encryptionSchema: PolicyConfigSchema = {
  properties: {
    allowedAlgorithms: {
      type: "array",
      items: { type: "string" },
      default: ["AES256", "aws:kms", "aws:kms:dsse"],
      description: "Accepted `sseAlgorithm` values.",
    },
  },
};

/** The `sseAlgorithm`s a rule list declares (separate resource: `rules[]`; inline on the bucket: `rule`). */
function algorithmsOf(rules: unknown): string[] {
  const list = Array.isArray(rules) ? rules : rules === undefined || rules === null ? [] : [rules];
  return list
    .map(
      (rule) =>
        (rule as { applyServerSideEncryptionByDefault?: { sseAlgorithm?: unknown } })?.applyServerSideEncryptionByDefault?.sseAlgorithm,
    )
    .filter((a): a is string => typeof a === "string");
}

export const bucketEncrypted: StackValidationPolicy = {
  name: "s3-bucket-encrypted",
  description:
    "Checks whether every S3 bucket declares default server-side encryption (a BucketServerSideEncryptionConfiguration, or the bucket's inline configuration) with an allowed algorithm (Security Hub S3.4, CKV_AWS_19).",
  enforcementLevel: "mandatory",
  configSchema: encryptionSchema,
  validateStack: (args, report) => {
    const { allowedAlgorithms } = configWithDefaults<{ allowedAlgorithms: string[] }>(encryptionSchema, args);
    const configs = ofType(args.resources, TYPES.encryption, TYPES.encryptionV2);
    for (const bucket of ofType(args.resources, TYPES.bucket, TYPES.bucketV2)) {
      const separate = configs.filter((c) => refersTo(c, "bucket", bucket));
      const inline = (peek(bucket.props, "serverSideEncryptionConfiguration") as { rule?: unknown } | undefined)?.rule;
      const algorithms = [...separate.flatMap((c) => algorithmsOf(c.props.rules)), ...algorithmsOf(inline)];
      if (algorithms.length === 0) {
        report(
          `S3 bucket ${bucketLabel(bucket)} declares no default encryption: add an \`aws.s3.BucketServerSideEncryptionConfiguration\` with \`bucket\` set to it and a rule whose \`sseAlgorithm\` is one of ${allowedAlgorithms.join(", ")}.`,
          bucket.urn,
        );
        continue;
      }
      const wrong = algorithms.filter((a) => !allowedAlgorithms.includes(a));
      if (wrong.length > 0) {
        report(
          `S3 bucket ${bucketLabel(bucket)} uses \`sseAlgorithm\` ${wrong.join(", ")}: use one of ${allowedAlgorithms.join(", ")}.`,
          bucket.urn,
        );
      }
    }
  },
};
