/**
 * The capacity controller: a Lambda function run once a minute (outside the fleet it resizes, so a
 * full or empty fleet cannot stop it) that terminates drained empty instances, scales in drain
 * first, and raises or drops the on-demand share (`workers/capacity-controller/`). One run at a time
 * (reserved concurrency 1): two runs could drain the same capacity twice. Plus the spot-short alarm
 * it reads, and an alarm on its own errors.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CONTROLLER_HANDLER, CONTROLLER_SOURCES, functionArchive } from "../backlog-publisher/code";
import { lambdaAssumeRolePolicy } from "../backlog-publisher/policies";
import { CAPACITY_DEFAULTS, controllerSettings, spotShortAlarmSpec } from "./capacity-control-spec";
import { createCapacityAlarm } from "./capacity-scaling";
import { capacityControllerPolicy } from "./policies";
import type { SettledClusterArgs } from "./validation";

/** Environment variable names the function reads (`workers/capacity-controller/controller.ts`). */
export const CONTROLLER_ENV = {
  clusterName: "JOBWORKER_CAPACITY_CLUSTER",
  fleetRequestId: "JOBWORKER_CAPACITY_FLEET_REQUEST_ID",
  spotShortAlarmName: "JOBWORKER_CAPACITY_SPOT_SHORT_ALARM",
  capacityNamespace: "JOBWORKER_CAPACITY_NAMESPACE",
  settings: "JOBWORKER_CAPACITY_SETTINGS",
} as const;

export interface CapacityControllerInputs {
  readonly settled: SettledClusterArgs;
  readonly clusterName: pulumi.Output<string>;
  readonly fleetRequestId: pulumi.Output<string>;
  /** Value of the `jobworker:cluster` tag on the fleet's instances. */
  readonly clusterTag: string;
  readonly tags: Readonly<Record<string, string>>;
}

export function createCapacityController(name: string, i: CapacityControllerInputs, parent: pulumi.Resource) {
  const opts = { parent };
  const s = i.settled;
  const tags = { ...i.tags };
  const spotShort = createCapacityAlarm(name, spotShortAlarmSpec(i.fleetRequestId, s.capacity), [...s.alarmActions], tags, parent);

  const identity = aws.getCallerIdentityOutput({}, opts);
  const region = aws.getRegionOutput({}, opts);
  const partition = aws.getPartitionOutput({}, opts);
  const logGroup = new aws.cloudwatch.LogGroup(`${name}-controller-logs`, { retentionInDays: 14, tags }, opts);
  const role = new aws.iam.Role(
    `${name}-controller`,
    {
      description: "jobworker capacity controller: drain-first scale-in, on-demand fallback",
      assumeRolePolicy: JSON.stringify(lambdaAssumeRolePolicy()),
      tags,
    },
    opts,
  );
  const rolePolicy = new aws.iam.RolePolicy(
    `${name}-controller`,
    {
      role: role.id,
      policy: pulumi
        .all([identity.accountId, region.region, partition.partition, i.clusterName, i.fleetRequestId, spotShort.name, logGroup.arn])
        .apply(([accountId, reg, part, clusterName, fleetRequestId, alarmName, logGroupArn]) =>
          JSON.stringify(
            capacityControllerPolicy({
              accountId,
              region: reg,
              partition: part,
              clusterName,
              clusterTag: i.clusterTag,
              fleetRequestId,
              spotShortAlarmName: alarmName,
              logGroupArn,
            }),
          ),
        ),
    },
    opts,
  );
  const weights = Object.fromEntries(s.instanceTypes.map((t) => [t.instanceType, t.weight]));
  const fn = new aws.lambda.Function(
    `${name}-controller`,
    {
      description: "jobworker: drains and terminates empty instances, resizes the Spot Fleet, on-demand fallback",
      runtime: "nodejs24.x",
      architectures: ["arm64"],
      handler: CONTROLLER_HANDLER,
      code: functionArchive(CONTROLLER_SOURCES),
      role: role.arn,
      memorySize: 128,
      timeout: CAPACITY_DEFAULTS.controllerScheduleSeconds - 10,
      reservedConcurrentExecutions: 1,
      loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
      environment: {
        variables: {
          [CONTROLLER_ENV.clusterName]: i.clusterName,
          [CONTROLLER_ENV.fleetRequestId]: i.fleetRequestId,
          [CONTROLLER_ENV.spotShortAlarmName]: spotShort.name,
          [CONTROLLER_ENV.capacityNamespace]: s.capacity.metricsNamespace,
          [CONTROLLER_ENV.settings]: JSON.stringify(
            controllerSettings({
              weights,
              minCapacity: s.minCapacity,
              maxCapacity: s.maxCapacity,
              onDemandBaseCapacity: s.onDemandBaseCapacity,
              capacity: s.capacity,
            }),
          ),
        },
      },
      tags,
    },
    { parent, dependsOn: [rolePolicy] },
  );
  const schedule = new aws.cloudwatch.EventRule(
    `${name}-controller`,
    { description: "jobworker capacity controller: once a minute", scheduleExpression: "rate(1 minute)", tags },
    opts,
  );
  const permission = new aws.lambda.Permission(
    `${name}-controller`,
    { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: schedule.arn },
    opts,
  );
  new aws.cloudwatch.EventTarget(`${name}-controller`, { rule: schedule.name, arn: fn.arn }, { parent, dependsOn: [permission] });
  new aws.cloudwatch.MetricAlarm(
    `${name}-controller-errors`,
    {
      alarmDescription: "jobworker capacity controller failing: drained instances are not terminated and the fleet does not scale in",
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: fn.name },
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
      alarmActions: [...s.alarmActions],
      okActions: [...s.alarmActions],
      actionsEnabled: true,
      tags,
    },
    opts,
  );
  return { function: fn, spotShortAlarm: spotShort };
}
