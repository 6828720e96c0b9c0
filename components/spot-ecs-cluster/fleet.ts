/**
 * The Spot Fleet request: `maintain`, diversified by default, no max price (the on-demand price
 * caps the bid), weights = vCPUs, the launch template by id and `$Latest`. Its inputs depend on the
 * instance types, subnets and capacity only: the cloud-config and the AMI are not among them.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FLEET_SETTINGS, fleetOverrides } from "./fleet-spec";
import type { SettledClusterArgs } from "./validation";

export interface FleetArgs {
  readonly settled: SettledClusterArgs;
  readonly launchTemplateId: pulumi.Input<string>;
  readonly fleetRoleArn: pulumi.Input<string>;
  /** Resources the first launch must wait for (role attachments). */
  readonly dependsOn: pulumi.Resource[];
}

export function createFleet(name: string, args: FleetArgs, parent: pulumi.Resource): aws.ec2.SpotFleetRequest {
  const s = args.settled;
  return new aws.ec2.SpotFleetRequest(
    `${name}-fleet`,
    {
      ...FLEET_SETTINGS,
      iamFleetRole: args.fleetRoleArn,
      allocationStrategy: s.allocationStrategy,
      targetCapacity: s.targetCapacity,
      onDemandTargetCapacity: s.onDemandBaseCapacity,
      // No spotPrice: the maximum is the on-demand price, so instances are interrupted for
      // capacity, never outbid by a price we guessed.
      // `launch` is the only strategy the provider takes (no `terminationDelay` field in
      // SpotFleetRequestSpotMaintenanceStrategiesCapacityRebalance): the watcher drains the at-risk
      // instance and the capacity controller terminates it once it runs no worker task.
      spotMaintenanceStrategies: s.capacityRebalance ? { capacityRebalance: { replacementStrategy: "launch" } } : undefined,
      launchTemplateConfigs: [
        {
          launchTemplateSpecification: { id: args.launchTemplateId, version: "$Latest" },
          overrides: fleetOverrides(s.instanceTypes, s.subnets),
        },
      ],
      tags: { ...s.tags, Name: name },
    },
    {
      parent,
      dependsOn: args.dependsOn,
      // Application Auto Scaling and the capacity controller own the targets after creation.
      ignoreChanges: ["targetCapacity", "onDemandTargetCapacity"],
      // A change of instance types or subnets replaces the request: start the new fleet first.
      deleteBeforeReplace: false,
    },
  );
}
