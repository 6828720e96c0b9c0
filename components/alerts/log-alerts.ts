/**
 * Log-based alerts: CloudWatch Logs metric filters over the cluster's container log group, counting
 * the runtime's JSON lines (pino, `workers/runtime/logger.ts`: `level` as a label, `worker` on
 * every line, `msg`) per worker, and the alarm specs on those counts.
 *
 * Two filters serve every worker: the `Worker` dimension comes from the line's `worker` field, so
 * 50 workers need 2 filters, not 100 (CloudWatch Logs allows 100 metric filters per log group).
 * Filter syntax: CloudWatch Logs User Guide, "Filter pattern syntax for metric filters" (JSON
 * selectors `$.field`, `&&`). test/unit/components/alerts-log-filters.test.ts checks the patterns
 * against lines the runtime's own logger writes.
 */
import type { NotifyAlarmSpec } from "./alarm-spec";

/** The message the runtime logs (at error level) when an output's delivery failed after its retries (`workers/connectors/run-delivery.ts`). */
export const DELIVERY_FAILED_MSG = "delivery failed";

export interface LogMetric {
  readonly key: "error-lines" | "failed-deliveries";
  readonly metricName: string;
  readonly pattern: string;
  readonly description: string;
}

export const LOG_METRICS: readonly LogMetric[] = [
  {
    key: "error-lines",
    metricName: "ErrorLines",
    pattern: '{ $.level = "error" }',
    description: "lines logged at error level",
  },
  {
    key: "failed-deliveries",
    metricName: "FailedDeliveries",
    pattern: `{ $.level = "error" && $.msg = "${DELIVERY_FAILED_MSG}" }`,
    description: "output deliveries that failed after their retries",
  },
];

/** The dimension every log metric carries, and the JSON field it is read from. */
export const LOG_METRIC_DIMENSION = { name: "Worker", field: "$.worker" } as const;

/** Namespace of the stack's log and event metrics (per stack: two stacks in one account may run workers of the same name). */
export function stackMetricsNamespace(stack: string): string {
  return `jobworker/${stack}`;
}

/** Thresholds of one worker's log alarms: alarm when more lines than this in 5 minutes. */
export interface LogAlarmThresholds {
  /** Error-level lines per 5 minutes. @default 10 */
  readonly errorLines: number;
  /** Failed deliveries per 5 minutes. @default 0 (every failed delivery notifies) */
  readonly failedDeliveries: number;
}

export const LOG_ALARM_DEFAULTS: LogAlarmThresholds = { errorLines: 10, failedDeliveries: 0 };
export const LOG_ALARM_PERIOD_SECONDS = 300;

/** One worker's log alarms. */
export function logAlarmSpecs(worker: string, namespace: string, t: LogAlarmThresholds): NotifyAlarmSpec[] {
  return LOG_METRICS.map((m) => {
    const threshold = m.key === "error-lines" ? t.errorLines : t.failedDeliveries;
    return {
      key: `${worker}-${m.key}`,
      description: `${worker}: more than ${threshold} ${m.description} in ${LOG_ALARM_PERIOD_SECONDS / 60} minutes (docs/alerts.md#${m.key})`,
      comparisonOperator: "GreaterThanThreshold",
      threshold,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // No matching line, no datapoint: quiet is fine.
      treatMissingData: "notBreaching",
      metric: {
        namespace,
        metricName: m.metricName,
        dimensions: { [LOG_METRIC_DIMENSION.name]: worker },
        stat: "Sum",
        period: LOG_ALARM_PERIOD_SECONDS,
      },
    };
  });
}
