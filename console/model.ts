/**
 * The overview model, pure: ECS services, their task definitions, queues and alarms in; one
 * `WorkerRow` per service out, with the "needs attention" rules applied. No AWS calls here.
 */
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import type { Service, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import { WORKER_ENV } from "../catalog/contract";
import { AlarmState, QueueState, ServiceEvent, TaskInfo, WorkerRow } from "./types";

/** Service tags the console also understands (the task definition's environment wins). */
export const WORKER_TAG = "jobworker:worker";
export const QUEUE_URL_TAG = "jobworker:queue-url";

/** Thresholds of the "needs attention" rules. */
export interface AttentionRules {
  /** Pending tasks older than this are stuck (no capacity, image pull failing), seconds. @default 600 */
  readonly pendingStuckSeconds?: number;
}
export const DEFAULT_PENDING_STUCK_SECONDS = 600;

/** `arn:...:task-definition/family:3` → `family:3`. */
export function shortTaskDefinition(arn: string | undefined): string {
  if (!arn) return "";
  return arn.split("/").pop() ?? arn;
}

/** The last segment of an ECS ARN (task id, container instance id). */
export function arnId(arn: string | undefined): string {
  return (arn ?? "").split("/").pop() ?? "";
}

function environmentOf(taskDefinition: TaskDefinition | undefined, name: string): string | undefined {
  for (const container of taskDefinition?.containerDefinitions ?? []) {
    const hit = (container.environment ?? []).find((e) => e.name === name);
    if (hit?.value) return hit.value;
  }
  return undefined;
}

function tagOf(service: Service, key: string): string | undefined {
  return (service.tags ?? []).find((t) => t.key === key)?.value;
}

/**
 * Where a service's input queue is: `JOBWORKER_QUEUE_URL` in its task definition (what the JobWorker
 * component sets and the runtime reads, so it cannot drift), else the `jobworker:queue-url` tag.
 */
export function queueUrlOf(service: Service, taskDefinition: TaskDefinition | undefined): { url?: string; source: WorkerRow["queueSource"] } {
  const fromEnv = environmentOf(taskDefinition, WORKER_ENV.queueUrl);
  if (fromEnv) return { url: fromEnv, source: "task-definition" };
  const fromTag = tagOf(service, QUEUE_URL_TAG);
  if (fromTag) return { url: fromTag, source: "tag" };
  return { source: "none" };
}

export function workerNameOf(service: Service, taskDefinition: TaskDefinition | undefined): string {
  return environmentOf(taskDefinition, WORKER_ENV.worker) ?? tagOf(service, WORKER_TAG) ?? service.serviceName ?? "";
}

/** Alarms whose metric (or any metric of their math) is on one of the queues, or on the ECS service. */
export function alarmsFor(alarms: readonly MetricAlarm[], cluster: string, serviceName: string, queueNames: readonly string[]): AlarmState[] {
  const matches = (dims: readonly { Name?: string; Value?: string }[] | undefined): boolean => {
    const d = new Map((dims ?? []).map((x) => [x.Name, x.Value]));
    const queue = d.get("QueueName");
    if (queue !== undefined && queueNames.includes(queue)) return true;
    return d.get("ServiceName") === serviceName && (d.get("ClusterName") === undefined || d.get("ClusterName") === cluster);
  };
  return alarms
    .filter((a) => matches(a.Dimensions) || (a.Metrics ?? []).some((m) => matches(m.MetricStat?.Metric?.Dimensions)))
    .map((a) => ({ name: a.AlarmName ?? "", state: a.StateValue ?? "UNKNOWN" }))
    .sort((x, y) => x.name.localeCompare(y.name));
}

/** When the oldest of the service's still-pending tasks was created; undefined when none is pending. */
export function pendingSince(tasks: readonly Task[]): Date | undefined {
  const pending = tasks.filter((t) => ["PROVISIONING", "PENDING", "ACTIVATING"].includes(t.lastStatus ?? ""));
  const times = pending.map((t) => t.createdAt?.getTime()).filter((t): t is number => t !== undefined);
  return times.length ? new Date(Math.min(...times)) : undefined;
}

export interface RowFacts {
  readonly worker: string;
  /** A jobworker service (tagged `jobworker:worker`, or its task definition names a queue), not e.g. the log collector. */
  readonly isWorker: boolean;
  readonly serviceStatus: string;
  readonly running: number;
  readonly pending: number;
  readonly queue?: QueueState;
  readonly dlqDepth?: number;
  readonly alarms: readonly AlarmState[];
  /** The `createdAt` of the oldest task still pending. */
  readonly pendingSince?: Date;
}

/** Why a row needs attention: DLQ not empty, backlog with nothing running, pending tasks stuck, alarms firing. */
export function attentionReasons(facts: RowFacts, now: Date, rules: AttentionRules = {}): string[] {
  const stuckAfter = rules.pendingStuckSeconds ?? DEFAULT_PENDING_STUCK_SECONDS;
  const reasons: string[] = [];
  if ((facts.dlqDepth ?? 0) > 0) reasons.push(`DLQ holds ${facts.dlqDepth} message(s)`);
  const backlog = (facts.queue?.visible ?? 0) + (facts.queue?.delayed ?? 0);
  if (backlog > 0 && facts.running === 0) reasons.push(`backlog of ${backlog} with 0 running tasks`);
  if (facts.pending > 0 && facts.pendingSince) {
    const ageSeconds = Math.floor((now.getTime() - facts.pendingSince.getTime()) / 1000);
    if (ageSeconds >= stuckAfter) reasons.push(`${facts.pending} task(s) pending for ${ageSeconds}s`);
  }
  for (const alarm of facts.alarms) if (alarm.state === "ALARM") reasons.push(`alarm ${alarm.name} is in ALARM`);
  if (facts.isWorker && facts.queue === undefined && facts.serviceStatus === "ACTIVE") {
    // Not an outage, but the console cannot watch a worker whose queue it cannot read.
    reasons.push(`queue not found or unreadable (${WORKER_ENV.queueUrl} in the task definition)`);
  }
  return reasons;
}

export interface RowInput {
  readonly cluster: string;
  readonly service: Service;
  readonly taskDefinition?: TaskDefinition;
  readonly tasks: readonly Task[];
  readonly queue?: QueueState;
  readonly dlqDepth?: number;
  readonly dlqUrl?: string;
  readonly oldestMessageAgeSeconds?: number;
  readonly alarms: readonly MetricAlarm[];
  readonly queueSource: WorkerRow["queueSource"];
}

export function buildRow(input: RowInput, now: Date, rules: AttentionRules = {}): WorkerRow {
  const { service, queue } = input;
  const serviceName = service.serviceName ?? "";
  const dlqName = input.dlqUrl ? (input.dlqUrl.split("/").pop() as string) : undefined;
  const alarms = alarmsFor(input.alarms, input.cluster, serviceName, [queue?.name, dlqName].filter((n): n is string => !!n));
  const pending = service.pendingCount ?? 0;
  // Only the pending tasks' own createdAt: a deployment's timestamps say nothing about tasks that
  // autoscaling asked for later, and would flag a fresh scale-out as stuck.
  const since = pendingSince(input.tasks);
  const facts: RowFacts = {
    worker: workerNameOf(service, input.taskDefinition),
    isWorker: input.queueSource !== "none" || tagOf(service, WORKER_TAG) !== undefined,
    serviceStatus: service.status ?? "UNKNOWN",
    running: service.runningCount ?? 0,
    pending,
    ...(queue ? { queue } : {}),
    ...(input.dlqDepth !== undefined ? { dlqDepth: input.dlqDepth } : {}),
    alarms,
    ...(since ? { pendingSince: since } : {}),
  };
  return {
    worker: facts.worker,
    serviceName,
    serviceArn: service.serviceArn ?? "",
    serviceStatus: facts.serviceStatus,
    desired: service.desiredCount ?? 0,
    running: facts.running,
    pending,
    taskDefinition: shortTaskDefinition(service.taskDefinition),
    queueSource: input.queueSource,
    ...(queue ? { queue } : {}),
    ...(input.dlqDepth !== undefined ? { dlqDepth: input.dlqDepth } : {}),
    ...(input.dlqUrl ? { dlqUrl: input.dlqUrl } : {}),
    ...(input.oldestMessageAgeSeconds !== undefined ? { oldestMessageAgeSeconds: input.oldestMessageAgeSeconds } : {}),
    alarms,
    attention: attentionReasons(facts, now, rules),
  };
}

/** The service page's task list entry; `ec2ByContainerInstance` maps container instance ARN → EC2 id. */
export function taskInfo(task: Task, ec2ByContainerInstance: ReadonlyMap<string, string>): TaskInfo {
  const instance = task.containerInstanceArn
    ? ec2ByContainerInstance.get(task.containerInstanceArn) ?? arnId(task.containerInstanceArn)
    : undefined;
  return {
    taskArn: task.taskArn ?? "",
    taskId: arnId(task.taskArn),
    taskDefinition: shortTaskDefinition(task.taskDefinitionArn),
    lastStatus: task.lastStatus ?? "UNKNOWN",
    desiredStatus: task.desiredStatus ?? "UNKNOWN",
    ...(task.startedAt ? { startedAt: task.startedAt.toISOString() } : {}),
    ...(task.createdAt ? { createdAt: task.createdAt.toISOString() } : {}),
    ...(instance ? { instance } : {}),
    ...(task.group ? { group: task.group } : {}),
  };
}

/** The service a task belongs to: ECS sets a service's tasks' `group` to `service:<name>`. */
export function serviceOfTask(task: Task): string | undefined {
  return task.group?.startsWith("service:") ? task.group.slice("service:".length) : undefined;
}

export function serviceEvents(service: Service, limit = 20): ServiceEvent[] {
  return [...(service.events ?? [])]
    .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))
    .slice(0, limit)
    .map((e) => ({ ...(e.createdAt ? { at: e.createdAt.toISOString() } : {}), message: e.message ?? "" }));
}

/** The task-definition variable holding the cluster's container log group (the SpotEcsCluster log collector). */
export const LOG_GROUP_ENV = "LOG_GROUP_NAME";
/** Stream prefix the cluster's log collector (Fluent Bit `cloudwatch_logs`) puts before each fluentd tag. */
export const COLLECTOR_STREAM_PREFIX = "container/";

/** The cluster's container log group, from the log collector daemon's task definition. */
export function clusterLogGroupOf(taskDefinitions: Iterable<TaskDefinition>): string | undefined {
  for (const td of taskDefinitions) {
    const group = environmentOf(td, LOG_GROUP_ENV);
    if (group) return group;
  }
  return undefined;
}

/** The console's fragment URLs escape twice: "/" becomes "%2F", then "%" becomes "$25". */
function consoleEscape(text: string): string {
  return encodeURIComponent(text).replace(/%/g, "$25");
}

/**
 * CloudWatch Logs console link for a service's logs: the `awslogs` group of its first container,
 * or, for the `fluentd` driver (JobWorker's default), the cluster's log group filtered to the
 * streams of its tag (`container/<tag>`, as the cluster's log collector names them).
 */
export function logsUrl(taskDefinition: TaskDefinition | undefined, defaultRegion: string, clusterLogGroup?: string): string | undefined {
  for (const container of taskDefinition?.containerDefinitions ?? []) {
    const log = container.logConfiguration;
    let group: string | undefined;
    let prefix: string | undefined;
    let region = defaultRegion;
    if (log?.logDriver === "awslogs") {
      group = log.options?.["awslogs-group"];
      prefix = log.options?.["awslogs-stream-prefix"];
      region = log.options?.["awslogs-region"] ?? defaultRegion;
    } else if (log?.logDriver === "fluentd" && clusterLogGroup) {
      group = clusterLogGroup;
      const tag = log.options?.tag;
      prefix = tag ? `${COLLECTOR_STREAM_PREFIX}${tag}` : undefined;
    }
    if (!group) continue;
    const filter = prefix ? `$3FlogStreamNameFilter$3D${consoleEscape(prefix)}` : "";
    return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${consoleEscape(group)}${filter}`;
  }
  return undefined;
}
