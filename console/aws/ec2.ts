/** EC2 reads: the Spot Fleets behind the cluster's instances, and those instances' state and type. */
import {
  DescribeInstancesCommand,
  DescribeSpotFleetInstancesCommand,
  DescribeSpotFleetRequestsCommand,
  EC2Client,
  SpotFleetRequestConfig,
} from "@aws-sdk/client-ec2";
import { chunk, paginate } from "./batch";

/** DescribeInstances' `instance-id` filter takes at most 200 values. */
export const DESCRIBE_INSTANCES_BATCH = 200;

export interface Ec2InstanceState {
  readonly instanceId: string;
  readonly state: string;
  readonly instanceType?: string;
}

export async function describeInstanceStates(ec2: EC2Client, instanceIds: readonly string[]): Promise<Map<string, Ec2InstanceState>> {
  const states = new Map<string, Ec2InstanceState>();
  for (const ids of chunk([...new Set(instanceIds)], DESCRIBE_INSTANCES_BATCH)) {
    const reservations = await paginate("ec2:DescribeInstances", async (NextToken) => {
      const out = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "instance-id", Values: ids }], NextToken }));
      return { items: out.Reservations, next: out.NextToken };
    });
    for (const instance of reservations.flatMap((r) => r.Instances ?? [])) {
      if (!instance.InstanceId) continue;
      states.set(instance.InstanceId, {
        instanceId: instance.InstanceId,
        state: instance.State?.Name ?? "unknown",
        ...(instance.InstanceType ? { instanceType: instance.InstanceType } : {}),
      });
    }
  }
  return states;
}

/** Active Spot Fleet requests with the ids of their instances. */
export async function describeSpotFleets(
  ec2: EC2Client,
  fleetIds: readonly string[] = [],
): Promise<{ config: SpotFleetRequestConfig; instanceIds: string[] }[]> {
  const configs = await paginate("ec2:DescribeSpotFleetRequests", async (NextToken) => {
    const out = await ec2.send(
      new DescribeSpotFleetRequestsCommand({ NextToken, ...(fleetIds.length ? { SpotFleetRequestIds: [...fleetIds] } : {}) }),
    );
    return { items: out.SpotFleetRequestConfigs, next: out.NextToken };
  });
  const live = configs.filter((c) => fleetIds.length > 0 || !/cancelled|failed/.test(c.SpotFleetRequestState ?? ""));
  const out: { config: SpotFleetRequestConfig; instanceIds: string[] }[] = [];
  for (const config of live) {
    const SpotFleetRequestId = config.SpotFleetRequestId as string;
    const instances = await paginate("ec2:DescribeSpotFleetInstances", async (NextToken) => {
      const res = await ec2.send(new DescribeSpotFleetInstancesCommand({ SpotFleetRequestId, NextToken }));
      return { items: res.ActiveInstances, next: res.NextToken };
    });
    out.push({ config, instanceIds: instances.flatMap((i) => (i.InstanceId ? [i.InstanceId] : [])) });
  }
  return out;
}
