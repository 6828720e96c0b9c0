/**
 * Who may reach a bucket, and how its objects are kept: a TLS-only deny (Security Hub S3.5), no
 * statement open to `*` without a restricting condition even behind a public access block (S3.2,
 * S3.3, CKV_AWS_70), no grants to other accounts unless allow-listed (S3.6), and, advisory,
 * versioning (S3.14, CKV_AWS_21) and a lifecycle configuration (S3.13, CKV2_AWS_61).
 */
import type { PolicyConfigSchema, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import {
  hasConditionKey,
  isEveryone,
  isTlsOnlyDeny,
  principalAccounts,
  RESTRICTING_KEYS,
  statementLabel,
  statementsOf,
} from "../documents";
import { configWithDefaults, knownString, ofType, peek, refersTo } from "../support";
import { TYPES } from "../types";

const BUCKETS = [TYPES.bucket, TYPES.bucketV2];

function bucketLabel(bucket: PolicyResource): string {
  const name = knownString(bucket.props, "bucket");
  return name !== undefined && name !== bucket.name ? `\`${bucket.name}\` (\`${name}\`)` : `\`${bucket.name}\``;
}

/** The bucket policies attached to a bucket (by its name/id or the engine's dependency), and its inline `policy`. */
function policiesOf(bucket: PolicyResource, policies: PolicyResource[]): { where: string; document: unknown; urn: string }[] {
  const inline = peek(bucket.props, "policy");
  return [
    ...(inline === undefined ? [] : [{ where: `S3 bucket ${bucketLabel(bucket)}: \`policy\``, document: inline, urn: bucket.urn }]),
    ...policies
      .filter((p) => refersTo(p, "bucket", bucket))
      .map((p) => ({ where: `S3 bucket policy \`${p.name}\`: \`policy\``, document: p.props.policy, urn: p.urn })),
  ];
}

export const s3BucketTlsOnly: StackValidationPolicy = {
  name: "s3-bucket-tls-only",
  description:
    'Checks whether every S3 bucket has a bucket policy denying `s3:*` to `*` when `aws:SecureTransport` is "false" (Security Hub S3.5).',
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const policies = ofType(args.resources, TYPES.bucketPolicy);
    for (const bucket of ofType(args.resources, ...BUCKETS)) {
      const statements = policiesOf(bucket, policies).flatMap((p) => statementsOf(p.document));
      if (!statements.some((s) => isTlsOnlyDeny(s, "s3"))) {
        report(
          `S3 bucket ${bucketLabel(bucket)} does not deny requests without TLS: add an \`aws.s3.BucketPolicy\` with {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [<bucket ARN>, "<bucket ARN>/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}.`,
          bucket.urn,
        );
      }
    }
  },
};

export const s3BucketPolicyNotPublic: StackValidationPolicy = {
  name: "s3-bucket-policy-not-public",
  description:
    "Checks whether no S3 bucket policy allows `*` without a condition on the caller's account, organization, source or VPC endpoint, whether or not a public access block would stop it (Security Hub S3.2, S3.3, CKV_AWS_70).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const policies = ofType(args.resources, TYPES.bucketPolicy);
    const buckets = ofType(args.resources, ...BUCKETS);
    const seen = new Set<string>();
    const documents = [
      ...buckets.flatMap((b) => policiesOf(b, policies)),
      // Policies on buckets outside the stack are judged too.
      ...policies.map((p) => ({ where: `S3 bucket policy \`${p.name}\`: \`policy\``, document: p.props.policy, urn: p.urn })),
    ];
    for (const { where, document, urn } of documents) {
      if (seen.has(where)) continue;
      seen.add(where);
      for (const s of statementsOf(document)) {
        if (s.effect === "Allow" && isEveryone(s) && !hasConditionKey(s, ...RESTRICTING_KEYS)) {
          report(
            `${where} ${statementLabel(s)} allows any principal: name the principals, or restrict with \`aws:SourceVpce\`, \`aws:PrincipalOrgID\` or \`aws:SourceArn\` (the public access block is a second line, not the first).`,
            urn,
          );
        }
      }
    }
  },
};

const accountsSchema: PolicyConfigSchema = {
  properties: {
    allowedAccounts: {
      type: "array",
      items: { type: "string" },
      default: [],
      description: "Other AWS account ids a bucket policy may grant to.",
    },
  },
};

/** The accounts the stack itself lives in: account fields of the ARNs its resources carry. */
function ownAccounts(resources: readonly PolicyResource[]): Set<string> {
  const accounts = new Set<string>();
  for (const r of resources) {
    const arn = knownString(r.props, "arn");
    const account = arn?.split(":")[4];
    if (account && /^\d{12}$/.test(account)) accounts.add(account);
  }
  return accounts;
}

export const s3BucketNoCrossAccount: StackValidationPolicy = {
  name: "s3-bucket-no-cross-account",
  description:
    "Checks whether no S3 bucket policy grants to an AWS account other than the stack's own unless `allowedAccounts` lists it (Security Hub S3.6).",
  enforcementLevel: "mandatory",
  configSchema: accountsSchema,
  validateStack: (args, report) => {
    const { allowedAccounts } = configWithDefaults<{ allowedAccounts: string[] }>(accountsSchema, args);
    const own = ownAccounts(args.resources);
    for (const policy of ofType(args.resources, TYPES.bucketPolicy)) {
      for (const s of statementsOf(policy.props.policy)) {
        if (s.effect !== "Allow") continue;
        const foreign = principalAccounts(s).filter((a) => !own.has(a) && !allowedAccounts.includes(a));
        if (foreign.length > 0) {
          report(
            `S3 bucket policy \`${policy.name}\`: \`policy\` ${statementLabel(s)} grants to account(s) ${foreign.join(", ")}, not this stack's: remove them or list them in this policy's \`allowedAccounts\`.`,
            policy.urn,
          );
        }
      }
    }
  },
};

export const s3BucketVersioning: StackValidationPolicy = {
  name: "s3-bucket-versioning",
  description:
    "Checks whether every S3 bucket has versioning enabled (a BucketVersioning with status Enabled) (Security Hub S3.14, CKV_AWS_21).",
  enforcementLevel: "advisory",
  validateStack: (args, report) => {
    const versionings = ofType(args.resources, TYPES.bucketVersioning, TYPES.bucketVersioningV2);
    for (const bucket of ofType(args.resources, ...BUCKETS)) {
      const inline = (peek(bucket.props, "versioning") as { enabled?: unknown } | undefined)?.enabled === true;
      const separate = versionings.some(
        (v) => refersTo(v, "bucket", bucket) && (v.props.versioningConfiguration as { status?: unknown } | undefined)?.status === "Enabled",
      );
      if (!inline && !separate) {
        report(
          `S3 bucket ${bucketLabel(bucket)} is not versioned: add an \`aws.s3.BucketVersioning\` with \`versioningConfiguration.status\` "Enabled" (and a lifecycle rule expiring noncurrent versions).`,
          bucket.urn,
        );
      }
    }
  },
};

export const s3BucketLifecycle: StackValidationPolicy = {
  name: "s3-bucket-lifecycle",
  description:
    "Checks whether every S3 bucket has a lifecycle configuration with at least one enabled rule (Security Hub S3.13, CKV2_AWS_61).",
  enforcementLevel: "advisory",
  validateStack: (args, report) => {
    const lifecycles = ofType(args.resources, TYPES.bucketLifecycle, TYPES.bucketLifecycleV2);
    for (const bucket of ofType(args.resources, ...BUCKETS)) {
      const found = lifecycles.some(
        (l) =>
          refersTo(l, "bucket", bucket) &&
          (Array.isArray(l.props.rules) ? (l.props.rules as { status?: unknown }[]) : []).some((r) => r.status === "Enabled"),
      );
      if (!found) {
        report(
          `S3 bucket ${bucketLabel(bucket)} has no lifecycle rule: add an \`aws.s3.BucketLifecycleConfiguration\` with an enabled rule (expire old objects or noncurrent versions, abort incomplete multipart uploads).`,
          bucket.urn,
        );
      }
    }
  },
};
