import { policyDocument, serviceTrustPolicy, type IdentityPolicy, type TrustPolicy } from "../iam";
import { clusterReadStatements } from "../spot-ecs-cluster/policies";

/**
 * The publisher function's permissions, as a pure function: list and read only the worker queues
 * (by name prefix: attributes and the scaling tags), put metrics only into its own namespaces, read
 * the named cluster's state when it publishes capacity metrics, write only its own logs.
 */
export function publisherRolePolicy(i: {
  accountId: string;
  region: string;
  partition?: string;
  queueNamePrefix: string;
  namespace: string;
  logGroupArn: string;
  capacity?: { clusterName: string; namespace: string };
}): IdentityPolicy {
  const p = i.partition ?? "aws";
  const namespaces = i.capacity ? [i.namespace, i.capacity.namespace] : i.namespace;
  return policyDocument(
    // ListQueues has no resource-level permissions (IAM service authorization reference for SQS).
    { Sid: "ListQueues", Effect: "Allow", Action: "sqs:ListQueues", Resource: "*" },
    {
      Sid: "ReadWorkerQueues",
      Effect: "Allow",
      Action: ["sqs:GetQueueAttributes", "sqs:ListQueueTags"],
      Resource: `arn:${p}:sqs:${i.region}:${i.accountId}:${i.queueNamePrefix}*`,
    },
    // PutMetricData has no resources either; the namespace condition scopes it.
    {
      Sid: "PutOwnMetrics",
      Effect: "Allow",
      Action: "cloudwatch:PutMetricData",
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": namespaces } },
    },
    ...(i.capacity
      ? clusterReadStatements({ partition: p, region: i.region, accountId: i.accountId, clusterName: i.capacity.clusterName })
      : []),
    { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${i.logGroupArn}:*` },
  );
}

/**
 * Trust policy: only Lambda. (No aws:SourceAccount/SourceArn condition: Lambda assumes execution
 * roles without those context keys, so such a condition would stop the function from starting.)
 */
export function lambdaAssumeRolePolicy(): TrustPolicy {
  return serviceTrustPolicy("lambda.amazonaws.com");
}
