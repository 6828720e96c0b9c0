import { sqsQueuePolicyNotPublic, sqsQueueTlsOnly, sqsServiceSenderRestricted } from "../../../policy/rules/sqs-access";
import { TYPES } from "../../../policy/types";
import { carriers, iamDocuments, policyTable, queue, queueArn, queueUrl, resource, withStatement } from "../fixtures";

const doc = iamDocuments().queue;
const tlsDeny = {
  Sid: "DenyInsecureTransport",
  Effect: "Deny",
  Principal: "*",
  Action: "sqs:*",
  Resource: queueArn("feed-normalize"),
  Condition: { Bool: { "aws:SecureTransport": "false" } },
};
const withTls = { ...doc, Statement: [...doc.Statement, tlsDeny] };

describe("policy sqs-queue-policy-not-public", () => {
  policyTable(sqsQueuePolicyNotPublic, [
    { title: "S3 restricted to the bucket passes", resources: [carriers.queuePolicy()], expected: [] },
    {
      title: "* allowed to send with no condition",
      resources: [carriers.queuePolicy(withStatement(doc, 0, { Principal: "*", Condition: undefined }))],
      expected: [
        /^SQS queue policy `feed-normalize-queue-policy`: `policy` `Statement\[0\]` \("S3InputBucketNotifications"\) allows any principal/,
      ],
    },
    {
      title: "* restricted to an organization passes",
      resources: [
        carriers.queuePolicy(withStatement(doc, 0, { Principal: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc" } } })),
      ],
      expected: [],
    },
    {
      title: "a queue's own policy property",
      resources: [
        queue("feed-normalize", { policy: JSON.stringify(withStatement(doc, 0, { Principal: { AWS: "*" }, Condition: undefined })) }),
      ],
      expected: [/^SQS queue `feed-normalize`: `policy` `Statement\[0\]`/],
    },
    { title: "the TLS deny to * passes (a Deny)", resources: [carriers.queuePolicy(withTls)], expected: [] },
  ]);
});

describe("policy sqs-service-sender-restricted", () => {
  policyTable(sqsServiceSenderRestricted, [
    { title: "S3 with SourceArn and SourceAccount passes", resources: [carriers.queuePolicy()], expected: [] },
    {
      title: "S3 without aws:SourceArn (any bucket in any account could send)",
      resources: [carriers.queuePolicy(withStatement(doc, 0, { Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }))],
      expected: [/allows `s3.amazonaws.com` without `aws:SourceArn`: add/],
    },
    {
      title: "SNS with no condition",
      resources: [carriers.queuePolicy(withStatement(doc, 0, { Principal: { Service: "sns.amazonaws.com" }, Condition: undefined }))],
      expected: [/allows `sns.amazonaws.com` without `aws:SourceArn` and `aws:SourceAccount`/],
    },
  ]);
});

describe("policy sqs-queue-tls-only", () => {
  const q = queue("feed-normalize");
  const policyOn = (document: unknown) =>
    resource(TYPES.queuePolicy, "feed-normalize-queue-policy", { queueUrl: queueUrl("feed-normalize"), policy: JSON.stringify(document) });
  policyTable(sqsQueueTlsOnly, [
    { title: "a queue policy with the TLS deny passes", resources: [q, policyOn(withTls)], expected: [] },
    {
      title: "a dead-letter queue without a policy",
      resources: [q, policyOn(withTls), queue("feed-normalize-dlq")],
      expected: [/^SQS queue `feed-normalize-dlq` does not deny requests without TLS: add an `aws.sqs.QueuePolicy`/],
    },
    {
      title: "a queue policy without the deny",
      resources: [q, policyOn(doc)],
      expected: [/^SQS queue `feed-normalize` does not deny requests without TLS/],
    },
    {
      title: "a deny of only SendMessage does not cover the queue",
      resources: [q, policyOn({ ...doc, Statement: [...doc.Statement, { ...tlsDeny, Action: "sqs:SendMessage" }] })],
      expected: [/does not deny requests without TLS/],
    },
    {
      title: "the queue's own policy property counts",
      resources: [queue("feed-normalize", { policy: JSON.stringify(withTls) })],
      expected: [],
    },
  ]);
});
