/**
 * The stack's platform alarms (beside each worker's DLQ and message-age alarms), as pure data:
 * - fleet: fulfilled capacity below target for N minutes (AWS/EC2Spot, reported every 5 minutes);
 * - Spot interruption warnings per hour above a threshold (an EventBridge rule writes each warning
 *   to a log group; a metric filter counts them);
 * - the backlog publisher stalled: its 10-second metric has no datapoints (missing data breaches),
 *   and scale-out from zero waits for SQS's one-minute metrics until it is back;
 * - per worker, tasks pending for N minutes (Container Insights' `PendingTaskCount`: a task that
 *   stays PENDING, e.g. pulling an image that never comes or waiting for an ENI, keeps it above 0).
 */
import type { NotifyAlarmSpec } from "./alarm-spec";

export const EC2_SPOT_NAMESPACE = "AWS/EC2Spot";
export const CONTAINER_INSIGHTS_NAMESPACE = "ECS/ContainerInsights";
/** AWS/EC2Spot metrics arrive every 5 minutes (EC2 User Guide, "CloudWatch metrics for Spot Fleet"). */
export const SPOT_FLEET_PERIOD_SECONDS = 300;
export const SPOT_INTERRUPTIONS_METRIC = "SpotInterruptionWarnings";

export interface PlatformAlarmSettings {
  /** Minutes of fulfilled capacity below target before alarming (rounded up to 5). @default 15 */
  readonly fleetBelowTargetMinutes: number;
  /** Interruption warnings per hour above which to alarm. @default 10 */
  readonly spotInterruptionsPerHour: number;
  /** Minutes a task may stay PENDING. @default 10 */
  readonly taskPendingMinutes: number;
  /** Minutes without a backlog datapoint before the publisher counts as stalled. @default 5 */
  readonly publisherStalledMinutes: number;
}

export const PLATFORM_ALARM_DEFAULTS: PlatformAlarmSettings = {
  fleetBelowTargetMinutes: 15,
  spotInterruptionsPerHour: 10,
  taskPendingMinutes: 10,
  publisherStalledMinutes: 5,
};

export function fleetBelowTargetAlarm<N>(fleetRequestId: N, minutes: number): NotifyAlarmSpec<N> {
  const periods = Math.max(1, Math.ceil((minutes * 60) / SPOT_FLEET_PERIOD_SECONDS));
  const metric = (metricName: string) => ({
    namespace: EC2_SPOT_NAMESPACE,
    metricName,
    dimensions: { FleetRequestId: fleetRequestId },
    stat: "Average" as const,
    period: SPOT_FLEET_PERIOD_SECONDS,
  });
  return {
    key: "fleet-below-target",
    description: `Spot fleet: fulfilled capacity below target for ${periods * 5} minutes (docs/alerts.md#fleet-below-target)`,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    evaluationPeriods: periods,
    datapointsToAlarm: periods,
    // No fleet metrics (a fleet request being replaced) is no evidence either way.
    treatMissingData: "missing",
    expression: {
      id: "shortfall",
      expression: "target - fulfilled",
      label: "vCPUs of target capacity not fulfilled",
      metrics: { target: metric("TargetCapacity"), fulfilled: metric("FulfilledCapacity") },
    },
  };
}

export function spotInterruptionsAlarm<N>(namespace: string, perHour: number): NotifyAlarmSpec<N> {
  return {
    key: "spot-interruptions",
    description: `Spot: more than ${perHour} interruption warnings in an hour (docs/alerts.md#spot-interruptions)`,
    comparisonOperator: "GreaterThanThreshold",
    threshold: perHour,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    metric: { namespace, metricName: SPOT_INTERRUPTIONS_METRIC, dimensions: {}, stat: "Sum", period: 3600 },
  };
}

/** Stalled: no datapoint of the publisher's backlog metric for one queue (it publishes every queue on every pass, zeros included). */
export function publisherStalledAlarm<N>(
  backlog: { namespace: string; metricName: string; queueName: N },
  minutes: number,
): NotifyAlarmSpec<N> {
  return {
    key: "backlog-publisher-stalled",
    description: `backlog publisher: no backlog datapoint for ${minutes} minutes; scale-out from zero waits for SQS's one-minute metrics (docs/alerts.md#backlog-publisher-stalled)`,
    comparisonOperator: "LessThanThreshold",
    threshold: 1,
    evaluationPeriods: minutes,
    datapointsToAlarm: minutes,
    treatMissingData: "breaching",
    metric: {
      namespace: backlog.namespace,
      metricName: backlog.metricName,
      dimensions: { QueueName: backlog.queueName },
      stat: "SampleCount",
      period: 60,
    },
  };
}

export function taskPendingAlarm<N>(worker: string, ids: { clusterName: N; serviceName: N }, minutes: number): NotifyAlarmSpec<N> {
  return {
    key: `${worker}-task-pending`,
    description: `${worker}: tasks PENDING for ${minutes} minutes (docs/alerts.md#task-pending)`,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    evaluationPeriods: minutes,
    datapointsToAlarm: minutes,
    treatMissingData: "notBreaching",
    metric: {
      namespace: CONTAINER_INSIGHTS_NAMESPACE,
      metricName: "PendingTaskCount",
      dimensions: { ClusterName: ids.clusterName, ServiceName: ids.serviceName },
      stat: "Minimum",
      period: 60,
    },
  };
}
