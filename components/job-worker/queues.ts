/**
 * The worker's input queue, its dead-letter queue, the redrive wiring, the queue policy that lets
 * only the input bucket's S3 notifications in, and a TLS-only policy on the dead-letter queue.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { SettledArgs } from "./args";
import { JOB_WORKER_DEFAULTS } from "./args";
import type { AwsScope } from "./policies";
import { queueKeyPolicy, queuePolicy, scopeOfArn, tlsOnlyQueuePolicy } from "./policies";
import { SCALING_TAGS } from "./scaling";

export interface WorkerQueues {
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly queuePolicy: aws.sqs.QueuePolicy;
  /** The customer managed key, when the queue uses one. */
  readonly kmsKeyArn?: pulumi.Output<string>;
}

/** SQS encryption settings for both queues. */
function encryption(a: SettledArgs, keyArn: pulumi.Output<string> | undefined): Partial<aws.sqs.QueueArgs> {
  if (keyArn === undefined) return { sqsManagedSseEnabled: true };
  // Data keys are reused for 5 minutes: fewer KMS calls (and KMS cost) per message.
  return { sqsManagedSseEnabled: false, kmsMasterKeyId: keyArn, kmsDataKeyReusePeriodSeconds: 300 };
}

export function createQueues(
  a: SettledArgs,
  inputs: {
    parent: pulumi.Resource;
    bucketArn: pulumi.Output<string>;
    /** Queue names start with this (the backlog publisher finds them by it). */
    queueNamePrefix?: string;
  },
): WorkerQueues {
  const opts = { parent: inputs.parent };
  const tags = { ...a.tags, "jobworker:worker": a.name };
  let kmsKeyArn: pulumi.Output<string> | undefined;
  if (a.queueEncryption.type === "kms") {
    if (a.queueEncryption.keyArn !== undefined) {
      kmsKeyArn = pulumi.output(a.queueEncryption.keyArn);
    } else {
      // The key policy is needed before the queue (whose ARN gives the scope elsewhere) exists.
      const identity = aws.getCallerIdentityOutput({}, opts);
      const region = aws.getRegionOutput({}, opts);
      const partition = aws.getPartitionOutput({}, opts);
      const scope: pulumi.Output<AwsScope> = pulumi
        .all([identity.accountId, region.region, partition.partition])
        .apply(([accountId, reg, part]) => ({ accountId, region: reg, partition: part }));
      const key = new aws.kms.Key(
        `${a.name}-queue-key`,
        {
          description: `jobworker ${a.name}: input queue encryption (S3 may use it to send notifications)`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          policy: pulumi.all([scope, inputs.bucketArn]).apply(([s, bucketArn]) => JSON.stringify(queueKeyPolicy({ scope: s, bucketArn }))),
          tags,
        },
        opts,
      );
      kmsKeyArn = key.arn;
    }
  }
  const prefix = inputs.queueNamePrefix;
  const deadLetterQueue = new aws.sqs.Queue(
    `${a.name}-dlq`,
    {
      ...(prefix !== undefined ? { namePrefix: `${prefix}${a.name}-dlq-` } : {}),
      // SQS's maximum, so a message always outlives its time in the source queue (DLQ retention
      // counts from the original enqueue time).
      messageRetentionSeconds: JOB_WORKER_DEFAULTS.deadLetterRetentionSeconds,
      receiveWaitTimeSeconds: JOB_WORKER_DEFAULTS.receiveWaitTimeSeconds,
      maxMessageSize: a.maxMessageSizeBytes,
      ...encryption(a, kmsKeyArn),
      tags,
    },
    opts,
  );
  const queue = new aws.sqs.Queue(
    `${a.name}-queue`,
    {
      ...(prefix !== undefined ? { namePrefix: `${prefix}${a.name}-` } : {}),
      visibilityTimeoutSeconds: a.visibilityTimeoutSeconds,
      messageRetentionSeconds: a.messageRetentionSeconds,
      maxMessageSize: a.maxMessageSizeBytes,
      receiveWaitTimeSeconds: JOB_WORKER_DEFAULTS.receiveWaitTimeSeconds,
      redrivePolicy: deadLetterQueue.arn.apply((deadLetterTargetArn) =>
        JSON.stringify({ deadLetterTargetArn, maxReceiveCount: a.maxReceiveCount }),
      ),
      ...encryption(a, kmsKeyArn),
      // The backlog publisher computes TasksNeeded from these (workers/backlog-publisher/tasks-needed.ts).
      tags: { ...tags, [SCALING_TAGS.concurrency]: String(a.definition.concurrency), [SCALING_TAGS.maxTasks]: String(a.maxTasks) },
    },
    opts,
  );
  new aws.sqs.RedriveAllowPolicy(
    `${a.name}-dlq-redrive-allow`,
    {
      queueUrl: deadLetterQueue.url,
      redriveAllowPolicy: queue.arn.apply((arn) => JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [arn] })),
    },
    opts,
  );
  // The dead-letter queue refuses plain HTTP too (the pack's sqs-queue-tls-only); SQS itself moves
  // messages into it, which no queue policy governs.
  new aws.sqs.QueuePolicy(
    `${a.name}-dlq-policy`,
    { queueUrl: deadLetterQueue.url, policy: deadLetterQueue.arn.apply((arn) => JSON.stringify(tlsOnlyQueuePolicy(arn))) },
    opts,
  );
  const policy = new aws.sqs.QueuePolicy(
    `${a.name}-queue-policy`,
    {
      queueUrl: queue.url,
      policy: pulumi
        .all([queue.arn, inputs.bucketArn])
        .apply(([queueArn, bucketArn]) => JSON.stringify(queuePolicy({ queueArn, bucketArn, accountId: scopeOfArn(queueArn).accountId }))),
    },
    opts,
  );
  return { queue, deadLetterQueue, queuePolicy: policy, kmsKeyArn };
}
