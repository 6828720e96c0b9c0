/**
 * Autoscaling and alarm specs of a JobWorker, as pure data: the component turns each spec into an
 * `aws.cloudwatch.MetricAlarm` and wires its action.
 *
 * Scaling from zero on a queue:
 * - scale OUT when visible messages > 0, by steps proportional to the backlog per task. The fast
 *   alarm reads the backlog publisher's 10-second custom metrics; the fallback reads SQS's own
 *   one-minute metrics (late after an idle queue wakes up, but independent of the publisher).
 *   While an alarm stays in ALARM, CloudWatch re-invokes its Auto Scaling action every period, so
 *   capacity keeps growing (up to maxTasks) as long as messages wait.
 * - scale IN gradually, with the backlog publisher: every minute the desired count is set to the
 *   publisher's `TasksNeeded` = ceil((visible + in flight) / concurrency), clamped to maxTasks (its
 *   maximum over the minute), down to one task. Busy tasks carry task scale-in protection (the
 *   runtime sets it while a message is in flight), so lowering the count stops only idle tasks.
 * - scale IN, to zero, only after visible AND in-flight have both been zero for
 *   `scaleInIdleSeconds`: a task with a message in flight keeps the in-flight count above zero, so
 *   a busy task is never stopped by scale-in (the runtime's task scale-in protection backs this up).
 */

/** SQS's namespace and metric names (AWS names stay AWS's; the publisher reuses them). */
export const SQS_NAMESPACE = "AWS/SQS";
export const VISIBLE = "ApproximateNumberOfMessagesVisible";
export const IN_FLIGHT = "ApproximateNumberOfMessagesNotVisible";
export const OLDEST_AGE = "ApproximateAgeOfOldestMessage";

/** Period of SQS's own metrics (they are reported once a minute). */
export const NATIVE_PERIOD_SECONDS = 60;
/** At most this many scale-out steps (the last one is open-ended). */
export const MAX_SCALE_OUT_STEPS = 10;

export interface StepAdjustment {
  /** Relative to the alarm threshold, as App Auto Scaling takes it (strings in @pulumi/aws 7). */
  readonly metricIntervalLowerBound?: string;
  readonly metricIntervalUpperBound?: string;
  readonly scalingAdjustment: number;
}

/**
 * Scale-out steps on visible messages (threshold 0): a backlog in [k·B, (k+1)·B) adds k+1 tasks,
 * where B is the backlog per task; the first step (any backlog) starts one task from zero.
 */
export function scaleOutSteps(backlogPerTask: number, maxTasks: number): StepAdjustment[] {
  const steps = Math.max(1, Math.min(maxTasks, MAX_SCALE_OUT_STEPS));
  const out: StepAdjustment[] = [];
  for (let k = 0; k < steps; k++) {
    const last = k === steps - 1;
    out.push({
      metricIntervalLowerBound: String(k * backlogPerTask),
      ...(last ? {} : { metricIntervalUpperBound: String((k + 1) * backlogPerTask) }),
      scalingAdjustment: k + 1,
    });
  }
  return out;
}

/** The scale-in step: at or below the idle threshold (0), set the desired count to exactly 0. */
export const SCALE_IN_STEPS: StepAdjustment[] = [{ metricIntervalUpperBound: "0", scalingAdjustment: 0 }];

/** The publisher's per-worker metric, and the queue tags it is computed from. */
export const TASKS_NEEDED = "TasksNeeded";
export const SCALING_TAGS = { concurrency: "jobworker:concurrency", maxTasks: "jobworker:max-tasks" } as const;
/** Application Auto Scaling takes at most 20 step adjustments per policy. */
export const MAX_STEP_ADJUSTMENTS = 20;

/**
 * ExactCapacity steps on TasksNeeded for the alarm "IF(TasksNeeded > 0, TasksNeeded, maxTasks) <
 * maxTasks": a value v in 1..maxTasks−1 sets the desired count to v. Bounds are relative to the
 * threshold maxTasks and, below it, the lower bound is exclusive and the upper inclusive ("a lower
 * bound of -10 and an upper bound of 0" is "greater than 40 and less than or equal to 50",
 * Application Auto Scaling API, StepAdjustment); the first step has no lower bound, as AWS requires
 * when a lower bound is negative, and the last ends at the threshold. Above 20 values they go in
 * equal buckets, each setting the bucket's highest value (rounding up, never down). Zero never
 * breaches (the alarm's expression maps it to maxTasks): going to zero is the idle alarm's, after
 * `scaleInIdleSeconds`.
 */
export function tasksNeededSteps(maxTasks: number): StepAdjustment[] {
  const values = maxTasks - 1;
  if (values < 1) return [];
  const bucket = Math.ceil(values / MAX_STEP_ADJUSTMENTS);
  const out: StepAdjustment[] = [];
  for (let low = 1; low < maxTasks; low += bucket) {
    const high = Math.min(maxTasks, low + bucket);
    out.push({
      ...(low === 1 ? {} : { metricIntervalLowerBound: String(low - 1 - maxTasks) }),
      metricIntervalUpperBound: high === maxTasks ? "0" : String(high - 1 - maxTasks),
      scalingAdjustment: high - 1,
    });
  }
  return out;
}

/** `N` is the type of a queue name: `string` in tests, `pulumi.Output<string>` in the component. */
export interface MetricRef<N = string> {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, N>;
  readonly stat: "Maximum" | "Sum" | "Average";
  readonly period: number;
}

export interface AlarmSpec<N = string> {
  /** Suffix of the alarm's resource name. */
  readonly key: "backlog-fast" | "backlog" | "tasks-needed" | "idle" | "dlq-not-empty" | "oldest-message";
  readonly description: string;
  readonly action: "scale-out" | "scale-to-needed" | "scale-in" | "notify";
  readonly comparisonOperator: "GreaterThanThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: "notBreaching" | "breaching" | "missing" | "ignore";
  /** A single metric… */
  readonly metric?: MetricRef<N>;
  /** …or a metric math expression over named metrics (`id` → metric). */
  readonly expression?: {
    readonly id: string;
    readonly expression: string;
    readonly label: string;
    readonly metrics: Record<string, MetricRef<N>>;
  };
}

export interface AlarmInputs<N = string> {
  readonly worker: string;
  readonly queueName: N;
  readonly deadLetterQueueName: N;
  readonly scaleInIdleSeconds: number;
  readonly oldestMessageAlarmSeconds: number;
  /** The service's maximum task count: with it (≥ 2) and a publisher, the tasks-needed alarm. @default none */
  readonly maxTasks?: number;
  /** The backlog publisher's metrics, when one runs. */
  readonly backlogMetrics?: { readonly namespace: string; readonly periodSeconds: number };
}

/** Every alarm of a worker. */
export function alarmSpecs<N = string>(i: AlarmInputs<N>): AlarmSpec<N>[] {
  const native = (metricName: string, queueName: N): MetricRef<N> => ({
    namespace: SQS_NAMESPACE,
    metricName,
    dimensions: { QueueName: queueName },
    stat: "Maximum",
    period: NATIVE_PERIOD_SECONDS,
  });
  const custom = (metricName: string, period: number): MetricRef<N> => ({
    namespace: i.backlogMetrics!.namespace,
    metricName,
    dimensions: { QueueName: i.queueName },
    stat: "Maximum",
    period,
  });
  const specs: AlarmSpec<N>[] = [];
  if (i.backlogMetrics) {
    specs.push({
      key: "backlog-fast",
      description: `${i.worker}: messages waiting (backlog publisher, ${i.backlogMetrics.periodSeconds} s): scale out`,
      action: "scale-out",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: "notBreaching",
      metric: custom(VISIBLE, i.backlogMetrics.periodSeconds),
    });
  }
  specs.push({
    key: "backlog",
    description: `${i.worker}: messages waiting (SQS metrics, fallback): scale out`,
    action: "scale-out",
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    metric: native(VISIBLE, i.queueName),
  });
  if (i.backlogMetrics && i.maxTasks !== undefined && i.maxTasks >= 2) {
    specs.push({
      key: "tasks-needed",
      description: `${i.worker}: fewer tasks needed than the maximum: set the desired count to ceil((visible + in flight) / concurrency)`,
      action: "scale-to-needed",
      comparisonOperator: "LessThanThreshold",
      threshold: i.maxTasks,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // Without numbers, the count stays where it is.
      treatMissingData: "notBreaching",
      // Zero is mapped to maxTasks (no breach): scaling to zero is the idle alarm's.
      expression: {
        id: "needed",
        expression: `IF(tn > 0, tn, ${i.maxTasks})`,
        label: "tasks needed (0 left to the idle alarm)",
        metrics: { tn: custom(TASKS_NEEDED, NATIVE_PERIOD_SECONDS) },
      },
    });
  }
  const idleMetrics: Record<string, MetricRef<N>> = {
    nv: native(VISIBLE, i.queueName),
    nf: native(IN_FLIGHT, i.queueName),
    ...(i.backlogMetrics ? { cv: custom(VISIBLE, NATIVE_PERIOD_SECONDS), cf: custom(IN_FLIGHT, NATIVE_PERIOD_SECONDS) } : {}),
  };
  const idlePeriods = i.scaleInIdleSeconds / NATIVE_PERIOD_SECONDS;
  specs.push({
    key: "idle",
    description: `${i.worker}: no visible and no in-flight messages for ${i.scaleInIdleSeconds} s: scale in to zero`,
    action: "scale-in",
    comparisonOperator: "LessThanOrEqualToThreshold",
    threshold: 0,
    evaluationPeriods: idlePeriods,
    datapointsToAlarm: idlePeriods,
    // Missing data never counts as idle: without numbers, tasks keep running.
    treatMissingData: "notBreaching",
    expression: {
      id: "busy",
      expression: `MAX([${Object.keys(idleMetrics).join(", ")}])`,
      label: "visible or in-flight messages",
      metrics: idleMetrics,
    },
  });
  specs.push({
    key: "dlq-not-empty",
    description: `${i.worker}: messages in the dead-letter queue`,
    action: "notify",
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    metric: native(VISIBLE, i.deadLetterQueueName),
  });
  specs.push({
    key: "oldest-message",
    description: `${i.worker}: oldest message older than ${i.oldestMessageAlarmSeconds} s`,
    action: "notify",
    comparisonOperator: "GreaterThanThreshold",
    threshold: i.oldestMessageAlarmSeconds,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    metric: native(OLDEST_AGE, i.queueName),
  });
  return specs;
}
