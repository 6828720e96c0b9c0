/**
 * The overview model, pure: ECS services, their task definitions, queues and alarms in; one
 * `WorkerRow` per service out, with the "needs attention" rules applied. No AWS calls here.
 */
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import type { Deployment, Service, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import { WORKER_ENV } from "../catalog/contract";
import { AlarmRole, AlarmState, DeploymentInfo, QueueHistory, QueueState, ScalingState, ServiceEvent, TaskInfo, WorkerRow } from "./types";

/** Service tags the console also understands (the task definition's environment wins). */
export const WORKER_TAG = "jobworker:worker";
export const QUEUE_URL_TAG = "jobworker:queue-url";

/** Thresholds of the "needs attention" rules. Defaults match JobWorker's own (`components/job-worker/args.ts`). */
export interface AttentionRules {
  /** Pending tasks older than this are stuck (no capacity, image pull failing), seconds. @default 600 */
  readonly pendingStuckSeconds?: number;
  /** A queue's oldest message older than this means work is not getting done, seconds. @default 1800 (JobWorker's `oldestMessageAlarmSeconds`) */
  readonly oldestMessageSeconds?: number;
  /** Stopped tasks this recent count as crashing or failing to start, seconds. @default 900 */
  readonly failureWindowSeconds?: number;
}
export const DEFAULT_PENDING_STUCK_SECONDS = 600;
export const DEFAULT_OLDEST_MESSAGE_SECONDS = 1_800;
export const DEFAULT_FAILURE_WINDOW_SECONDS = 900;

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
export function queueUrlOf(
  service: Service,
  taskDefinition: TaskDefinition | undefined,
): { url?: string; source: WorkerRow["queueSource"] } {
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
export function alarmsFor(
  alarms: readonly MetricAlarm[],
  cluster: string,
  serviceName: string,
  queueNames: readonly string[],
): AlarmState[] {
  const matches = (dims: readonly { Name?: string; Value?: string }[] | undefined): boolean => {
    const d = new Map((dims ?? []).map((x) => [x.Name, x.Value]));
    const queue = d.get("QueueName");
    if (queue !== undefined && queueNames.includes(queue)) return true;
    return d.get("ServiceName") === serviceName && (d.get("ClusterName") === undefined || d.get("ClusterName") === cluster);
  };
  return alarms
    .filter((a) => matches(a.Dimensions) || (a.Metrics ?? []).some((m) => matches(m.MetricStat?.Metric?.Dimensions)))
    .map((a) => ({
      name: a.AlarmName ?? "",
      state: a.StateValue ?? "UNKNOWN",
      role: alarmRole(a),
      ...(a.StateUpdatedTimestamp ? { since: a.StateUpdatedTimestamp.toISOString() } : {}),
    }))
    .sort((x, y) => x.name.localeCompare(y.name));
}

/** App Auto Scaling policy ARNs: `arn:aws:autoscaling:<region>:<account>:scalingPolicy:...`. */
const SCALING_POLICY_ARN = /^arn:aws[a-z-]*:autoscaling:[^:]*:[^:]*:scalingPolicy:/;

/**
 * What an alarm is for, from what it does: an alarm whose action is an App Auto Scaling policy is a
 * scaling alarm (JobWorker's `backlog`, `backlog-fast` and `idle`, see
 * `components/job-worker/scaling.ts`; also target-tracking alarms), and its comparison says the
 * direction (`LessThan…` = the idle alarm, scale in). Anything else is there to tell a person.
 */
export function alarmRole(alarm: Pick<MetricAlarm, "AlarmActions" | "ComparisonOperator">): AlarmRole {
  if (!(alarm.AlarmActions ?? []).some((arn) => SCALING_POLICY_ARN.test(arn))) return "notify";
  return (alarm.ComparisonOperator ?? "").startsWith("LessThan") ? "scale-in" : "scale-out";
}

/** Autoscaling's view of a worker, from its scaling alarms; a worker with none is idle at 0 tasks. */
export function scalingState(alarms: readonly AlarmState[], desired: number): ScalingState {
  const firing = (role: AlarmRole) => alarms.some((a) => a.role === role && a.state === "ALARM");
  if (firing("scale-out")) return "scaling out";
  if (firing("scale-in") || desired === 0) return "idle";
  return "steady";
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
  /** The service's events (DescribeServices), any order: the newest since `pendingSince` says why tasks wait. */
  readonly events?: readonly ServiceEvent[];
  readonly oldestMessageAgeSeconds?: number;
  readonly maxTasks?: number;
  /** Visible messages at the start and the end of the metric window, when CloudWatch has both. */
  readonly backlogTrend?: { readonly from: number; readonly to: number };
  /** The service's tasks that stopped recently (any reason). */
  readonly stoppedTasks?: readonly Task[];
  readonly deployment?: DeploymentInfo;
  /** The queue's read failed (and was never read before): unknown, which is not "not found". */
  readonly queueUnread?: boolean;
}

/** A stopped task that crashed or never started, with why; undefined for a task stopped on purpose that exited cleanly. */
export function taskFailure(task: Task): string | undefined {
  if (task.stopCode === "TaskFailedToStart") return `failed to start: ${task.stoppedReason ?? "no reason given"}`;
  const crashed = (task.containers ?? []).find((c) => c.exitCode !== undefined && c.exitCode !== 0);
  if (crashed) return `container ${crashed.name ?? "?"} exited ${crashed.exitCode}${task.stoppedReason ? ` (${task.stoppedReason})` : ""}`;
  return undefined;
}

/** The tasks among `stopped` that failed within the window ending at `now`. */
export function recentFailures(stopped: readonly Task[], now: Date, windowSeconds: number): Task[] {
  const after = now.getTime() - windowSeconds * 1000;
  return stopped.filter((t) => (t.stoppedAt?.getTime() ?? 0) >= after && taskFailure(t) !== undefined);
}

/**
 * Why a person must act on a worker. Only notifying alarms and real symptoms count: a non-empty DLQ,
 * an oldest message beyond its threshold, tasks pending too long, tasks crashing or failing to
 * start, the service at `maxTasks` while the backlog grows, a failing deployment, a queue the
 * console cannot find. Scaling alarms in ALARM (idle, scaling out) are autoscaling at work: never here.
 */
export function attentionReasons(facts: RowFacts, now: Date, rules: AttentionRules = {}): string[] {
  const stuckAfter = rules.pendingStuckSeconds ?? DEFAULT_PENDING_STUCK_SECONDS;
  const oldestLimit = rules.oldestMessageSeconds ?? DEFAULT_OLDEST_MESSAGE_SECONDS;
  const failureWindow = rules.failureWindowSeconds ?? DEFAULT_FAILURE_WINDOW_SECONDS;
  const reasons: string[] = [];
  for (const alarm of facts.alarms) if (alarm.role === "notify" && alarm.state === "ALARM") reasons.push(`alarm ${alarm.name} is in ALARM`);
  if ((facts.dlqDepth ?? 0) > 0) reasons.push(`DLQ holds ${facts.dlqDepth} message(s)`);
  if (facts.oldestMessageAgeSeconds !== undefined && facts.oldestMessageAgeSeconds > oldestLimit) {
    reasons.push(`oldest message is ${Math.round(facts.oldestMessageAgeSeconds / 60)} min old (limit ${Math.round(oldestLimit / 60)} min)`);
  }
  if (facts.pending > 0 && facts.pendingSince) {
    const ageSeconds = Math.floor((now.getTime() - facts.pendingSince.getTime()) / 1000);
    if (ageSeconds >= stuckAfter) {
      const why = pendingReason(facts.events ?? [], facts.pendingSince);
      reasons.push(`${facts.pending} task(s) pending for ${Math.floor(ageSeconds / 60)} min${why ? `: ${why}` : ""}`);
    }
  }
  const failures = recentFailures(facts.stoppedTasks ?? [], now, failureWindow);
  if (failures.length > 0) {
    reasons.push(
      `${failures.length} task(s) crashed or failed to start in ${Math.round(failureWindow / 60)} min: ${taskFailure(failures[0] as Task)}`,
    );
  }
  const trend = facts.backlogTrend;
  if (facts.maxTasks !== undefined && facts.running >= facts.maxTasks && trend && trend.to > trend.from) {
    reasons.push(`at maxTasks (${facts.maxTasks}) and the backlog grows (${trend.from} → ${trend.to})`);
  }
  const d = facts.deployment;
  if (d?.rolloutState === "FAILED") reasons.push(`deployment ${d.id} failed${d.rolloutStateReason ? `: ${d.rolloutStateReason}` : ""}`);
  else if (d && d.rolloutState === "IN_PROGRESS" && d.failedTasks > 0)
    reasons.push(`deployment ${d.id} is failing: ${d.failedTasks} task(s) failed`);
  if (facts.isWorker && facts.queue === undefined && !facts.queueUnread && facts.serviceStatus === "ACTIVE") {
    // Not an outage, but the console cannot watch a worker whose queue it cannot find.
    reasons.push(`queue not found (${WORKER_ENV.queueUrl} in the task definition)`);
  }
  return reasons;
}

/**
 * Why tasks are pending, as ECS says it: the newest service event since the oldest pending task was
 * created ("(service x) was unable to place a task because no container instance met all of its
 * requirements. ..."). Older events describe an earlier state (a steady state, a finished
 * deployment) and would mislead, so there is no reason rather than a stale one.
 */
export function pendingReason(events: readonly ServiceEvent[], since: Date): string | undefined {
  const recent = events
    .filter((e) => e.at !== undefined && Date.parse(e.at) >= since.getTime())
    .sort((a, b) => Date.parse(b.at as string) - Date.parse(a.at as string));
  return recent[0]?.message.replace(/^\(service [^)]*\) /, "");
}

/** The PRIMARY deployment and the circuit breaker setting. */
export function deploymentInfo(service: Service): DeploymentInfo | undefined {
  const primary: Deployment | undefined = (service.deployments ?? []).find((d) => d.status === "PRIMARY");
  if (!primary) return undefined;
  const breaker = service.deploymentConfiguration?.deploymentCircuitBreaker;
  return {
    id: primary.id ?? "",
    ...(primary.rolloutState ? { rolloutState: primary.rolloutState } : {}),
    ...(primary.rolloutStateReason ? { rolloutStateReason: primary.rolloutStateReason } : {}),
    failedTasks: primary.failedTasks ?? 0,
    circuitBreaker: !breaker?.enable ? "off" : breaker.rollback ? "rollback" : "on",
    ...(primary.updatedAt ? { updatedAt: primary.updatedAt.toISOString() } : {}),
  };
}

/** Rows needing attention first (most reasons first), then by worker and service name. */
export function byAttention(a: WorkerRow, b: WorkerRow): number {
  return b.attention.length - a.attention.length || a.worker.localeCompare(b.worker) || a.serviceName.localeCompare(b.serviceName);
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
  /** The service's recently stopped tasks. @default [] */
  readonly stoppedTasks?: readonly Task[];
  readonly maxTasks?: number;
  readonly backlogTrend?: { readonly from: number; readonly to: number };
  /** When the oldest input of this row was read, if some input is a last good read. */
  readonly staleSince?: string;
  /** The queue's read failed and it was never read before. */
  readonly queueUnread?: boolean;
  readonly history?: QueueHistory;
}

export function buildRow(input: RowInput, now: Date, rules: AttentionRules = {}): WorkerRow {
  const { service, queue } = input;
  const serviceName = service.serviceName ?? "";
  const dlqName = input.dlqUrl ? (input.dlqUrl.split("/").pop() as string) : undefined;
  const alarms = alarmsFor(
    input.alarms,
    input.cluster,
    serviceName,
    [queue?.name, dlqName].filter((n): n is string => !!n),
  );
  const pending = service.pendingCount ?? 0;
  // Only the pending tasks' own createdAt: a deployment's timestamps say nothing about tasks that
  // autoscaling asked for later, and would flag a fresh scale-out as stuck.
  const since = pendingSince(input.tasks);
  const deployment = deploymentInfo(service);
  const events = serviceEvents(service);
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
    events,
    ...(input.oldestMessageAgeSeconds !== undefined ? { oldestMessageAgeSeconds: input.oldestMessageAgeSeconds } : {}),
    ...(input.maxTasks !== undefined ? { maxTasks: input.maxTasks } : {}),
    ...(input.backlogTrend ? { backlogTrend: input.backlogTrend } : {}),
    stoppedTasks: input.stoppedTasks ?? [],
    ...(deployment ? { deployment } : {}),
    ...(input.queueUnread ? { queueUnread: true } : {}),
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
    scaling: scalingState(alarms, service.desiredCount ?? 0),
    ...(input.maxTasks !== undefined ? { maxTasks: input.maxTasks } : {}),
    ...(deployment ? { deployment } : {}),
    recentFailures: recentFailures(facts.stoppedTasks ?? [], now, rules.failureWindowSeconds ?? DEFAULT_FAILURE_WINDOW_SECONDS).length,
    attention: attentionReasons(facts, now, rules),
    ...(input.staleSince ? { staleSince: input.staleSince } : {}),
    ...(input.queueUnread ? { unread: ["queue"] } : {}),
    ...(input.history ? { history: input.history } : {}),
  };
}

/** The service page's task list entry; `ec2ByContainerInstance` maps container instance ARN → EC2 id. */
export function taskInfo(task: Task, ec2ByContainerInstance: ReadonlyMap<string, string>): TaskInfo {
  const instance = task.containerInstanceArn
    ? (ec2ByContainerInstance.get(task.containerInstanceArn) ?? arnId(task.containerInstanceArn))
    : undefined;
  const exitCodes = (task.containers ?? []).flatMap((c) => (c.exitCode !== undefined ? [c.exitCode] : []));
  const exitCode = exitCodes.find((c) => c !== 0) ?? exitCodes[0];
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
    ...(task.stoppedAt ? { stoppedAt: task.stoppedAt.toISOString() } : {}),
    ...(task.stopCode ? { stopCode: task.stopCode } : {}),
    ...(task.stoppedReason ? { stoppedReason: task.stoppedReason } : {}),
    ...(exitCode !== undefined ? { exitCode } : {}),
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

/** Where a container's log lines go: a log group and, when known, the stream prefix or stream. */
interface LogTarget {
  readonly group: string;
  readonly region: string;
  readonly driver: "awslogs" | "fluentd";
  /** awslogs: `awslogs-stream-prefix`; fluentd: `container/<tag>`, the whole stream name. */
  readonly prefix?: string;
  readonly containerName?: string;
}

function logTarget(taskDefinition: TaskDefinition | undefined, defaultRegion: string, clusterLogGroup?: string): LogTarget | undefined {
  for (const container of taskDefinition?.containerDefinitions ?? []) {
    const log = container.logConfiguration;
    if (log?.logDriver === "awslogs" && log.options?.["awslogs-group"]) {
      const prefix = log.options["awslogs-stream-prefix"];
      return {
        group: log.options["awslogs-group"],
        region: log.options["awslogs-region"] ?? defaultRegion,
        driver: "awslogs",
        ...(prefix ? { prefix } : {}),
        ...(container.name ? { containerName: container.name } : {}),
      };
    }
    if (log?.logDriver === "fluentd" && clusterLogGroup) {
      const tag = log.options?.tag;
      return {
        group: clusterLogGroup,
        region: defaultRegion,
        driver: "fluentd",
        ...(tag ? { prefix: `${COLLECTOR_STREAM_PREFIX}${tag}` } : {}),
        ...(container.name ? { containerName: container.name } : {}),
      };
    }
  }
  return undefined;
}

function logGroupUrl(target: LogTarget): string {
  return `https://${target.region}.console.aws.amazon.com/cloudwatch/home?region=${target.region}#logsV2:log-groups/log-group/${consoleEscape(target.group)}`;
}

/**
 * CloudWatch Logs console link to one task's log lines. awslogs names each task's stream
 * `<prefix>/<container>/<task id>`, so the link opens that stream. The cluster's log collector writes
 * every task of a worker to one stream, `container/<tag>`, and dockerd's fluentd driver puts the
 * Docker container id in each record (`container_id`), which ECS reports as the container's
 * `runtimeId`: the link opens the worker's stream filtered to that id. Undefined when neither applies
 * (no log configuration, awslogs without a prefix, a task not yet given a container).
 */
export function taskLogsUrl(
  task: Task,
  taskDefinition: TaskDefinition | undefined,
  defaultRegion: string,
  clusterLogGroup?: string,
): string | undefined {
  const target = logTarget(taskDefinition, defaultRegion, clusterLogGroup);
  if (!target?.prefix) return undefined;
  if (target.driver === "awslogs") {
    if (!target.containerName) return undefined;
    const stream = `${target.prefix}/${target.containerName}/${arnId(task.taskArn)}`;
    return `${logGroupUrl(target)}/log-events/${consoleEscape(stream)}`;
  }
  const container = (task.containers ?? []).find((c) => c.name === target.containerName) ?? task.containers?.[0];
  if (!container?.runtimeId) return undefined;
  return `${logGroupUrl(target)}/log-events/${consoleEscape(target.prefix)}$3FfilterPattern$3D${consoleEscape(`"${container.runtimeId}"`)}`;
}

/**
 * CloudWatch Logs console link for a service's logs: the `awslogs` group of its first container,
 * or, for the `fluentd` driver (JobWorker's default), the cluster's log group filtered to the
 * streams of its tag (`container/<tag>`, as the cluster's log collector names them).
 */
export function logsUrl(taskDefinition: TaskDefinition | undefined, defaultRegion: string, clusterLogGroup?: string): string | undefined {
  const target = logTarget(taskDefinition, defaultRegion, clusterLogGroup);
  if (!target) return undefined;
  const filter = target.prefix ? `$3FlogStreamNameFilter$3D${consoleEscape(target.prefix)}` : "";
  return `${logGroupUrl(target)}${filter}`;
}
