/** Application Auto Scaling of the fleet's target capacity on the cluster's CPU and memory reservation. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FLEET_SCALABLE_DIMENSION, reservationPolicies, targetTrackingConfiguration } from "./capacity-scaling-spec";
import type { SettledClusterArgs } from "./validation";

export function createCapacityScaling(
  name: string,
  fleetRequestId: pulumi.Input<string>,
  clusterName: pulumi.Input<string>,
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
  const policies = reservationPolicies(settled.scaling).map(
    (spec) =>
      new aws.appautoscaling.Policy(
        `${name}-${spec.suffix}`,
        {
          policyType: "TargetTrackingScaling",
          serviceNamespace: target.serviceNamespace,
          scalableDimension: target.scalableDimension,
          resourceId: target.resourceId,
          targetTrackingScalingPolicyConfiguration: pulumi.output(clusterName).apply((c) => targetTrackingConfiguration(spec, c)),
        },
        { parent },
      ),
  );
  return { target, policies };
}
