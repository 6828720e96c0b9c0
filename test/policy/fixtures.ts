/**
 * Happy-path resources for the policy tests. Each factory returns a resource that passes every policy;
 * a test changes one field and asserts the one violation it causes.
 */
import assert from "node:assert/strict";
import type { Policies, Policy, PolicyPackConfig } from "@pulumi/policy";
import { evaluatePolicies, type ResourceSnapshot, type Violation } from "../../policy/evaluate";
import { TYPES, type ContainerDefinition } from "../../policy/types";

const ACCOUNT = "123456789012";
const REGION = "ap-northeast-1";

/**
 * What the engine sends at preview for a string not known until deploy (e.g. a policy document that
 * embeds a new resource's ARN): the SDK's sentinel, internal to @pulumi/policy's typings.
 */
export const UNKNOWN_STRING: string = require("@pulumi/policy/proxy").unknownStringValue;

/** A resource snapshot; outputs default to the inputs plus `extraOutputs` (what a provider computes). */
export function resource(
  type: string,
  name: string,
  inputs: Record<string, any>,
  extraOutputs: Record<string, any> = {},
): ResourceSnapshot {
  return {
    type,
    name,
    urn: `urn:pulumi:test::jobworker::${type}::${name}`,
    inputs,
    outputs: { id: `${name}-id`, ...inputs, ...extraOutputs },
  };
}

/** A container that sets everything the pack asks for. */
export function container(overrides: Partial<ContainerDefinition> = {}): ContainerDefinition {
  return {
    name: "worker",
    image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/feed-normalize:1`,
    cpu: 256,
    memory: 512,
    memoryReservation: 384,
    user: "1000:1000",
    readonlyRootFilesystem: true,
    privileged: false,
    environment: [
      { name: "JOBWORKER_WORKER", value: "feed-normalize" },
      { name: "JOBWORKER_QUEUE_URL", value: queueUrl("feed-normalize") },
    ],
    secrets: [{ name: "PARTNER_PASSWORD", valueFrom: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/partner/password` }],
    logConfiguration: { logDriver: "fluentd", options: { "fluentd-address": "127.0.0.1:24224", tag: "jobworker.feed-normalize" } },
    ...overrides,
  };
}

/** Removes keys from a container (e.g. to drop `memory`), keeping the rest of the happy path. */
export function without(c: ContainerDefinition, ...keys: (keyof ContainerDefinition)[]): ContainerDefinition {
  const copy: Record<string, unknown> = { ...c };
  for (const key of keys) delete copy[key];
  return copy as ContainerDefinition;
}

export function taskDefinition(containers: ContainerDefinition[] = [container()], name = "feed-normalize-task"): ResourceSnapshot {
  return resource(
    TYPES.taskDefinition,
    name,
    { family: "feed-normalize", containerDefinitions: JSON.stringify(containers) },
    {
      arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/feed-normalize:1`,
      revision: 1,
    },
  );
}

export function queueUrl(name: string): string {
  return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
}

export function queueArn(name: string): string {
  return `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
}

export function queue(name: string, inputs: Record<string, any> = {}): ResourceSnapshot {
  return resource(TYPES.queue, name, { name, sqsManagedSseEnabled: true, ...inputs }, { arn: queueArn(name), url: queueUrl(name) });
}

/** Runs policies over resources and returns the violations' messages. */
export async function messages(
  policies: Policy | Policies,
  resources: ResourceSnapshot[],
  config: PolicyPackConfig = {},
): Promise<string[]> {
  return (await violations(policies, resources, config)).map((v) => v.message);
}

export async function violations(
  policies: Policy | Policies,
  resources: ResourceSnapshot[],
  config: PolicyPackConfig = {},
): Promise<Violation[]> {
  return evaluatePolicies((Array.isArray(policies) ? policies : [policies]) as Policies, resources, config);
}

/** Pieces of one worker's resource graph, keyed by role, so a test can replace one. */
export interface WorkerGraph {
  cluster: ResourceSnapshot;
  taskDefinition: ResourceSnapshot;
  service: ResourceSnapshot;
  queue: ResourceSnapshot;
  deadLetterQueue: ResourceSnapshot;
  target: ResourceSnapshot;
  scaleOut: ResourceSnapshot;
  scaleIn: ResourceSnapshot;
  backlogAlarm: ResourceSnapshot;
  emptyAlarm: ResourceSnapshot;
  bucket: ResourceSnapshot;
  publicAccessBlock: ResourceSnapshot;
  encryption: ResourceSnapshot;
}

/** A worker wired the way the architecture describes: bucket → queue (+DLQ) → scaled service. */
export function workerGraph(): WorkerGraph {
  const name = "feed-normalize";
  const clusterArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/jobworker`;
  const resourceId = `service/jobworker/${name}`;
  const policyArn = (p: string) => `arn:aws:autoscaling:${REGION}:${ACCOUNT}:scalingPolicy:${p}`;
  const dlq = queue(`${name}-dlq`);
  const bucket = resource(TYPES.bucket, `${name}-input`, { bucket: `${name}-input-abc123` });
  return {
    cluster: resource("aws:ecs/cluster:Cluster", "jobworker", { name: "jobworker" }, { arn: clusterArn }),
    taskDefinition: taskDefinition(),
    service: resource(TYPES.service, name, {
      name,
      cluster: clusterArn,
      taskDefinition: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/feed-normalize:1`,
      desiredCount: 0,
    }),
    queue: queue(name, { redrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn(`${name}-dlq`), maxReceiveCount: 5 }) }),
    deadLetterQueue: dlq,
    target: resource(TYPES.scalableTarget, `${name}-target`, {
      serviceNamespace: "ecs",
      resourceId,
      scalableDimension: "ecs:service:DesiredCount",
      minCapacity: 0,
      maxCapacity: 10,
    }),
    scaleOut: resource(
      TYPES.scalingPolicy,
      `${name}-scale-out`,
      { resourceId, scalableDimension: "ecs:service:DesiredCount", serviceNamespace: "ecs", policyType: "StepScaling" },
      { arn: policyArn("out") },
    ),
    scaleIn: resource(
      TYPES.scalingPolicy,
      `${name}-scale-in`,
      { resourceId, scalableDimension: "ecs:service:DesiredCount", serviceNamespace: "ecs", policyType: "StepScaling" },
      { arn: policyArn("in") },
    ),
    backlogAlarm: resource(TYPES.metricAlarm, `${name}-backlog`, {
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: name },
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      evaluationPeriods: 1,
      period: 60,
      statistic: "Maximum",
      alarmActions: [policyArn("out")],
    }),
    emptyAlarm: resource(TYPES.metricAlarm, `${name}-empty`, {
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: name },
      comparisonOperator: "LessThanOrEqualToThreshold",
      threshold: 0,
      evaluationPeriods: 5,
      period: 60,
      statistic: "Maximum",
      alarmActions: [policyArn("in")],
    }),
    bucket,
    publicAccessBlock: resource(TYPES.publicAccessBlock, `${name}-input`, {
      bucket: bucket.outputs.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }),
    encryption: resource(TYPES.encryption, `${name}-input`, {
      bucket: bucket.outputs.id,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
    }),
  };
}

/** The graph's resources, with some replaced or removed (`null`). */
export function stackOf(changes: Partial<Record<keyof WorkerGraph, ResourceSnapshot | null>> = {}): ResourceSnapshot[] {
  const graph = { ...workerGraph(), ...changes };
  return Object.values(graph).filter((r): r is ResourceSnapshot => r !== null);
}

/** A copy of a resource with some inputs changed (and the outputs following them). */
export function withInputs(r: ResourceSnapshot, inputs: Record<string, any>): ResourceSnapshot {
  const merged = { ...r.inputs, ...inputs };
  const outputs = { ...r.outputs, ...inputs };
  for (const [k, v] of Object.entries(inputs)) {
    if (v === undefined) {
      delete merged[k];
      delete outputs[k];
    }
  }
  return { ...r, inputs: merged, outputs };
}

export interface PolicyCase {
  title: string;
  resources: ResourceSnapshot[];
  config?: PolicyPackConfig;
  /** Expected messages, in order; each must match the message at its index. */
  expected: RegExp[];
}

/** One mocha test per row: the policy reports exactly the expected messages for the row's resources. */
export function policyTable(policy: Policy, cases: PolicyCase[]): void {
  for (const c of cases) {
    it(c.title, async () => {
      const found = await messages(policy, c.resources, c.config);
      assert.equal(found.length, c.expected.length, `got ${JSON.stringify(found, null, 2)}`);
      c.expected.forEach((re, i) => assert.match(found[i], re));
    });
  }
}

/** IAM documents of a worker as the components render them: each kind passes every policy. */
export function iamDocuments() {
  const queue = queueArn("feed-normalize");
  const bucketArn = "arn:aws:s3:::feed-normalize-input-abc123";
  return {
    trust: {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "ecs-tasks.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT }, ArnLike: { "aws:SourceArn": `arn:aws:ecs:${REGION}:${ACCOUNT}:*` } },
        },
      ],
    },
    identity: {
      Version: "2012-10-17",
      Statement: [
        { Sid: "ReadOwnInput", Effect: "Allow", Action: "s3:GetObject", Resource: `${bucketArn}/uploads/*` },
        {
          Sid: "ConsumeOwnQueue",
          Effect: "Allow",
          Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
          Resource: queue,
        },
        {
          Sid: "ReadConnectorSecretValues",
          Effect: "Allow",
          Action: "secretsmanager:GetSecretValue",
          Resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:partner/key-??????`,
        },
      ],
    },
    bucket: {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [bucketArn, `${bucketArn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    },
    queue: {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "S3InputBucketNotifications",
          Effect: "Allow",
          Principal: { Service: "s3.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: queue,
          Condition: { ArnEquals: { "aws:SourceArn": bucketArn }, StringEquals: { "aws:SourceAccount": ACCOUNT } },
        },
      ],
    },
    key: {
      Version: "2012-10-17",
      Statement: [
        { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" },
      ],
    },
    repository: {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "PullFromAccount",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        },
      ],
    },
  };
}

export type IamDocument = ReturnType<typeof iamDocuments>[keyof ReturnType<typeof iamDocuments>];

/**
 * A copy of a document with one statement changed: `changes` are merged into `Statement[index]`, a key
 * set to undefined is removed. Document-level changes go in `top`.
 */
export function withStatement(
  doc: IamDocument,
  index: number,
  changes: Record<string, unknown>,
  top: Record<string, unknown> = {},
): Record<string, unknown> {
  const statements = doc.Statement.map((s, i) => {
    if (i !== index) return s;
    const changed: Record<string, unknown> = { ...s, ...changes };
    for (const [key, value] of Object.entries(changes)) if (value === undefined) delete changed[key];
    return changed;
  });
  const copy: Record<string, unknown> = { ...doc, Statement: statements, ...top };
  for (const [key, value] of Object.entries(top)) if (value === undefined) delete copy[key];
  return copy;
}

/** Resources that carry IAM documents, as the program registers them (documents as JSON text). */
export const carriers = {
  role: (doc: unknown = iamDocuments().trust, extra: Record<string, any> = {}) =>
    resource(
      TYPES.role,
      "feed-normalize-task-role",
      { assumeRolePolicy: JSON.stringify(doc), ...extra },
      { arn: `arn:aws:iam::${ACCOUNT}:role/feed-normalize-task-role` },
    ),
  rolePolicy: (doc: unknown = iamDocuments().identity) =>
    resource(TYPES.rolePolicy, "feed-normalize-task-policy", { role: "feed-normalize-task-role", policy: JSON.stringify(doc) }),
  bucketPolicy: (doc: unknown = iamDocuments().bucket) =>
    resource(TYPES.bucketPolicy, "feed-normalize-input-tls-only", { bucket: "feed-normalize-input-abc123", policy: JSON.stringify(doc) }),
  queuePolicy: (doc: unknown = iamDocuments().queue) =>
    resource(TYPES.queuePolicy, "feed-normalize-queue-policy", { queueUrl: queueUrl("feed-normalize"), policy: JSON.stringify(doc) }),
  key: (doc: unknown = iamDocuments().key) => resource(TYPES.kmsKey, "feed-normalize-queue-key", { policy: JSON.stringify(doc) }),
  repositoryPolicy: (doc: unknown = iamDocuments().repository) =>
    resource(TYPES.ecrRepositoryPolicy, "feed-normalize-repo-policy", { repository: "feed-normalize", policy: JSON.stringify(doc) }),
};

/** A Lambda function as the backlog publisher declares it. */
export function lambdaFunction(inputs: Record<string, any> = {}): ResourceSnapshot {
  return resource(
    TYPES.lambdaFunction,
    "backlog-function",
    { runtime: "nodejs24.x", handler: "backlog-publisher/handler.handler", packageType: "Zip", ...inputs },
    { arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:backlog-function` },
  );
}
