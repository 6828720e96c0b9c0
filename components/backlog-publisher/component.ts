/**
 * `BacklogPublisher` (`jobworker:index:BacklogPublisher`): the one always-on publisher of every
 * worker queue's backlog as 10-second custom metrics, for all JobWorkers of a stack.
 *
 * Why a Lambda on a one-minute schedule (each invocation publishing 6 times, 10 s apart) and not a
 * small ECS service: the thing that decides to add capacity must not depend on that capacity. An
 * ECS task on the Spot fleet is stopped by every interruption of its instance and cannot run while
 * the fleet has no room; the function runs outside the fleet, needs no VPC, no image and no
 * instance, and costs at most ~60 s × 128 MiB per minute (about 324,000 GB-s a month, inside the
 * Lambda free tier for one stack). If it fails anyway, the alarms fall back to SQS's own metrics.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BacklogMetricsRef } from "../job-worker/args";
import type { BacklogPublisherArgs } from "./args";
import { BACKLOG_PUBLISHER_DEFAULTS, validateBacklogPublisherArgs } from "./args";
import { PUBLISHER_HANDLER, publisherArchive } from "./code";
import { lambdaAssumeRolePolicy, publisherRolePolicy } from "./policies";

/** Environment variable names the function reads (`workers/backlog-publisher/publisher.ts`). */
const ENV = {
  queueNamePrefix: "JOBWORKER_BACKLOG_QUEUE_PREFIX",
  namespace: "JOBWORKER_BACKLOG_NAMESPACE",
  intervalSeconds: "JOBWORKER_BACKLOG_INTERVAL_SECONDS",
  windowSeconds: "JOBWORKER_BACKLOG_WINDOW_SECONDS",
  capacityCluster: "JOBWORKER_CAPACITY_CLUSTER",
  capacityNamespace: "JOBWORKER_CAPACITY_NAMESPACE",
} as const;

export class BacklogPublisher extends pulumi.ComponentResource {
  /** What JobWorkers pass on to their alarms (`JobWorkerArgs.backlogMetrics`). */
  readonly metrics: BacklogMetricsRef;
  readonly functionName: pulumi.Output<string>;
  readonly functionArn: pulumi.Output<string>;

  constructor(name: string, args: BacklogPublisherArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("jobworker:index:BacklogPublisher", name, {}, opts);
    const d = BACKLOG_PUBLISHER_DEFAULTS;
    const settled = {
      queueNamePrefix: args.queueNamePrefix ?? `jw-${pulumi.getStack()}-`,
      namespace: args.namespace ?? d.namespace,
      intervalSeconds: args.intervalSeconds ?? d.intervalSeconds,
      memoryMiB: args.memoryMiB ?? d.memoryMiB,
      logRetentionDays: args.logRetentionDays ?? d.logRetentionDays,
      capacity: args.capacity,
    };
    validateBacklogPublisherArgs(settled);
    const tags = { ...args.tags };
    const parent = { parent: this };

    const identity = aws.getCallerIdentityOutput({}, parent);
    const region = aws.getRegionOutput({}, parent);
    const partition = aws.getPartitionOutput({}, parent);
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays: settled.logRetentionDays, tags }, parent);
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: "jobworker backlog publisher: read worker queue attributes, put custom metrics",
        assumeRolePolicy: JSON.stringify(lambdaAssumeRolePolicy()),
        tags,
      },
      parent,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.id,
        policy: pulumi
          .all([identity.accountId, region.region, partition.partition, logGroup.arn, settled.capacity?.clusterName])
          .apply(([accountId, reg, part, logGroupArn, clusterName]) =>
            JSON.stringify(
              publisherRolePolicy({
                accountId,
                region: reg,
                partition: part,
                queueNamePrefix: settled.queueNamePrefix,
                namespace: settled.namespace,
                logGroupArn,
                ...(settled.capacity && clusterName ? { capacity: { clusterName, namespace: settled.capacity.namespace } } : {}),
              }),
            ),
          ),
      },
      parent,
    );
    // One invocation a minute publishes for 60 s; the timeout leaves room for the last pass.
    const fn = new aws.lambda.Function(
      `${name}-function`,
      {
        description: "jobworker: publishes every worker queue's backlog and tasks needed, and the cluster's capacity, every 10 s",
        runtime: "nodejs24.x",
        architectures: ["arm64"],
        handler: PUBLISHER_HANDLER,
        code: publisherArchive(args.workersDir),
        role: role.arn,
        memorySize: settled.memoryMiB,
        timeout: d.scheduleSeconds + 20,
        // Two, so a late invocation never makes the next one throttle.
        reservedConcurrentExecutions: 2,
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
        environment: {
          variables: {
            [ENV.queueNamePrefix]: settled.queueNamePrefix,
            [ENV.namespace]: settled.namespace,
            [ENV.intervalSeconds]: String(settled.intervalSeconds),
            [ENV.windowSeconds]: String(d.scheduleSeconds),
            ...(settled.capacity
              ? { [ENV.capacityCluster]: settled.capacity.clusterName, [ENV.capacityNamespace]: settled.capacity.namespace }
              : {}),
          },
        },
        tags,
      },
      { parent: this, dependsOn: [rolePolicy] },
    );
    const schedule = new aws.cloudwatch.EventRule(
      `${name}-schedule`,
      {
        description: "jobworker backlog publisher: once a minute",
        scheduleExpression: "rate(1 minute)",
        tags,
      },
      parent,
    );
    const permission = new aws.lambda.Permission(
      `${name}-invoke`,
      {
        action: "lambda:InvokeFunction",
        function: fn.name,
        principal: "events.amazonaws.com",
        sourceArn: schedule.arn,
      },
      parent,
    );
    new aws.cloudwatch.EventTarget(`${name}-target`, { rule: schedule.name, arn: fn.arn }, { parent: this, dependsOn: [permission] });
    new aws.cloudwatch.MetricAlarm(
      `${name}-errors`,
      {
        alarmDescription: "jobworker backlog publisher failing: scale-out falls back to SQS's one-minute metrics",
        namespace: "AWS/Lambda",
        metricName: "Errors",
        dimensions: { FunctionName: fn.name },
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [...(args.alarmActions ?? [])],
        okActions: [...(args.alarmActions ?? [])],
        actionsEnabled: true,
        tags,
      },
      parent,
    );

    this.metrics = { namespace: settled.namespace, queueNamePrefix: settled.queueNamePrefix, periodSeconds: settled.intervalSeconds };
    this.functionName = fn.name;
    this.functionArn = fn.arn;
    this.registerOutputs({
      functionName: this.functionName,
      functionArn: this.functionArn,
      namespace: settled.namespace,
      queueNamePrefix: settled.queueNamePrefix,
    });
  }
}
