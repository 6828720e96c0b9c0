import assert from "node:assert/strict";
import { bucketEncrypted, bucketPublicAccessBlocked } from "../../../policy/rules/s3";
import { TYPES } from "../../../policy/types";
import { policyTable, resource, stackOf, violations, withInputs, workerGraph } from "../fixtures";

const g = workerGraph();

describe("policy s3-bucket-public-access-blocked", () => {
  policyTable(bucketPublicAccessBlocked, [
    { title: "a bucket with all four settings true passes", resources: stackOf(), expected: [] },
    {
      title: "a bucket without a BucketPublicAccessBlock",
      resources: stackOf({ publicAccessBlock: null }),
      expected: [
        /^S3 bucket `feed-normalize-input` \(`feed-normalize-input-abc123`\) has no BucketPublicAccessBlock: add an `aws.s3.BucketPublicAccessBlock`/,
      ],
    },
    {
      title: "a block with one setting false",
      resources: stackOf({ publicAccessBlock: withInputs(g.publicAccessBlock, { restrictPublicBuckets: false }) }),
      expected: [
        /^BucketPublicAccessBlock `feed-normalize-input` of S3 bucket `feed-normalize-input` .* must set `restrictPublicBuckets` to true\.$/,
      ],
    },
    {
      title: "a block with settings left unset",
      resources: stackOf({
        publicAccessBlock: withInputs(g.publicAccessBlock, { blockPublicAcls: undefined, ignorePublicAcls: undefined }),
      }),
      expected: [/must set `blockPublicAcls`, `ignorePublicAcls` to true/],
    },
    {
      title: "a block on another bucket does not count",
      resources: stackOf({ publicAccessBlock: withInputs(g.publicAccessBlock, { bucket: "someone-else" }) }),
      expected: [/has no BucketPublicAccessBlock/],
    },
    {
      title: "a block pointing at the bucket by name (an output value) counts",
      resources: stackOf({ publicAccessBlock: withInputs(g.publicAccessBlock, { bucket: "feed-normalize-input-abc123" }) }),
      expected: [],
    },
  ]);

  it("links a block by the engine's property dependencies when values are not known yet", async () => {
    const block = { ...withInputs(g.publicAccessBlock, { bucket: "<unknown>" }), propertyDependencies: { bucket: [g.bucket.urn] } };
    assert.deepEqual(await violations(bucketPublicAccessBlocked, stackOf({ publicAccessBlock: block })), []);
  });

  it("reports against the bucket's URN, so the output groups it under the bucket", async () => {
    const [v] = await violations(bucketPublicAccessBlocked, stackOf({ publicAccessBlock: null }));
    assert.equal(v.resource?.urn, g.bucket.urn);
    assert.equal(v.enforcementLevel, "mandatory");
  });
});

describe("policy s3-bucket-encrypted", () => {
  policyTable(bucketEncrypted, [
    { title: "a bucket with a separate encryption configuration passes", resources: stackOf(), expected: [] },
    {
      title: "a legacy BucketV2 with the V2 configuration passes",
      resources: [
        resource(TYPES.bucketV2, "legacy", { bucket: "legacy-b" }),
        resource(TYPES.encryptionV2, "legacy", {
          bucket: "legacy-b",
          rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
        }),
      ],
      expected: [],
    },
    {
      title: "inline configuration on the bucket passes",
      resources: stackOf({
        encryption: null,
        bucket: withInputs(g.bucket, {
          serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } } },
        }),
      }),
      expected: [],
    },
    {
      title: "no encryption declared",
      resources: stackOf({ encryption: null }),
      expected: [
        /^S3 bucket `feed-normalize-input` \(`feed-normalize-input-abc123`\) declares no default encryption: add an `aws.s3.BucketServerSideEncryptionConfiguration`/,
      ],
    },
    {
      title: "an algorithm outside the allowed list",
      resources: stackOf({
        encryption: withInputs(g.encryption, { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }),
      }),
      config: { "s3-bucket-encrypted": { allowedAlgorithms: ["aws:kms"] } },
      expected: [/uses `sseAlgorithm` AES256: use one of aws:kms\.$/],
    },
  ]);
});
