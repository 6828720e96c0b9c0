/**
 * Arguments of `StackMonitoring` (the stack's alarms, event rules, log metrics and dashboard) and
 * their defaults.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { LogAlarmThresholds } from "./log-alerts";
import type { PlatformAlarmSettings } from "./platform-alarms";

/** One worker as monitoring sees it. */
export interface MonitoredWorker {
  /**
   * The worker's name as its log lines carry it (the runtime's `worker` field is the kind it runs,
   * which is the worker's name in the jobworker program): the log alarms' `Worker` dimension.
   */
  readonly name: string;
  readonly serviceName: pulumi.Input<string>;
  readonly serviceArn: pulumi.Input<string>;
  readonly queueName: pulumi.Input<string>;
  readonly deadLetterQueueName: pulumi.Input<string>;
  /** Topics this worker's alerts go to instead of the stack's (its owning team's). @default [the stack topic] */
  readonly alarmActions?: readonly pulumi.Input<string>[];
  /** Log alarm thresholds. @default LOG_ALARM_DEFAULTS */
  readonly logAlarms?: Partial<LogAlarmThresholds>;
}

export interface StackMonitoringArgs {
  /** The stack's alert topic (`AlertTopic.topicArn`). */
  readonly topicArn: pulumi.Input<string>;
  readonly cluster: {
    readonly clusterName: pulumi.Input<string>;
    readonly clusterArn: pulumi.Input<string>;
    readonly fleetRequestId: pulumi.Input<string>;
    /** The container log group (`SpotEcsCluster.logGroupName`): the log metric filters read it. */
    readonly logGroupName: pulumi.Input<string>;
  };
  readonly workers: readonly MonitoredWorker[];
  /** The backlog publisher's metrics (`BacklogPublisher.metrics`); without it, no stalled alarm. @default undefined */
  readonly backlogMetrics?: { readonly namespace: string; readonly periodSeconds: number };
  /** The backlog publisher's function (its errors on the dashboard). @default undefined */
  readonly backlogPublisherFunctionName?: pulumi.Input<string>;
  /** @default PLATFORM_ALARM_DEFAULTS */
  readonly alarms?: Partial<PlatformAlarmSettings>;
  /** Retention of the Spot interruption event log, days. @default 30 */
  readonly eventLogRetentionDays?: number;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}
