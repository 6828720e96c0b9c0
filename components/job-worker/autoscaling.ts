/**
 * Scaling from zero: the service's scalable target (0..maxTasks), the step policies, and the alarms
 * of `alarmSpecs` (pure data, `scaling.ts`) wired to them or to the notification actions.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { JobWorkerArgs, SettledArgs } from "./args";
import type { WorkerQueues } from "./queues";
import type { AlarmSpec } from "./scaling";
import { alarmMetricArgs } from "../alarm-metric";
import { alarmSpecs, SCALE_IN_STEPS, scaleOutSteps, tasksNeededSteps } from "./scaling";

export function createAutoscaling(
  name: string,
  a: SettledArgs,
  inputs: {
    parent: pulumi.Resource;
    tags: Record<string, string>;
    service: aws.ecs.Service;
    queues: WorkerQueues;
    cluster: JobWorkerArgs["cluster"];
    backlogMetrics: JobWorkerArgs["backlogMetrics"];
  },
): void {
  const opts = { parent: inputs.parent };
  const target = new aws.appautoscaling.Target(
    `${name}-scaling-target`,
    {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: pulumi.interpolate`service/${inputs.cluster.clusterName}/${inputs.service.name}`,
      minCapacity: 0,
      maxCapacity: a.maxTasks,
    },
    opts,
  );
  const policyBase = {
    serviceNamespace: target.serviceNamespace,
    scalableDimension: target.scalableDimension,
    resourceId: target.resourceId,
    policyType: "StepScaling",
  };
  const scaleOut = new aws.appautoscaling.Policy(
    `${name}-scale-out`,
    {
      ...policyBase,
      stepScalingPolicyConfiguration: {
        adjustmentType: "ChangeInCapacity",
        cooldown: 60,
        metricAggregationType: "Maximum",
        stepAdjustments: scaleOutSteps(a.backlogPerTask, a.maxTasks),
      },
    },
    opts,
  );
  const scaleIn = new aws.appautoscaling.Policy(
    `${name}-scale-in`,
    {
      ...policyBase,
      stepScalingPolicyConfiguration: {
        adjustmentType: "ExactCapacity",
        cooldown: 60,
        metricAggregationType: "Maximum",
        stepAdjustments: SCALE_IN_STEPS,
      },
    },
    opts,
  );
  // Created only with the publisher (whose TasksNeeded metric drives it) and room to scale in.
  const scaleToNeeded =
    inputs.backlogMetrics && a.maxTasks >= 2
      ? new aws.appautoscaling.Policy(
          `${name}-scale-to-needed`,
          {
            ...policyBase,
            stepScalingPolicyConfiguration: {
              adjustmentType: "ExactCapacity",
              cooldown: 60,
              metricAggregationType: "Maximum",
              stepAdjustments: tasksNeededSteps(a.maxTasks),
            },
          },
          opts,
        )
      : undefined;
  const specs = alarmSpecs<pulumi.Output<string>>({
    worker: name,
    queueName: inputs.queues.queue.name,
    deadLetterQueueName: inputs.queues.deadLetterQueue.name,
    scaleInIdleSeconds: a.scaleInIdleSeconds,
    oldestMessageAlarmSeconds: a.oldestMessageAlarmSeconds,
    maxTasks: a.maxTasks,
    backlogMetrics: inputs.backlogMetrics,
  });
  const actions = {
    "scale-out": [scaleOut.arn],
    "scale-to-needed": scaleToNeeded ? [scaleToNeeded.arn] : [],
    "scale-in": [scaleIn.arn],
    notify: [...a.alarmActions],
  };
  for (const spec of specs) createAlarm(name, spec, actions, inputs.tags, inputs.parent);
}

function createAlarm(
  name: string,
  spec: AlarmSpec<pulumi.Output<string>>,
  actions: Record<AlarmSpec["action"], pulumi.Input<string>[]>,
  tags: Record<string, string>,
  parent: pulumi.Resource,
): aws.cloudwatch.MetricAlarm {
  const notify = spec.action === "notify";
  return new aws.cloudwatch.MetricAlarm(
    `${name}-${spec.key}`,
    {
      alarmDescription: spec.description,
      comparisonOperator: spec.comparisonOperator,
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      treatMissingData: spec.treatMissingData,
      ...alarmMetricArgs(spec),
      alarmActions: actions[spec.action],
      okActions: notify ? actions.notify : [],
      actionsEnabled: true,
      tags,
    },
    { parent },
  );
}
