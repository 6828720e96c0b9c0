/**
 * A notifying alarm as pure data (the scaling alarms have their own, `job-worker/scaling.ts`), and
 * the one function that turns a spec into an `aws.cloudwatch.MetricAlarm` whose alarm AND OK
 * actions are the given topics: a person learns when it breaks and when it has recovered.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

export interface NotifyMetric<N = string> {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, N>>;
  readonly stat: "Maximum" | "Minimum" | "Sum" | "Average" | "SampleCount";
  readonly period: number;
}

export interface NotifyAlarmSpec<N = string> {
  /** Suffix of the alarm's resource name. */
  readonly key: string;
  readonly description: string;
  readonly comparisonOperator: "GreaterThanThreshold" | "LessThanThreshold" | "GreaterThanOrEqualToThreshold";
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: "notBreaching" | "breaching" | "missing" | "ignore";
  readonly metric?: NotifyMetric<N>;
  /** A metric math expression over named metrics (`id` → metric). */
  readonly expression?: {
    readonly id: string;
    readonly expression: string;
    readonly label: string;
    readonly metrics: Readonly<Record<string, NotifyMetric<N>>>;
  };
}

/** The alarm of a spec, notifying `actions` on ALARM and on OK. */
export function createNotifyAlarm(
  name: string,
  spec: NotifyAlarmSpec<pulumi.Input<string>>,
  actions: pulumi.Input<pulumi.Input<string>[]>,
  opts: { parent: pulumi.Resource; tags: Record<string, string> },
): aws.cloudwatch.MetricAlarm {
  const m = spec.metric;
  return new aws.cloudwatch.MetricAlarm(
    `${name}-${spec.key}`,
    {
      alarmDescription: spec.description,
      comparisonOperator: spec.comparisonOperator,
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      treatMissingData: spec.treatMissingData,
      ...(m
        ? { namespace: m.namespace, metricName: m.metricName, dimensions: { ...m.dimensions }, statistic: m.stat, period: m.period }
        : {}),
      ...(spec.expression
        ? {
            metricQueries: [
              { id: spec.expression.id, expression: spec.expression.expression, label: spec.expression.label, returnData: true },
              ...Object.entries(spec.expression.metrics).map(([id, q]) => ({
                id,
                metric: {
                  namespace: q.namespace,
                  metricName: q.metricName,
                  dimensions: { ...q.dimensions },
                  stat: q.stat,
                  period: q.period,
                },
                returnData: false,
              })),
            ],
          }
        : {}),
      alarmActions: actions,
      okActions: actions,
      actionsEnabled: true,
      tags: opts.tags,
    },
    { parent: opts.parent },
  );
}
