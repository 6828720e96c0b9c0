import {
  s3BucketLifecycle,
  s3BucketNoCrossAccount,
  s3BucketPolicyNotPublic,
  s3BucketTlsOnly,
  s3BucketVersioning,
} from "../../../policy/rules/s3-access";
import { TYPES } from "../../../policy/types";
import { carriers, iamDocuments, policyTable, resource, withStatement } from "../fixtures";

const doc = iamDocuments().bucket;
const bucket = resource(
  TYPES.bucket,
  "feed-normalize-input",
  { bucket: "feed-normalize-input-abc123" },
  { arn: "arn:aws:s3:::feed-normalize-input-abc123" },
);
const role = carriers.role();
const allowFrom = (Principal: unknown, Condition?: unknown) => ({
  Sid: "Read",
  Effect: "Allow",
  Principal,
  Action: "s3:GetObject",
  Resource: "arn:aws:s3:::feed-normalize-input-abc123/*",
  ...(Condition ? { Condition } : {}),
});
const withAllow = (statement: unknown) => carriers.bucketPolicy({ ...doc, Statement: [...doc.Statement, statement] });

describe("policy s3-bucket-tls-only", () => {
  policyTable(s3BucketTlsOnly, [
    { title: "a TLS-only bucket policy passes", resources: [bucket, carriers.bucketPolicy()], expected: [] },
    {
      title: "no bucket policy",
      resources: [bucket],
      expected: [/^S3 bucket `feed-normalize-input` \(`feed-normalize-input-abc123`\) does not deny requests without TLS/],
    },
    {
      title: "a policy whose deny lacks the SecureTransport condition",
      resources: [bucket, carriers.bucketPolicy(withStatement(doc, 0, { Condition: undefined }))],
      expected: [/does not deny requests without TLS/],
    },
  ]);
});

describe("policy s3-bucket-policy-not-public", () => {
  policyTable(s3BucketPolicyNotPublic, [
    { title: "TLS deny only passes", resources: [bucket, carriers.bucketPolicy()], expected: [] },
    {
      title: "public read, even behind a public access block",
      resources: [bucket, withAllow(allowFrom("*"))],
      expected: [/^S3 bucket policy `feed-normalize-input-tls-only`: `policy` `Statement\[1\]` \("Read"\) allows any principal/],
    },
    {
      title: "* through one VPC endpoint passes",
      resources: [bucket, withAllow(allowFrom("*", { StringEquals: { "aws:SourceVpce": "vpce-1" } }))],
      expected: [],
    },
  ]);
});

describe("policy s3-bucket-no-cross-account", () => {
  policyTable(s3BucketNoCrossAccount, [
    {
      title: "the stack's own account passes",
      resources: [bucket, role, withAllow(allowFrom({ AWS: "arn:aws:iam::123456789012:root" }))],
      expected: [],
    },
    {
      title: "another account",
      resources: [bucket, role, withAllow(allowFrom({ AWS: "arn:aws:iam::999988887777:root" }))],
      expected: [
        /^S3 bucket policy `feed-normalize-input-tls-only`: `policy` `Statement\[1\]` \("Read"\) grants to account\(s\) 999988887777, not this stack's/,
      ],
    },
    {
      title: "another account, allow-listed",
      resources: [bucket, role, withAllow(allowFrom({ AWS: "999988887777" }))],
      config: { "s3-bucket-no-cross-account": { allowedAccounts: ["999988887777"] } },
      expected: [],
    },
  ]);
});

describe("policy s3-bucket-versioning (advisory)", () => {
  const versioning = (status: string) =>
    resource(TYPES.bucketVersioning, "v", { bucket: bucket.outputs.id, versioningConfiguration: { status } });
  policyTable(s3BucketVersioning, [
    { title: "Enabled passes", resources: [bucket, versioning("Enabled")], expected: [] },
    {
      title: "no versioning",
      resources: [bucket],
      expected: [/^S3 bucket `feed-normalize-input` \(`feed-normalize-input-abc123`\) is not versioned/],
    },
    { title: "Suspended", resources: [bucket, versioning("Suspended")], expected: [/is not versioned/] },
  ]);
});

describe("policy s3-bucket-lifecycle (advisory)", () => {
  const lifecycle = (status: string) =>
    resource(TYPES.bucketLifecycle, "l", {
      bucket: bucket.outputs.id,
      rules: [{ id: "r", status, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } }],
    });
  policyTable(s3BucketLifecycle, [
    { title: "an enabled rule passes", resources: [bucket, lifecycle("Enabled")], expected: [] },
    { title: "no lifecycle", resources: [bucket], expected: [/has no lifecycle rule/] },
    { title: "only disabled rules", resources: [bucket, lifecycle("Disabled")], expected: [/has no lifecycle rule/] },
  ]);
});
