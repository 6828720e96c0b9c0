/**
 * `StackMonitoring` (`jobworker:index:StackMonitoring`): the alarms that matter at 3 a.m. beside each
 * worker's own, all notifying the stack's alert topic (or a worker's team topic), and the dashboard.
 *
 * Per worker: an EventBridge rule for its failed tasks and one for its service's WARN/ERROR actions
 * (targets: the topic, with a readable message), log alarms on error lines and failed deliveries,
 * and a tasks-pending alarm. Per stack: two log metric filters (every worker's lines, dimension
 * `Worker`), the Spot interruption rule → log group → metric filter → alarm, the fleet shortfall
 * alarm, the backlog publisher stalled alarm, and the dashboard (`dashboard.ts`).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { VISIBLE } from "../job-worker/scaling";
import { createNotifyAlarm } from "./alarm-spec";
import { dashboardBody } from "./dashboard";
import type { EventPattern, InputTransformer, ServiceRef } from "./event-patterns";
import {
  serviceActionMessage,
  serviceActionPattern,
  SPOT_INTERRUPTION_PATTERN,
  taskFailureMessage,
  taskFailurePattern,
} from "./event-patterns";
import { LOG_ALARM_DEFAULTS, LOG_METRIC_DIMENSION, LOG_METRICS, logAlarmSpecs, stackMetricsNamespace } from "./log-alerts";
import type { MonitoredWorker, StackMonitoringArgs } from "./monitoring-args";
import {
  fleetBelowTargetAlarm,
  PLATFORM_ALARM_DEFAULTS,
  publisherStalledAlarm,
  SPOT_INTERRUPTIONS_METRIC,
  spotInterruptionsAlarm,
  taskPendingAlarm,
} from "./platform-alarms";

/** Metric filter matching every Spot interruption event EventBridge writes to the log group. */
export const SPOT_INTERRUPTION_FILTER = '{ $.source = "aws.ec2" }';

export class StackMonitoring extends pulumi.ComponentResource {
  readonly dashboardName: pulumi.Output<string>;
  /** The dashboard in the AWS console. */
  readonly dashboardUrl: pulumi.Output<string>;

  constructor(name: string, args: StackMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jobworker:index:StackMonitoring", name, {}, opts);
    const settings = { ...PLATFORM_ALARM_DEFAULTS, ...args.alarms };
    const tags = { ...args.tags };
    const parent = { parent: this };
    const alarmOpts = { parent: this as pulumi.Resource, tags };
    const namespace = stackMetricsNamespace(pulumi.getStack());
    const region = aws.getRegionOutput({}, parent).region;
    const stackTopic = [args.topicArn];

    // --- log metrics: two filters for every worker's lines ---
    for (const m of LOG_METRICS) {
      new aws.cloudwatch.LogMetricFilter(
        `${name}-${m.key}`,
        {
          logGroupName: args.cluster.logGroupName,
          pattern: m.pattern,
          metricTransformation: {
            namespace,
            name: m.metricName,
            value: "1",
            unit: "Count",
            dimensions: { [LOG_METRIC_DIMENSION.name]: LOG_METRIC_DIMENSION.field },
          },
        },
        parent,
      );
    }

    // --- per worker ---
    for (const w of args.workers) {
      const actions = w.alarmActions && w.alarmActions.length > 0 ? [...w.alarmActions] : stackTopic;
      this.createWorkerRules(name, w, args, region, actions, tags);
      for (const spec of logAlarmSpecs(w.name, namespace, { ...LOG_ALARM_DEFAULTS, ...w.logAlarms }))
        createNotifyAlarm(name, spec, actions, alarmOpts);
      createNotifyAlarm(
        name,
        taskPendingAlarm<pulumi.Input<string>>(
          w.name,
          { clusterName: args.cluster.clusterName, serviceName: w.serviceName },
          settings.taskPendingMinutes,
        ),
        actions,
        alarmOpts,
      );
    }

    // --- fleet ---
    createNotifyAlarm(
      name,
      fleetBelowTargetAlarm<pulumi.Input<string>>(args.cluster.fleetRequestId, settings.fleetBelowTargetMinutes),
      stackTopic,
      alarmOpts,
    );
    this.createSpotInterruptionCount(name, namespace, args, tags);
    createNotifyAlarm(name, spotInterruptionsAlarm(namespace, settings.spotInterruptionsPerHour), stackTopic, alarmOpts);

    // --- backlog publisher: stalled when one queue's metric stops arriving ---
    const first = args.workers[0];
    if (args.backlogMetrics && first) {
      createNotifyAlarm(
        name,
        publisherStalledAlarm<pulumi.Input<string>>(
          { namespace: args.backlogMetrics.namespace, metricName: VISIBLE, queueName: first.queueName },
          settings.publisherStalledMinutes,
        ),
        stackTopic,
        alarmOpts,
      );
    }

    // --- dashboard ---
    // Named after the cluster: the ops console links the first dashboard whose name starts with the
    // cluster's name (console/aws/dashboards.ts), so this one needs no flag.
    const dashboardName = pulumi.interpolate`${args.cluster.clusterName}-dashboard`;
    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName,
        dashboardBody: pulumi
          .all([
            region,
            args.cluster.clusterName,
            args.cluster.fleetRequestId,
            args.backlogPublisherFunctionName,
            pulumi.all(args.workers.map((w) => pulumi.all([w.serviceName, w.queueName, w.deadLetterQueueName]))),
          ])
          .apply(([reg, clusterName, fleetRequestId, fn, names]) =>
            JSON.stringify(
              dashboardBody({
                region: reg,
                clusterName,
                fleetRequestId,
                stackNamespace: namespace,
                backlogPublisherFunctionName: fn,
                workers: args.workers.map((w, k) => ({
                  name: w.name,
                  serviceName: names[k][0],
                  queueName: names[k][1],
                  deadLetterQueueName: names[k][2],
                })),
              }),
            ),
          ),
      },
      parent,
    );

    this.dashboardName = dashboard.dashboardName;
    this.dashboardUrl = pulumi.interpolate`https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${dashboard.dashboardName}`;
    this.registerOutputs({ dashboardName: this.dashboardName, dashboardUrl: this.dashboardUrl });
  }

  /** The worker's failed-task and service-action rules, each targeting its topics with a readable message. */
  private createWorkerRules(
    name: string,
    w: MonitoredWorker,
    args: StackMonitoringArgs,
    region: pulumi.Output<string>,
    actions: readonly pulumi.Input<string>[],
    tags: Record<string, string>,
  ): void {
    const ref: pulumi.Output<ServiceRef> = pulumi
      .all([args.cluster.clusterName, args.cluster.clusterArn, w.serviceName, w.serviceArn, region])
      .apply(([clusterName, clusterArn, serviceName, serviceArn, reg]) => ({
        worker: w.name,
        clusterName,
        clusterArn,
        serviceName,
        serviceArn,
        region: reg,
      }));
    const rules: {
      key: string;
      description: string;
      pattern: (s: ServiceRef) => EventPattern;
      message: (s: ServiceRef) => InputTransformer;
    }[] = [
      {
        key: "task-failed",
        description: `${w.name}: a task stopped with a non-zero exit, an out-of-memory kill or a failure to start`,
        pattern: taskFailurePattern,
        message: taskFailureMessage,
      },
      {
        key: "service-action",
        description: `${w.name}: ECS service WARN/ERROR events (placement failures, start impaired)`,
        pattern: serviceActionPattern,
        message: serviceActionMessage,
      },
    ];
    for (const r of rules) {
      const rule = new aws.cloudwatch.EventRule(
        `${name}-${w.name}-${r.key}`,
        { description: r.description, eventPattern: ref.apply((s) => JSON.stringify(r.pattern(s))), tags },
        { parent: this },
      );
      actions.forEach((topicArn, k) => {
        const message = ref.apply(r.message);
        new aws.cloudwatch.EventTarget(
          `${name}-${w.name}-${r.key}-${k}`,
          {
            rule: rule.name,
            arn: topicArn,
            inputTransformer: {
              inputPaths: message.apply((m) => ({ ...m.inputPaths })),
              inputTemplate: message.apply((m) => m.inputTemplate),
            },
          },
          { parent: this },
        );
      });
    }
  }

  /** Spot interruption warnings → a log group (EventBridge target) → a metric filter counting them. */
  private createSpotInterruptionCount(name: string, namespace: string, args: StackMonitoringArgs, tags: Record<string, string>): void {
    const parent = { parent: this };
    // EventBridge writes only to log groups named /aws/events/… (EventBridge User Guide, "CloudWatch Logs targets").
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-spot-interruptions`,
      { name: `/aws/events/jobworker/${pulumi.getStack()}/spot-interruptions`, retentionInDays: args.eventLogRetentionDays ?? 30, tags },
      parent,
    );
    const resourcePolicy = new aws.cloudwatch.LogResourcePolicy(
      `${name}-spot-interruptions-writer`,
      {
        policyName: `jobworker-${pulumi.getStack()}-spot-interruptions`,
        policyDocument: logGroup.arn.apply((arn) => JSON.stringify(eventsLogGroupPolicy(arn))),
      },
      parent,
    );
    const rule = new aws.cloudwatch.EventRule(
      `${name}-spot-interruptions`,
      {
        description: "jobworker: Spot interruption warnings, counted by a metric filter",
        eventPattern: JSON.stringify(SPOT_INTERRUPTION_PATTERN),
        tags,
      },
      parent,
    );
    new aws.cloudwatch.EventTarget(
      `${name}-spot-interruptions`,
      { rule: rule.name, arn: logGroup.arn },
      { parent: this, dependsOn: [resourcePolicy] },
    );
    new aws.cloudwatch.LogMetricFilter(
      `${name}-spot-interruptions`,
      {
        logGroupName: logGroup.name,
        pattern: SPOT_INTERRUPTION_FILTER,
        metricTransformation: { namespace, name: SPOT_INTERRUPTIONS_METRIC, value: "1", defaultValue: "0", unit: "Count" },
      },
      parent,
    );
  }
}

/**
 * The log group's resource policy letting EventBridge write events into it (EventBridge User Guide,
 * "Permissions for CloudWatch Logs targets": both principals, log streams of the group).
 */
export function eventsLogGroupPolicy(logGroupArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EventBridgeWritesEvents",
        Effect: "Allow",
        Principal: { Service: ["events.amazonaws.com", "delivery.logs.amazonaws.com"] },
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${logGroupArn}:*`,
      },
    ],
  };
}
