import { queueEncrypted, workerQueueRedrive } from "../../../policy/rules/sqs";
import { TYPES } from "../../../policy/types";
import { policyTable, queue, queueArn, queueUrl, resource, stackOf, withInputs, workerGraph } from "../fixtures";

const g = workerGraph();
const redrive = (body: Record<string, unknown>) => JSON.stringify(body);

describe("policy sqs-queue-encrypted", () => {
  policyTable(queueEncrypted, [
    { title: "SQS-managed encryption passes", resources: [queue("jobs")], expected: [] },
    {
      title: "a KMS key passes",
      resources: [queue("jobs", { sqsManagedSseEnabled: undefined, kmsMasterKeyId: "alias/jobworker" })],
      expected: [],
    },
    {
      title: "no encryption",
      resources: [withInputs(queue("jobs"), { sqsManagedSseEnabled: undefined })],
      expected: [/^SQS queue `jobs` must be encrypted: set `sqsManagedSseEnabled: true` or `kmsMasterKeyId`\.$/],
    },
    {
      title: "SQS-managed encryption switched off",
      resources: [queue("jobs", { sqsManagedSseEnabled: false })],
      expected: [/^SQS queue `jobs` must be encrypted/],
    },
  ]);
});

describe("policy sqs-worker-queue-redrive", () => {
  policyTable(workerQueueRedrive, [
    { title: "a worker queue with a DLQ passes; the DLQ itself needs none", resources: stackOf(), expected: [] },
    {
      title: "a worker queue without a redrive policy",
      resources: stackOf({ queue: withInputs(g.queue, { redrivePolicy: undefined }) }),
      // Without the redrive, nothing marks the DLQ as a DLQ either: both are reported.
      expected: [
        /^SQS queue `feed-normalize` has no redrive policy: set `redrivePolicy`/,
        /^SQS queue `feed-normalize-dlq` has no redrive policy/,
      ],
    },
    {
      title: "maxReceiveCount above the limit",
      resources: stackOf({
        queue: withInputs(g.queue, {
          redrivePolicy: redrive({ deadLetterTargetArn: queueArn("feed-normalize-dlq"), maxReceiveCount: 50 }),
        }),
      }),
      expected: [/^SQS queue `feed-normalize`: `redrivePolicy.maxReceiveCount` must be an integer from 1 to 10 \(found 50\)\.$/],
    },
    {
      title: "a configured limit",
      resources: stackOf({
        queue: withInputs(g.queue, {
          redrivePolicy: redrive({ deadLetterTargetArn: queueArn("feed-normalize-dlq"), maxReceiveCount: 50 }),
        }),
      }),
      config: { "sqs-worker-queue-redrive": { maxReceiveCountLimit: 100 } },
      expected: [],
    },
    {
      title: "a redrive policy without a target",
      resources: [withInputs(g.queue, { redrivePolicy: redrive({ maxReceiveCount: 3 }) })],
      expected: [/^SQS queue `feed-normalize`: `redrivePolicy` must name a `deadLetterTargetArn`\.$/],
    },
    {
      title: "a separate RedrivePolicy resource counts",
      resources: [
        withInputs(g.queue, { redrivePolicy: undefined }),
        g.deadLetterQueue,
        resource(TYPES.redrivePolicy, "feed-normalize-redrive", {
          queueUrl: queueUrl("feed-normalize"),
          redrivePolicy: redrive({ deadLetterTargetArn: queueArn("feed-normalize-dlq"), maxReceiveCount: 3 }),
        }),
      ],
      expected: [],
    },
  ]);
});
