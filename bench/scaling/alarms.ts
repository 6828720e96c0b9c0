/**
 * CloudWatch alarms and Application Auto Scaling step policies as the simulator evaluates them,
 * from the same `AlarmSpec`s and step adjustments the components render.
 *
 * - A metric's datapoint for the period ending at T is the statistic of the samples in (T-P, T];
 *   it is available `lag` seconds later: SQS pushes its metrics once a minute ("Available
 *   CloudWatch metrics for Amazon SQS"), the backlog publisher once per its period.
 * - An alarm is evaluated once per period over its last `evaluationPeriods` datapoints; it is in
 *   ALARM when at least `datapointsToAlarm` breach. While in ALARM its action runs at every
 *   evaluation ("Using Amazon CloudWatch alarms": actions are re-invoked for Auto Scaling).
 * - Step scaling: the adjustment whose interval (relative to the threshold) holds the breach; during
 *   a scale-out cooldown only the part of a larger adjustment beyond the one in effect applies
 *   ("Step scaling policies for Application Auto Scaling", cooldown).
 */
import { TASKS_NEEDED, type AlarmSpec, type MetricRef, type StepAdjustment } from "../../components/job-worker/scaling";
import { STEP_SECONDS } from "./model";

/** Samples of one worker's queue, one per step. */
export class QueueSamples {
  readonly visible: number[] = [];
  readonly inFlight: number[] = [];
  /** What the backlog publisher's TasksNeeded says at each step. */
  readonly tasksNeeded: number[] = [];
  record(visible: number, inFlight: number, tasksNeeded = 0): void {
    this.visible.push(visible);
    this.inFlight.push(inFlight);
    this.tasksNeeded.push(tasksNeeded);
  }
}

export interface MetricSource {
  /** Namespace of the backlog publisher's metrics, so its alarms read the right samples. */
  readonly customNamespace: string;
  /** Seconds after a period ends before its datapoint exists. */
  readonly nativeLagSeconds: number;
  readonly customLagSeconds: number;
}

/** Scaling alarms read the worker's own queue (notification alarms are not simulated). */
function samplesOf(metric: MetricRef, samples: QueueSamples): number[] {
  if (metric.metricName === "ApproximateNumberOfMessagesVisible") return samples.visible;
  if (metric.metricName === "ApproximateNumberOfMessagesNotVisible") return samples.inFlight;
  if (metric.metricName === TASKS_NEEDED) return samples.tasksNeeded;
  throw new Error(`the simulator has no samples for metric ${metric.namespace}/${metric.metricName}`);
}

/** The datapoint of `metric` for the period ending `lag` seconds before `now` (Maximum of the samples). */
export function datapoint(metric: MetricRef, now: number, samples: QueueSamples, src: MetricSource): number {
  const lag = metric.namespace === src.customNamespace ? src.customLagSeconds : src.nativeLagSeconds;
  const series = samplesOf(metric, samples);
  const end = Math.floor((now - lag) / STEP_SECONDS);
  const begin = end - metric.period / STEP_SECONDS;
  let value = 0;
  for (let i = Math.max(0, begin + 1); i <= end && i < series.length; i++) value = Math.max(value, series[i]);
  return value;
}

function periodOf(spec: AlarmSpec): number {
  if (spec.metric) return spec.metric.period;
  return Math.max(...Object.values(spec.expression!.metrics).map((m) => m.period));
}

function valueOf(spec: AlarmSpec, now: number, samples: QueueSamples, src: MetricSource): number {
  if (spec.metric) return datapoint(spec.metric, now, samples, src);
  const expression = spec.expression!;
  const values = Object.fromEntries(Object.entries(expression.metrics).map(([id, m]) => [id, datapoint(m, now, samples, src)]));
  if (/^MAX\(\[/.test(expression.expression)) return Math.max(...Object.values(values));
  // IF(x > 0, x, K): the tasks-needed alarm's mapping of 0 to its threshold.
  const ifPositive = /^IF\((\w+) > 0, \1, (\d+)\)$/.exec(expression.expression);
  if (ifPositive) return values[ifPositive[1]] > 0 ? values[ifPositive[1]] : Number(ifPositive[2]);
  throw new Error(`the simulator evaluates MAX([...]) and IF(x > 0, x, K) only, not ${expression.expression}`);
}

function breaches(spec: AlarmSpec, value: number): boolean {
  if (spec.comparisonOperator === "GreaterThanThreshold") return value > spec.threshold;
  if (spec.comparisonOperator === "LessThanThreshold") return value < spec.threshold;
  return value <= spec.threshold;
}

/** One alarm's state over time. */
export class AlarmState {
  private readonly history: boolean[] = [];
  private lastValue = 0;
  constructor(readonly spec: AlarmSpec) {}

  /** Evaluates at a period boundary; returns the breaching value when the alarm is in ALARM. */
  evaluate(now: number, samples: QueueSamples, src: MetricSource): number | undefined {
    const period = periodOf(this.spec);
    if (now % period !== 0) return undefined;
    this.lastValue = valueOf(this.spec, now, samples, src);
    this.history.push(breaches(this.spec, this.lastValue));
    const window = this.history.slice(-this.spec.evaluationPeriods);
    const breaching = window.filter(Boolean).length;
    return window.length >= this.spec.evaluationPeriods && breaching >= this.spec.datapointsToAlarm ? this.lastValue : undefined;
  }
}

/** The step adjustment for a breach of `value` over `threshold`. */
export function stepFor(steps: readonly StepAdjustment[], value: number, threshold: number): StepAdjustment | undefined {
  const d = value - threshold;
  return steps.find((s) => {
    const lower = s.metricIntervalLowerBound === undefined ? -Infinity : Number(s.metricIntervalLowerBound);
    const upper = s.metricIntervalUpperBound === undefined ? Infinity : Number(s.metricIntervalUpperBound);
    // Above the threshold the lower bound is inclusive; below it the upper bound is.
    return d > 0 ? d >= lower && d < upper : d > lower && d <= upper;
  });
}

/** A step scaling policy on a scalable target, with its cooldown. */
export class StepPolicy {
  private cooldownEnds = -Infinity;
  private baseline = 0;
  private applied = 0;
  constructor(
    readonly adjustmentType: "ChangeInCapacity" | "ExactCapacity",
    readonly steps: readonly StepAdjustment[],
    readonly cooldownSeconds: number,
  ) {}

  /** The new desired count for a breach, or undefined when nothing changes. */
  apply(now: number, current: number, value: number, threshold: number, min: number, max: number): number | undefined {
    const step = stepFor(this.steps, value, threshold);
    if (!step) return undefined;
    const clamp = (n: number) => Math.max(min, Math.min(max, n));
    if (this.adjustmentType === "ExactCapacity") {
      if (now < this.cooldownEnds) return undefined;
      this.cooldownEnds = now + this.cooldownSeconds;
      return clamp(step.scalingAdjustment);
    }
    if (now < this.cooldownEnds) {
      if (step.scalingAdjustment <= this.applied) return undefined;
      this.applied = step.scalingAdjustment;
      return clamp(this.baseline + step.scalingAdjustment);
    }
    this.cooldownEnds = now + this.cooldownSeconds;
    this.baseline = current;
    this.applied = step.scalingAdjustment;
    return clamp(current + step.scalingAdjustment);
  }
}
