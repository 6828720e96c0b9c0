/**
 * SQS queue policies: encryption at rest, and a dead-letter queue behind every worker queue so a
 * poison message stops being retried after `maxReceiveCount` receives.
 */
import type { PolicyConfigSchema, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { configWithDefaults, forType, ofType, parseJsonObject } from "../support";
import { TYPES, type QueueProps } from "../types";

export const queueEncrypted: ResourceValidationPolicy = {
  name: "sqs-queue-encrypted",
  description:
    "Checks whether every SQS queue is encrypted at rest, with SQS-managed keys (`sqsManagedSseEnabled`) or a KMS key (`kmsMasterKeyId`) (Security Hub SQS.1, CKV_AWS_27).",
  enforcementLevel: "mandatory",
  validateResource: forType<QueueProps>(TYPES.queue, (props, args, report) => {
    const kms = typeof props.kmsMasterKeyId === "string" && props.kmsMasterKeyId !== "";
    if (props.sqsManagedSseEnabled !== true && !kms) {
      report(`SQS queue \`${props.name ?? args.name}\` must be encrypted: set \`sqsManagedSseEnabled: true\` or \`kmsMasterKeyId\`.`);
    }
  }),
};

const redriveSchema: PolicyConfigSchema = {
  properties: {
    maxReceiveCountLimit: {
      type: "integer",
      minimum: 1,
      default: 10,
      description: "Largest `maxReceiveCount` allowed: receives of a failing message before it moves to the DLQ.",
    },
  },
};

/** The redrive policy that applies to a queue: its own `redrivePolicy`, or a separate RedrivePolicy resource's. */
function redriveOf(queue: PolicyResource, separate: PolicyResource[]): Record<string, unknown> | undefined {
  const own = parseJsonObject(queue.props.redrivePolicy);
  if (own) return own;
  const urls = new Set([queue.props.url, queue.props.id].filter((v) => typeof v === "string"));
  const other = separate.find((r) => urls.has(r.props.queueUrl) || r.propertyDependencies?.queueUrl?.some((d) => d.urn === queue.urn));
  return other ? parseJsonObject(other.props.redrivePolicy) : undefined;
}

/**
 * A queue is a dead-letter queue when another queue's redrive policy targets its ARN; every other queue
 * is a worker queue and needs a redrive policy. Seeing both ends needs the whole stack.
 */
export const workerQueueRedrive: StackValidationPolicy = {
  name: "sqs-worker-queue-redrive",
  description:
    "Checks whether every SQS queue that is not itself a dead-letter queue has a redrive policy with a `deadLetterTargetArn` and a `maxReceiveCount` within the limit.",
  enforcementLevel: "mandatory",
  configSchema: redriveSchema,
  validateStack: (args, report) => {
    const { maxReceiveCountLimit } = configWithDefaults<{ maxReceiveCountLimit: number }>(redriveSchema, args);
    const queues = ofType(args.resources, TYPES.queue);
    const separate = ofType(args.resources, TYPES.redrivePolicy);
    const redrives = new Map(queues.map((q) => [q, redriveOf(q, separate)]));
    const deadLetterArns = new Set([...redrives.values()].map((r) => r?.deadLetterTargetArn).filter((a) => typeof a === "string"));
    for (const [queue, redrive] of redrives) {
      if (typeof queue.props.arn === "string" && deadLetterArns.has(queue.props.arn)) continue;
      const name = queue.props.name ?? queue.name;
      if (!redrive) {
        report(
          `SQS queue \`${name}\` has no redrive policy: set \`redrivePolicy\` to JSON {"deadLetterTargetArn": <DLQ ARN>, "maxReceiveCount": 1..${maxReceiveCountLimit}}.`,
          queue.urn,
        );
        continue;
      }
      if (typeof redrive.deadLetterTargetArn !== "string" || redrive.deadLetterTargetArn === "") {
        report(`SQS queue \`${name}\`: \`redrivePolicy\` must name a \`deadLetterTargetArn\`.`, queue.urn);
      }
      const count = Number(redrive.maxReceiveCount);
      if (!Number.isInteger(count) || count < 1 || count > maxReceiveCountLimit) {
        report(
          `SQS queue \`${name}\`: \`redrivePolicy.maxReceiveCount\` must be an integer from 1 to ${maxReceiveCountLimit} (found ${String(redrive.maxReceiveCount)}).`,
          queue.urn,
        );
      }
    }
  },
};
