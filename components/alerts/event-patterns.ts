/**
 * EventBridge event patterns and input transformers of the stack's alerts, as pure data.
 *
 * Event shapes: "Amazon ECS task state change events"
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_task_events.html), "Amazon ECS
 * service action events" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_events.html),
 * "Spot Instance interruption notices" (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html).
 * Pattern syntax: EventBridge User Guide, "Event patterns" and "Content filtering" (prefix,
 * anything-but, `$or`). test/unit/components/alerts-event-patterns.test.ts matches them against
 * those pages' sample events.
 */

/** An EventBridge event pattern (the subset used here: exact values, prefix, anything-but, `$or`). */
export type EventPattern = { readonly [field: string]: readonly unknown[] | EventPattern | readonly EventPattern[] };

/** A rule target's input transformer: JSON paths into the event, and the text sent with `<name>` placeholders. */
export interface InputTransformer {
  readonly inputPaths: Readonly<Record<string, string>>;
  readonly inputTemplate: string;
}

/** What identifies one worker's service on the cluster. */
export interface ServiceRef {
  readonly worker: string;
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly serviceName: string;
  readonly serviceArn: string;
  readonly region: string;
}

/**
 * A worker's tasks that stop badly: a container exited non-zero (an out-of-memory kill is exit 137
 * with reason `OutOfMemoryError…`), or the task never started (`TaskFailedToStart`, e.g. an image
 * pull failure, `CannotPullContainerError…`). A task stopped by scale-in or a drain exits 0 after
 * SIGTERM and does not match. The service's tasks carry `group: service:<name>`.
 */
export function taskFailurePattern(s: ServiceRef): EventPattern {
  return {
    source: ["aws.ecs"],
    "detail-type": ["ECS Task State Change"],
    detail: {
      clusterArn: [s.clusterArn],
      group: [`service:${s.serviceName}`],
      lastStatus: ["STOPPED"],
      $or: [
        { containers: { exitCode: [{ "anything-but": 0 }] } },
        { containers: { reason: [{ prefix: "OutOfMemoryError" }] } },
        { stopCode: ["TaskFailedToStart"] },
        { stoppedReason: [{ prefix: "CannotPullContainerError" }] },
      ],
    },
  };
}

/** The AWS console page of a worker's service's tasks (stopped ones included). */
export function serviceConsoleUrl(s: ServiceRef): string {
  return `https://${s.region}.console.aws.amazon.com/ecs/v2/clusters/${s.clusterName}/services/${s.serviceName}/tasks?region=${s.region}`;
}

/** A JSON string literal, as an input template of plain text must be (EventBridge User Guide, "Input transformation"). */
function textTemplate(lines: readonly string[]): string {
  return JSON.stringify(lines.join("\n"));
}

/** The readable notification of a failed task: worker, task, reason, exit code, a link. */
export function taskFailureMessage(s: ServiceRef): InputTransformer {
  return {
    inputPaths: {
      task: "$.detail.taskArn",
      stoppedReason: "$.detail.stoppedReason",
      stopCode: "$.detail.stopCode",
      exitCode: "$.detail.containers[0].exitCode",
      containerReason: "$.detail.containers[0].reason",
      time: "$.time",
    },
    inputTemplate: textTemplate([
      `jobworker ${s.worker}: a task stopped with a failure at <time>`,
      "task: <task>",
      "reason: <stoppedReason> (<stopCode>)",
      "container: exit code <exitCode>, <containerReason>",
      `tasks: ${serviceConsoleUrl(s)}`,
      "first response: docs/alerts.md#task-failed",
    ]),
  };
}

/**
 * A worker's service cannot do its job: ECS service action events of type WARN or ERROR, e.g.
 * `SERVICE_TASK_PLACEMENT_FAILURE` (no instance has room), `SERVICE_TASK_START_IMPAIRED` (tasks keep
 * failing to start), `ECS_OPERATION_THROTTLED`. The service's ARN is the event's one resource.
 */
export function serviceActionPattern(s: ServiceRef): EventPattern {
  return {
    source: ["aws.ecs"],
    "detail-type": ["ECS Service Action"],
    resources: [s.serviceArn],
    detail: { clusterArn: [s.clusterArn], eventType: ["WARN", "ERROR"] },
  };
}

export function serviceActionMessage(s: ServiceRef): InputTransformer {
  return {
    inputPaths: { eventType: "$.detail.eventType", eventName: "$.detail.eventName", reason: "$.detail.reason", time: "$.time" },
    inputTemplate: textTemplate([
      `jobworker ${s.worker}: ECS service <eventType> <eventName> at <time>`,
      "reason: <reason>",
      `service: ${serviceConsoleUrl(s)}`,
      "first response: docs/alerts.md#service-action",
    ]),
  };
}

/**
 * Every Spot interruption warning in the account and region (the event names the instance, not
 * its fleet; the cluster's fleet is the account's Spot capacity in a jobworker account).
 */
export const SPOT_INTERRUPTION_PATTERN: EventPattern = {
  source: ["aws.ec2"],
  "detail-type": ["EC2 Spot Instance Interruption Warning"],
};
