/**
 * Arguments of the `BacklogPublisher` and their defaults.
 */
import type * as pulumi from "@pulumi/pulumi";

export interface BacklogPublisherArgs {
  /**
   * Queue names start with this; JobWorkers name their queues with it and the publisher lists
   * queues by it. At most 21 characters (queue name limit 80 = prefix + worker name (28) +
   * "-dlq-" + the 26-character unique suffix). @default "jw-<stack>-"
   */
  readonly queueNamePrefix?: string;
  /** CloudWatch namespace of the custom metrics. @default "Jobworker/SQS" */
  readonly namespace?: string;
  /** Seconds between two publications (alarms use it as their period: 10 or 30, or a multiple of 60). @default 10 */
  readonly intervalSeconds?: number;
  /**
   * Directory of a `workers` package to transpile the function's code from (needs `typescript`).
   * @default the code the package ships (built from `workers/backlog-publisher/`); from a checkout's sources, `<repo>/workers`
   */
  readonly workersDir?: string;
  /** Function memory, MiB. @default 128 */
  readonly memoryMiB?: number;
  /** Retention of the function's log group, days. @default 14 */
  readonly logRetentionDays?: number;
  /**
   * A cluster whose capacity metrics (shortfall, spare ACTIVE capacity) the publisher also puts out
   * every interval: `SpotEcsCluster.capacityMetrics`. Its period must be the publisher's interval.
   * @default none
   */
  readonly capacity?: {
    readonly clusterName: pulumi.Input<string>;
    readonly namespace: string;
    readonly periodSeconds: number;
  };
  /** SNS topic ARNs notified (on ALARM and on OK) when the publisher fails. @default [] */
  readonly alarmActions?: readonly pulumi.Input<string>[];
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

export const BACKLOG_PUBLISHER_DEFAULTS = {
  namespace: "Jobworker/SQS",
  intervalSeconds: 10,
  memoryMiB: 128,
  logRetentionDays: 14,
  /** The schedule's rate: EventBridge schedules go no finer than one minute. */
  scheduleSeconds: 60,
  maxQueueNamePrefixLength: 21,
} as const;

/** Periods a CloudWatch alarm accepts for high-resolution metrics: 10, 30, or a multiple of 60. */
export function isAlarmPeriod(seconds: number): boolean {
  return seconds === 10 || seconds === 30 || (seconds >= 60 && seconds % 60 === 0);
}

/** Validates args; the error names the field in backticks, the value and the fix. */
export function validateBacklogPublisherArgs(a: {
  queueNamePrefix: string;
  namespace: string;
  intervalSeconds: number;
  memoryMiB: number;
  logRetentionDays: number;
  capacity?: { namespace: string; periodSeconds: number };
}): void {
  const fail = (field: string, message: string) => {
    throw new Error(`BacklogPublisher: \`${field}\` ${message}`);
  };
  if (!/^[A-Za-z0-9_-]+$/.test(a.queueNamePrefix) || a.queueNamePrefix.length > BACKLOG_PUBLISHER_DEFAULTS.maxQueueNamePrefixLength) {
    fail(
      "queueNamePrefix",
      `is \`${a.queueNamePrefix}\`; use at most ${BACKLOG_PUBLISHER_DEFAULTS.maxQueueNamePrefixLength} letters, digits, - or _ (it starts every queue name, limited to 80 characters).`,
    );
  }
  if (!/^[^:][^:]{0,254}$/.test(a.namespace) || a.namespace.startsWith("AWS/")) {
    fail("namespace", `is \`${a.namespace}\`; use a custom namespace (not starting with AWS/, no colon), e.g. "Jobworker/SQS".`);
  }
  if (
    !Number.isInteger(a.intervalSeconds) ||
    !isAlarmPeriod(a.intervalSeconds) ||
    a.intervalSeconds > BACKLOG_PUBLISHER_DEFAULTS.scheduleSeconds
  ) {
    fail(
      "intervalSeconds",
      `is ${a.intervalSeconds}; use 10, 30 or 60 (an alarm period for high-resolution metrics, within the one-minute schedule).`,
    );
  }
  if (!Number.isInteger(a.memoryMiB) || a.memoryMiB < 128 || a.memoryMiB > 10_240) {
    fail("memoryMiB", `is ${a.memoryMiB}; Lambda takes 128 to 10240 MiB.`);
  }
  if (a.capacity && a.capacity.periodSeconds !== a.intervalSeconds) {
    fail(
      "capacity",
      `has period ${a.capacity.periodSeconds} s but the publisher publishes every ${a.intervalSeconds} s; set the cluster's \`capacity.metricsPeriodSeconds\` to ${a.intervalSeconds}.`,
    );
  }
  if (a.capacity && a.capacity.namespace === a.namespace) {
    fail("capacity", `uses the namespace \`${a.namespace}\` of the queue metrics; give the cluster's capacity metrics their own.`);
  }
  const retention = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
  if (!retention.includes(a.logRetentionDays)) {
    fail("logRetentionDays", `is ${a.logRetentionDays}; CloudWatch Logs accepts one of ${retention.join(", ")}.`);
  }
}
