/**
 * The cluster panel, pure: container instances joined with their EC2 state, the Spot Fleets behind
 * them, instance types in use and stale registrations.
 */
import type { ContainerInstance } from "@aws-sdk/client-ecs";
import type { SpotFleetRequestConfig } from "@aws-sdk/client-ec2";
import type { Ec2InstanceState } from "./aws/ec2";
import { arnId } from "./model";
import { ClusterPanel, ContainerInstanceInfo, SpotFleetInfo } from "./types";

function resource(ci: ContainerInstance): string | undefined {
  return ci.attributes?.find((a) => a.name === "ecs.instance-type")?.value;
}

/**
 * Why a registration is stale: its ECS agent is disconnected, or its EC2 instance is no longer
 * running (a reclaimed Spot instance whose container instance ECS has not yet removed).
 */
export function staleReason(
  agentConnected: boolean,
  ec2InstanceId: string | undefined,
  ec2: Ec2InstanceState | undefined,
): string | undefined {
  if (ec2InstanceId && !ec2) return `EC2 instance ${ec2InstanceId} not found`;
  if (ec2 && ec2.state !== "running" && ec2.state !== "pending") return `EC2 instance ${ec2.instanceId} is ${ec2.state}`;
  if (!agentConnected) return "ECS agent disconnected";
  return undefined;
}

export function containerInstanceInfo(ci: ContainerInstance, ec2States: ReadonlyMap<string, Ec2InstanceState>): ContainerInstanceInfo {
  const ec2 = ci.ec2InstanceId ? ec2States.get(ci.ec2InstanceId) : undefined;
  const instanceType = resource(ci) ?? ec2?.instanceType;
  const agentConnected = ci.agentConnected ?? false;
  const stale = staleReason(agentConnected, ci.ec2InstanceId, ec2);
  return {
    arn: ci.containerInstanceArn ?? "",
    id: arnId(ci.containerInstanceArn),
    ...(ci.ec2InstanceId ? { ec2InstanceId: ci.ec2InstanceId } : {}),
    status: ci.status ?? "UNKNOWN",
    agentConnected,
    runningTasks: ci.runningTasksCount ?? 0,
    pendingTasks: ci.pendingTasksCount ?? 0,
    ...(instanceType ? { instanceType } : {}),
    ...(ec2 ? { ec2State: ec2.state } : {}),
    ...(stale ? { stale } : {}),
  };
}

export function spotFleetInfo(config: SpotFleetRequestConfig): SpotFleetInfo {
  const c = config.SpotFleetRequestConfig;
  const onDemandTarget = c?.OnDemandTargetCapacity ?? 0;
  return {
    id: config.SpotFleetRequestId ?? "",
    state: config.SpotFleetRequestState ?? "unknown",
    targetVcpus: c?.TargetCapacity ?? 0,
    fulfilledVcpus: c?.FulfilledCapacity ?? 0,
    // An on-demand share above the configured base means the capacity controller's Spot fallback is on.
    ...(onDemandTarget > 0 ? { onDemandTargetVcpus: onDemandTarget, onDemandFulfilledVcpus: c?.OnDemandFulfilledCapacity ?? 0 } : {}),
  };
}

export interface ClusterInput {
  readonly cluster: string;
  readonly containerInstances: readonly ContainerInstance[];
  readonly ec2States: ReadonlyMap<string, Ec2InstanceState>;
  /** Fleets with their instance ids. */
  readonly fleets: readonly { config: SpotFleetRequestConfig; instanceIds: readonly string[] }[];
  /** Fleets named by the operator are shown even when none of their instances joined the cluster. */
  readonly namedFleetIds?: readonly string[];
}

function resourceValue(resources: ContainerInstance["registeredResources"], name: "CPU" | "MEMORY"): number {
  return resources?.find((r) => r.name === name)?.integerValue ?? 0;
}

/**
 * CPU units and MiB the cluster can place tasks on: registered by the ACTIVE, healthy instances, and
 * reserved by their tasks (registered − remaining). Draining and stale instances take no new tasks.
 */
export function clusterCapacity(
  containerInstances: readonly ContainerInstance[],
  usable: (ci: ContainerInstance) => boolean,
): ClusterPanel["capacity"] {
  const total = { cpu: { registered: 0, reserved: 0 }, memory: { registered: 0, reserved: 0 } };
  for (const ci of containerInstances.filter(usable)) {
    for (const [key, name] of [
      ["cpu", "CPU"],
      ["memory", "MEMORY"],
    ] as const) {
      const registered = resourceValue(ci.registeredResources, name);
      total[key].registered += registered;
      total[key].reserved += registered - resourceValue(ci.remainingResources, name);
    }
  }
  return total;
}

export function buildClusterPanel(input: ClusterInput): ClusterPanel {
  const instances = input.containerInstances.map((ci) => containerInstanceInfo(ci, input.ec2States));
  const clusterEc2 = new Set(instances.flatMap((i) => (i.ec2InstanceId ? [i.ec2InstanceId] : [])));
  const named = new Set(input.namedFleetIds ?? []);
  const fleets = input.fleets
    .filter((f) => named.has(f.config.SpotFleetRequestId ?? "") || f.instanceIds.some((id) => clusterEc2.has(id)))
    .map((f) => spotFleetInfo(f.config));
  const instanceTypes: Record<string, number> = {};
  for (const i of instances) {
    if (i.stale || !i.instanceType) continue;
    instanceTypes[i.instanceType] = (instanceTypes[i.instanceType] ?? 0) + 1;
  }
  return {
    cluster: input.cluster,
    instances,
    active: instances.filter((i) => i.status === "ACTIVE").length,
    draining: instances.filter((i) => i.status === "DRAINING").length,
    fleets,
    instanceTypes,
    stale: instances.filter((i) => i.stale !== undefined),
    capacity: clusterCapacity(input.containerInstances, (ci) => {
      const info = instances.find((i) => i.arn === (ci.containerInstanceArn ?? ""));
      return info !== undefined && info.status === "ACTIVE" && info.stale === undefined;
    }),
  };
}
