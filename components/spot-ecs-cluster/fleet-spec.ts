/**
 * The Spot Fleet request's launch overrides and settings, as plain data. One override per
 * (instance type, subnet): the fleet picks pools across every AZ given, and each instance counts
 * its weight (vCPUs) toward the target capacity.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { SubnetRef } from "./args";
import type { ResolvedInstanceType } from "./fleet-types";

export interface FleetOverride {
  readonly instanceType: string;
  readonly subnetId: pulumi.Input<string>;
  readonly weightedCapacity: number;
}

export function fleetOverrides(types: readonly ResolvedInstanceType[], subnets: readonly SubnetRef[]): FleetOverride[] {
  return types.flatMap((t) => subnets.map((s) => ({ instanceType: t.instanceType, subnetId: s.subnetId, weightedCapacity: t.weight })));
}

/** Fixed settings of the request and why. */
export const FLEET_SETTINGS = {
  /** Replace interrupted instances to keep the target capacity. */
  fleetType: "maintain",
  /** Spot interruptions terminate: nothing on an instance outlives it (the scratch disk is scratch). */
  instanceInterruptionBehaviour: "terminate",
  replaceUnhealthyInstances: true,
  terminateInstancesWithExpiration: true,
  /** Deleting (or replacing) the request terminates its instances, so no orphaned capacity is left billing. */
  terminateInstancesOnDelete: "true",
  /**
   * Lowering the target terminates nothing: the capacity controller drains an instance first and
   * terminates it once it runs no worker task (Terraform's and the provider's spelling; the EC2
   * API's is `noTermination`).
   */
  excessCapacityTerminationPolicy: "NoTermination",
  onDemandAllocationStrategy: "lowestPrice",
  /** `pulumi up` does not wait for Spot capacity. */
  waitForFulfillment: false,
} as const;
