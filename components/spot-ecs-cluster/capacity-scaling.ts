/**
 * Application Auto Scaling of the fleet's target capacity, scale-out only: target tracking on the
 * cluster's CPU and memory reservation (headroom), and step scaling on the capacity shortfall the
 * backlog publisher measures. Scale-in is the capacity controller's (capacity-controller.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alarmMetricArgs } from "../alarm-metric";
import { type CapacityAlarmSpec, shortfallAlarmSpec, shortfallPolicyConfiguration } from "./capacity-control-spec";
import { FLEET_SCALABLE_DIMENSION, reservationPolicies, targetTrackingConfiguration } from "./capacity-scaling-spec";
import type { SettledClusterArgs } from "./validation";

export function createCapacityScaling(
  name: string,
  fleetRequestId: pulumi.Input<string>,
  clusterName: pulumi.Output<string>,
  settled: SettledClusterArgs,
  parent: pulumi.Resource,
): { target: aws.appautoscaling.Target; policies: aws.appautoscaling.Policy[] } {
  // No roleArn: Application Auto Scaling uses its service-linked role for Spot Fleet.
  const target = new aws.appautoscaling.Target(
    `${name}-capacity`,
    {
      serviceNamespace: "ec2",
      scalableDimension: FLEET_SCALABLE_DIMENSION,
      resourceId: pulumi.interpolate`spot-fleet-request/${fleetRequestId}`,
      minCapacity: settled.minCapacity,
      maxCapacity: settled.maxCapacity,
    },
    { parent },
  );
  const base = { serviceNamespace: target.serviceNamespace, scalableDimension: target.scalableDimension, resourceId: target.resourceId };
  const policies = reservationPolicies(settled.scaling).map(
    (spec) =>
      new aws.appautoscaling.Policy(
        `${name}-${spec.suffix}`,
        {
          ...base,
          policyType: "TargetTrackingScaling",
          targetTrackingScalingPolicyConfiguration: clusterName.apply((c) => targetTrackingConfiguration(spec, c)),
        },
        { parent },
      ),
  );
  const shortfall = new aws.appautoscaling.Policy(
    `${name}-shortfall`,
    { ...base, policyType: "StepScaling", stepScalingPolicyConfiguration: shortfallPolicyConfiguration(settled.capacity) },
    { parent },
  );
  createCapacityAlarm(name, shortfallAlarmSpec(clusterName, settled.capacity), [shortfall.arn], settled.tags, parent);
  return { target, policies: [...policies, shortfall] };
}

/** One alarm of `capacity-control-spec.ts`, with its actions. */
export function createCapacityAlarm(
  name: string,
  spec: CapacityAlarmSpec<pulumi.Output<string>>,
  actions: pulumi.Input<string>[],
  tags: Readonly<Record<string, string>>,
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
      alarmActions: actions,
      okActions: notify ? actions : [],
      actionsEnabled: true,
      tags: { ...tags },
    },
    { parent },
  );
}
