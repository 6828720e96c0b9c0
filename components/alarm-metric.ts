/**
 * The metric part of a CloudWatch alarm from an alarm spec (a single metric, or a metric math
 * expression over named metrics), as `aws.cloudwatch.MetricAlarm` takes it. Shared by the workers'
 * and the cluster's alarm specs, which are plain data of the same shape.
 */
interface SpecMetric<N> {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, N>;
  readonly stat: string;
  readonly period: number;
}

export interface AlarmMetricSpec<N> {
  readonly metric?: SpecMetric<N>;
  readonly expression?: {
    readonly id: string;
    readonly expression: string;
    readonly label: string;
    readonly metrics: Record<string, SpecMetric<N>>;
  };
}

export function alarmMetricArgs<N>(spec: AlarmMetricSpec<N>) {
  const { metric, expression } = spec;
  return {
    ...(metric
      ? {
          namespace: metric.namespace,
          metricName: metric.metricName,
          dimensions: metric.dimensions,
          statistic: metric.stat,
          period: metric.period,
        }
      : {}),
    ...(expression
      ? {
          metricQueries: [
            { id: expression.id, expression: expression.expression, label: expression.label, returnData: true },
            ...Object.entries(expression.metrics).map(([id, m]) => ({
              id,
              metric: { namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, stat: m.stat, period: m.period },
              returnData: false,
            })),
          ],
        }
      : {}),
  };
}
