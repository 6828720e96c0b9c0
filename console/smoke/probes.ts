/**
 * What `jobworker smoke` reads from AWS, one small function per fact: the queue's depth, the worker's
 * scale-out alarms and their states, the service's counts and running tasks, the sample's message in
 * the dead-letter queue (with the runtime's reason), and the output objects named after the sample.
 * Clients are passed in; every call takes the run's abort signal.
 */
import { DescribeAlarmsCommand, type CloudWatchClient, type MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { ResolvedOutputBinding } from "../../catalog/contract";
import { s3Key } from "../../workers/connectors/s3";
import { outputName, type InputIdentity } from "../../workers/runtime/output-name";
import { parseS3EventMessage } from "../../workers/runtime/s3-event";
import { describeAllMetricAlarms } from "../aws/cloudwatch";

/** The metric the scale-out alarms watch (components/job-worker/scaling.ts; AWS's name). */
export const VISIBLE = "ApproximateNumberOfMessagesVisible";
/** The message attribute the runtime puts the dead-letter reason in (workers/runtime/queue-info.ts). */
export const REASON_ATTRIBUTE = "jobworker.reason";

type Signal = { readonly abortSignal?: AbortSignal };

export interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
}

export async function queueDepth(sqs: SQSClient, url: string, opts: Signal = {}): Promise<QueueDepth> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
    opts,
  );
  return {
    visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

/**
 * The worker's scale-out alarms: on `ApproximateNumberOfMessagesVisible` of its queue (the publisher's
 * 10-second metric or SQS's own), above a threshold, with an App Auto Scaling policy among their
 * actions. Found by what they watch and do, not by name (names carry Pulumi's random suffix, and
 * several stacks may share an account). Fastest period first.
 */
export function scaleOutAlarmsOf(alarms: readonly MetricAlarm[], queueName: string): MetricAlarm[] {
  const onQueue = (a: MetricAlarm) =>
    a.MetricName === VISIBLE && (a.Dimensions ?? []).some((d) => d.Name === "QueueName" && d.Value === queueName);
  const scalesOut = (a: MetricAlarm) => (a.AlarmActions ?? []).some((arn) => /^arn:[a-z-]+:autoscaling:.*:scalingPolicy:/.test(arn));
  const above = (a: MetricAlarm) =>
    a.ComparisonOperator === "GreaterThanThreshold" || a.ComparisonOperator === "GreaterThanOrEqualToThreshold";
  return alarms
    .filter((a) => onQueue(a) && scalesOut(a) && above(a))
    .sort((x, y) => (x.Period ?? 0) - (y.Period ?? 0) || (x.AlarmName ?? "").localeCompare(y.AlarmName ?? ""));
}

export async function findScaleOutAlarms(cloudwatch: CloudWatchClient, queueName: string): Promise<MetricAlarm[]> {
  return scaleOutAlarmsOf(await describeAllMetricAlarms(cloudwatch), queueName);
}

export interface AlarmState {
  readonly name: string;
  readonly state: string;
  /** When CloudWatch last changed the state (its clock). */
  readonly updatedAt?: Date;
}

/** Current states of named alarms (DescribeAlarms takes up to 100 names). */
export async function alarmStates(cloudwatch: CloudWatchClient, names: readonly string[], opts: Signal = {}): Promise<AlarmState[]> {
  if (names.length === 0) return [];
  const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [...names], AlarmTypes: ["MetricAlarm"] }), opts);
  return (out.MetricAlarms ?? []).map((a) => ({
    name: a.AlarmName ?? "",
    state: a.StateValue ?? "UNKNOWN",
    ...(a.StateUpdatedTimestamp ? { updatedAt: a.StateUpdatedTimestamp } : {}),
  }));
}

export interface ServiceCounts {
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
}

/** The service's counts; undefined when the cluster has no such service (or it is INACTIVE). */
export async function serviceCounts(
  ecs: ECSClient,
  cluster: string,
  service: string,
  opts: Signal = {},
): Promise<ServiceCounts | undefined> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }), opts);
  const s = (out.services ?? []).find((x) => x.status !== "INACTIVE");
  if (!s) return undefined;
  return { desired: s.desiredCount ?? 0, running: s.runningCount ?? 0, pending: s.pendingCount ?? 0 };
}

export interface RunningTask {
  readonly taskId: string;
  readonly containerInstanceArn?: string;
  readonly startedAt?: Date;
}

/** Tasks of the service whose last status is RUNNING (a task's `group` is `service:<name>`). */
export async function runningTasks(ecs: ECSClient, cluster: string, service: string, opts: Signal = {}): Promise<RunningTask[]> {
  const listed = await ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: "RUNNING", maxResults: 100 }), opts);
  const arns = listed.taskArns ?? [];
  if (arns.length === 0) return [];
  const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }), opts);
  return (described.tasks ?? [])
    .filter((t) => t.lastStatus === "RUNNING" && t.group === `service:${service}`)
    .map((t) => ({
      taskId: (t.taskArn ?? "").split("/").pop() ?? "",
      ...(t.containerInstanceArn ? { containerInstanceArn: t.containerInstanceArn } : {}),
      ...(t.startedAt ? { startedAt: t.startedAt } : {}),
    }));
}

export interface DeadLetter {
  readonly messageId: string;
  /** The runtime's `jobworker.reason`; absent when SQS moved the message after maxReceiveCount receives. */
  readonly reason?: string;
}

/**
 * The sample's message in the dead-letter queue, if it is among the messages one receive returns.
 * Received with a visibility timeout of 0, so it stays visible for the console and for a redrive.
 */
export async function findDeadLetter(
  sqs: SQSClient,
  deadLetterQueueUrl: string,
  object: { bucket: string; key: string },
  opts: Signal = {},
): Promise<DeadLetter | undefined> {
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: deadLetterQueueUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
      WaitTimeSeconds: 0,
      MessageAttributeNames: ["All"],
    }),
    opts,
  );
  for (const m of out.Messages ?? []) {
    const parsed = parseS3EventMessage(m.Body);
    if (parsed.kind !== "records" || !parsed.records.some((r) => r.bucket === object.bucket && r.key === object.key)) continue;
    const reason = m.MessageAttributes?.[REASON_ATTRIBUTE]?.StringValue;
    return { messageId: m.MessageId ?? "", ...(reason !== undefined ? { reason } : {}) };
  }
  return undefined;
}

/** An S3 output slot and the key prefixes its object for the sample may have. */
export interface ExpectedOutput {
  readonly slot: string;
  readonly bucket: string;
  /** `<binding prefix><sample's folders>/<stem>.<digest>`; the handler picks the extension. */
  readonly keyPrefixes: readonly string[];
}

/**
 * Where each S3 output of the sample lands: the runtime names outputs after the input's bucket, key
 * and version id (else ETag) (workers/runtime/output-name.ts). Both identities are tried, since
 * whether S3's event carries a version id depends on the bucket's versioning.
 */
export function expectedOutputs(
  bindings: Readonly<Record<string, ResolvedOutputBinding>>,
  input: { bucket: string; key: string; eTag?: string; versionId?: string },
): ExpectedOutput[] {
  const identities: InputIdentity[] = [
    ...(input.versionId !== undefined ? [{ bucket: input.bucket, key: input.key, versionId: input.versionId }] : []),
    { bucket: input.bucket, key: input.key, eTag: (input.eTag ?? "").replace(/"/g, "") },
  ];
  return Object.entries(bindings)
    .filter((e): e is [string, Extract<ResolvedOutputBinding, { type: "s3" }>] => e[1].type === "s3")
    .map(([slot, b]) => ({ slot, bucket: b.bucket, keyPrefixes: [...new Set(identities.map((id) => s3Key(b.prefix, outputName(id))))] }));
}

/** Keys that exist for one expected output. */
export async function outputKeys(s3: S3Client, expected: ExpectedOutput, opts: Signal = {}): Promise<string[]> {
  const keys: string[] = [];
  for (const Prefix of expected.keyPrefixes) {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: expected.bucket, Prefix, MaxKeys: 10 }), opts);
    keys.push(...(out.Contents ?? []).map((o) => o.Key ?? "").filter((k) => k !== ""));
  }
  return keys;
}
