/**
 * Capacity metrics from a cluster's state, pure: what cannot be placed (the shortfall) and what
 * ACTIVE instances have free (the spare). DRAINING instances take no new tasks, so neither counts them.
 *
 * Why the demand is "desired minus placed tasks" and not "PENDING tasks": with the EC2 launch type
 * and no capacity provider, ECS never creates a task it cannot place; the service only records the
 * event "unable to place a task because no container instance met all of its requirements" and
 * retries (ECS developer guide, "Amazon ECS service event messages"). A PENDING task is already
 * placed and holds its reservation. So a service's unplaced tasks are `desiredCount` minus its tasks
 * on an instance; a task without an instance (PROVISIONING, with capacity providers) counts too.
 */
import type { ClusterState, InstanceState, Resources, TaskState } from "./cluster-state";

/** CPU units in one vCPU. */
export const CPU_UNITS_PER_VCPU = 1024;
/** MiB per vCPU assumed when no ACTIVE instance tells the cluster's own ratio. */
export const DEFAULT_MIB_PER_VCPU = 4096;

export interface CapacityMetrics {
  /** Tasks that no ACTIVE instance can place now. */
  readonly unplaceableTasks: number;
  /** vCPUs the unplaceable tasks ask for, as vCPU-sized capacity (the larger of CPU and memory at the cluster's MiB per vCPU), rounded up. */
  readonly shortfallVcpus: number;
  readonly shortfallMemoryMiB: number;
  /** CPU left free on ACTIVE instances once every placeable task is placed, in vCPUs (two decimals). */
  readonly spareActiveVcpus: number;
  readonly spareActiveMemoryMiB: number;
  readonly activeInstances: number;
  readonly drainingInstances: number;
}

/** Groups (`service:<name>`) of the cluster's DAEMON services: their tasks are on every instance and are not work. */
export function daemonGroups(state: Pick<ClusterState, "services">): Set<string> {
  return new Set(state.services.filter((s) => s.schedulingStrategy === "DAEMON").map((s) => `service:${s.serviceName}`));
}

/** Worker tasks (every task but the daemons') per container instance ARN. */
export function workerTasksByInstance(state: ClusterState): Map<string, TaskState[]> {
  const daemons = daemonGroups(state);
  const out = new Map<string, TaskState[]>();
  for (const t of state.tasks) {
    if (!t.containerInstanceArn || daemons.has(t.group)) continue;
    out.set(t.containerInstanceArn, [...(out.get(t.containerInstanceArn) ?? []), t]);
  }
  return out;
}

/** The resources of every task that should run but is on no instance. */
export function unplacedDemand(state: ClusterState): Resources[] {
  const placedByGroup = new Map<string, number>();
  const demand: Resources[] = [];
  for (const t of state.tasks) {
    if (t.containerInstanceArn) placedByGroup.set(t.group, (placedByGroup.get(t.group) ?? 0) + 1);
    else if (!t.group.startsWith("service:")) demand.push(t.reserves);
  }
  for (const s of state.services) {
    if (s.schedulingStrategy !== "REPLICA") continue;
    const missing = Math.max(0, s.desiredCount - (placedByGroup.get(`service:${s.serviceName}`) ?? 0));
    for (let i = 0; i < missing; i++) demand.push(s.perTask);
  }
  return demand;
}

function fits(free: { cpu: number; memoryMiB: number }, need: Resources): boolean {
  return need.cpu <= free.cpu && need.memoryMiB <= free.memoryMiB;
}

/** MiB per vCPU of the ACTIVE instances together (their registered resources). */
export function mibPerVcpu(active: readonly InstanceState[]): number {
  const cpu = active.reduce((s, i) => s + i.registered.cpu, 0);
  const mem = active.reduce((s, i) => s + i.registered.memoryMiB, 0);
  return cpu > 0 && mem > 0 ? (mem / cpu) * CPU_UNITS_PER_VCPU : DEFAULT_MIB_PER_VCPU;
}

/**
 * Places the unplaced demand on ACTIVE instances, largest first, first fit (roughly what ECS's
 * binpack does); what does not fit is the shortfall, what stays free is the spare.
 */
export function capacityMetrics(state: ClusterState): CapacityMetrics {
  const active = state.instances.filter((i) => i.status === "ACTIVE");
  const free = active.map((i) => ({ cpu: i.remaining.cpu, memoryMiB: i.remaining.memoryMiB }));
  const demand = [...unplacedDemand(state)].sort((a, b) => b.cpu - a.cpu || b.memoryMiB - a.memoryMiB);
  let unplaceable = 0;
  let cpuShort = 0;
  let memShort = 0;
  for (const need of demand) {
    const slot = free.find((f) => fits(f, need));
    if (slot) {
      slot.cpu -= need.cpu;
      slot.memoryMiB -= need.memoryMiB;
    } else {
      unplaceable++;
      cpuShort += need.cpu;
      memShort += need.memoryMiB;
    }
  }
  const ratio = mibPerVcpu(active);
  const shortfallVcpus = unplaceable === 0 ? 0 : Math.max(1, Math.ceil(Math.max(cpuShort / CPU_UNITS_PER_VCPU, memShort / ratio)));
  return {
    unplaceableTasks: unplaceable,
    shortfallVcpus,
    shortfallMemoryMiB: memShort,
    spareActiveVcpus: Math.round((free.reduce((s, f) => s + f.cpu, 0) / CPU_UNITS_PER_VCPU) * 100) / 100,
    spareActiveMemoryMiB: free.reduce((s, f) => s + f.memoryMiB, 0),
    activeInstances: active.length,
    drainingInstances: state.instances.filter((i) => i.status === "DRAINING").length,
  };
}
