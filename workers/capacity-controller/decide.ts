/**
 * The capacity controller's decisions, pure: from the fleet, its instances and the recent spare
 * capacity, what to terminate, what to drain and which target capacities to set. The shell
 * (`controller.ts`) reads the state and carries the decision out, in this order: lower or raise the
 * targets (with `noTermination`, so EC2 terminates nothing itself), drain, terminate.
 *
 * The rules, one per concern:
 * 1. Terminate: a fleet instance that is DRAINING (drained by this controller, by the Spot
 *    interruption/rebalance watcher, or by an operator) and runs no worker task is terminated. The
 *    target is not touched here: for a scale-in it was lowered when the drain began, so the fleet
 *    does not replace the instance; for a rebalance the replacement is already running; for an
 *    operator's roll the fleet launches a fresh instance. Daemon tasks do not count as work.
 * 2. On-demand fallback: while Spot cannot fill its part for the configured time (the spot-short
 *    alarm is in ALARM), the on-demand target is the base plus the Spot deficit, and the total
 *    target grows by the same amount, so the Spot part keeps asking for its capacity; when the
 *    alarm is OK again, the on-demand target returns to the base and the total drops back. The
 *    instances left over are then excess (rule 4). The total never goes above the maximum: there
 *    the on-demand share replaces Spot instead of adding to it.
 * 3. Scale-in: when the spare vCPUs on ACTIVE instances stayed above the threshold for the whole
 *    window, and nothing is waiting for capacity, the target is lowered by the weight of whole empty
 *    ACTIVE instances (at most the spare above the threshold, never below the minimum) and those
 *    instances are drained.
 * 4. Excess: capacity the fleet holds above its target (fulfilled − target − what is already
 *    draining) is drained, whole empty instances at a time; on-demand instances go first.
 * Only instances without a worker task are ever drained, so a drain never stops a job.
 */

export interface FleetState {
  readonly targetCapacity: number;
  readonly fulfilledCapacity: number;
  readonly onDemandTargetCapacity: number;
  readonly onDemandFulfilledCapacity: number;
}

export interface FleetInstance {
  readonly instanceId: string;
  /** Unset while the instance has not registered with the cluster. */
  readonly containerInstanceArn?: string;
  /** ECS status of its container instance (ACTIVE, DRAINING, …); "UNREGISTERED" without one. */
  readonly status: string;
  /** Capacity units (vCPUs) it counts for in the fleet. */
  readonly weight: number;
  readonly lifecycle: "spot" | "on-demand";
  /** Tasks on it that are not daemons', whatever their status. */
  readonly workerTasks: number;
  /**
   * Unreserved vCPUs on it (ECS's remaining CPU): what draining it takes from the spare. Less than its
   * weight by what the daemons reserve (the log collector's 0.125 vCPU). @default its weight
   */
  readonly spareVcpus?: number;
}

export interface ControllerSettings {
  /** The fleet's lowest target capacity, vCPUs (the scalable target's minimum). */
  readonly minCapacity: number;
  /** The fleet's highest target capacity, vCPUs (the scalable target's maximum): the fallback stays under it too. */
  readonly maxCapacity: number;
  /** The configured on-demand base, vCPUs. */
  readonly onDemandBaseCapacity: number;
  /** The on-demand target never goes above this, vCPUs. */
  readonly maxOnDemandCapacity: number;
  /** Spare ACTIVE vCPUs kept as headroom: scale-in removes only what is above it. */
  readonly spareThresholdVcpus: number;
  /** Minutes the spare must stay above the threshold. */
  readonly scaleInWindowMinutes: number;
  /** Instances drained by one run at most. */
  readonly maxDrainsPerRun: number;
}

export interface ControllerInput {
  readonly fleet: FleetState;
  readonly instances: readonly FleetInstance[];
  /** The spot-short alarm is in ALARM. */
  readonly spotShort: boolean;
  /** Minimum spare ACTIVE vCPUs of each of the last minutes, oldest first (missing minutes left out). */
  readonly spareHistory: readonly number[];
  /** Spare ACTIVE vCPUs and shortfall now. */
  readonly spareNow: number;
  readonly shortfallVcpus: number;
  readonly settings: ControllerSettings;
}

export interface ControllerDecision {
  /** New total target, when it changes. */
  readonly targetCapacity?: number;
  /** New on-demand target, when it changes. */
  readonly onDemandTargetCapacity?: number;
  /** Container instances to set DRAINING. */
  readonly drain: readonly string[];
  /** EC2 instances to terminate. */
  readonly terminate: readonly string[];
  /** One line per decision, for the log. */
  readonly reasons: readonly string[];
}

/** Rule 2: the on-demand target and the total it implies. */
export function fallbackTargets(fleet: FleetState, spotShort: boolean, s: ControllerSettings): { target: number; onDemand: number } {
  const spotTarget = Math.max(0, fleet.targetCapacity - fleet.onDemandTargetCapacity);
  const spotFulfilled = Math.max(0, fleet.fulfilledCapacity - fleet.onDemandFulfilledCapacity);
  const deficit = Math.max(0, spotTarget - spotFulfilled);
  const onDemand = spotShort ? Math.min(s.maxOnDemandCapacity, s.onDemandBaseCapacity + Math.ceil(deficit)) : s.onDemandBaseCapacity;
  // At the maximum the on-demand share replaces Spot instead of adding to it.
  return { target: Math.min(Math.max(s.maxCapacity, fleet.targetCapacity), spotTarget + onDemand), onDemand };
}

/** Instances that may be drained: ACTIVE, registered, no worker task. On-demand first, then heavier first, then by id. */
export function drainCandidates(instances: readonly FleetInstance[], onDemandFirst: boolean): FleetInstance[] {
  return instances
    .filter((i) => i.status === "ACTIVE" && i.containerInstanceArn && i.workerTasks === 0)
    .sort(
      (a, b) =>
        (onDemandFirst ? Number(b.lifecycle === "on-demand") - Number(a.lifecycle === "on-demand") : 0) ||
        b.weight - a.weight ||
        a.instanceId.localeCompare(b.instanceId),
    );
}

export function decide(input: ControllerInput): ControllerDecision {
  const { fleet, instances, settings: s } = input;
  const reasons: string[] = [];

  // 1. Terminate drained, empty instances.
  const terminate = instances.filter((i) => i.status === "DRAINING" && i.workerTasks === 0).map((i) => i.instanceId);
  if (terminate.length > 0) reasons.push(`terminate ${terminate.join(", ")}: DRAINING and no worker task left`);

  // 2. On-demand fallback.
  const fallback = fallbackTargets(fleet, input.spotShort, s);
  let target = fallback.target;
  const onDemand = fallback.onDemand;
  if (onDemand !== fleet.onDemandTargetCapacity) {
    reasons.push(
      input.spotShort
        ? `on-demand target ${fleet.onDemandTargetCapacity} → ${onDemand}: Spot cannot fill its part`
        : `on-demand target ${fleet.onDemandTargetCapacity} → ${onDemand}: Spot fills its part again`,
    );
  }

  // 3. Scale-in on lasting spare capacity.
  const drain: FleetInstance[] = [];
  const drainingWeight = instances.filter((i) => i.status === "DRAINING").reduce((sum, i) => sum + i.weight, 0);
  const lasting = input.spareHistory.length >= s.scaleInWindowMinutes && Math.min(...input.spareHistory) > s.spareThresholdVcpus;
  const onDemandExcess = fleet.onDemandFulfilledCapacity > onDemand;
  const candidates = drainCandidates(instances, onDemandExcess);
  if (input.shortfallVcpus === 0 && lasting) {
    let budget = Math.min(Math.min(...input.spareHistory), input.spareNow) - s.spareThresholdVcpus;
    const floor = Math.max(s.minCapacity, onDemand);
    for (const c of candidates) {
      if (drain.length >= s.maxDrainsPerRun) break;
      // Draining it takes its unreserved vCPUs from the spare (its weight less the daemons' share).
      const spare = c.spareVcpus ?? c.weight;
      if (spare > budget || target - c.weight < floor) continue;
      drain.push(c);
      budget -= spare;
      target -= c.weight;
    }
    if (drain.length > 0) reasons.push(`scale in by ${fallback.target - target} vCPUs: spare stayed above ${s.spareThresholdVcpus} vCPUs`);
  }

  // 4. Excess capacity above the (new) target.
  let excess = fleet.fulfilledCapacity - target - drainingWeight - drain.reduce((sum, i) => sum + i.weight, 0);
  if (input.shortfallVcpus === 0) {
    for (const c of candidates) {
      if (drain.length >= s.maxDrainsPerRun || excess <= 0) break;
      if (drain.includes(c) || c.weight > excess) continue;
      drain.push(c);
      excess -= c.weight;
      reasons.push(`drain ${c.instanceId}: the fleet holds more than its target`);
    }
  }

  return {
    ...(target !== fleet.targetCapacity ? { targetCapacity: target } : {}),
    ...(onDemand !== fleet.onDemandTargetCapacity ? { onDemandTargetCapacity: onDemand } : {}),
    drain: drain.map((i) => i.containerInstanceArn!),
    terminate,
    reasons,
  };
}
