/**
 * The drain-first fleet (issue 17), from the component's own specs and the controller's own code:
 * - scale-out: the shortfall alarm (`shortfallAlarmSpec`) on the capacity metrics the backlog
 *   publisher computes (`capacityMetrics`, here from the simulated cluster's state) drives the step
 *   policy `shortfallPolicyConfiguration`; the reservation target tracking stays, scale-out only
 *   (`disableScaleIn`);
 * - scale-in: once a minute the capacity controller's `decide()` (workers/capacity-controller)
 *   lowers the target by whole empty ACTIVE instances after the spare stayed above the threshold for
 *   the window, drains them, and terminates DRAINING instances that run no worker task; the fleet
 *   itself never terminates on a lower target (`NoTermination`).
 */
import {
  CAPACITY_DEFAULTS,
  shortfallAlarmSpec,
  shortfallPolicyConfiguration,
} from "../../components/spot-ecs-cluster/capacity-control-spec";
import {
  reservationPolicies,
  targetTrackingConfiguration,
  type ScalingSettings,
} from "../../components/spot-ecs-cluster/capacity-scaling-spec";
import { settleCapacityControl } from "../../components/spot-ecs-cluster/validation";
import { controllerSettings } from "../../components/spot-ecs-cluster/capacity-control-spec";
import { capacityMetrics } from "../../workers/capacity/placement";
import type { ClusterState } from "../../workers/capacity/cluster-state";
import { decide, type ControllerSettings, type FleetInstance } from "../../workers/capacity-controller/decide";
import { stepFor, StepPolicy } from "./alarms";
import type { Cluster, FleetPolicy, Instance } from "./model";
import { ReservationTrackingFleet, type FleetBounds } from "./policies";

/** The simulated cluster as ECS would describe it to the publisher. */
export function clusterState(c: Cluster): ClusterState {
  const instances = c.instances.filter((i) => i.state === "active" || i.state === "draining");
  return {
    instances: instances.map((i) => ({
      containerInstanceArn: arn(i),
      ec2InstanceId: `i-${i.id}`,
      status: i.state === "active" ? "ACTIVE" : "DRAINING",
      instanceType: i.type.instanceType,
      registered: { cpu: i.type.vcpu * 1024, memoryMiB: i.type.memoryMiB },
      remaining: { cpu: i.type.vcpu * 1024 - i.cpuReserved, memoryMiB: i.type.memoryMiB - i.memReserved },
    })),
    services: c.workers.map((w, index) => ({
      serviceName: w.name,
      schedulingStrategy: "REPLICA" as const,
      desiredCount: c.desired[index],
      runningCount: c.tasksOf(index).length,
      pendingCount: 0,
      perTask: { cpu: w.cpu, memoryMiB: w.memoryMiB },
    })),
    tasks: c.workers.flatMap((w, index) =>
      c
        .tasksOf(index)
        .filter((t) => t.state !== "stopping")
        .map((t) => ({
          taskArn: `task-${t.id}`,
          containerInstanceArn: arn(t.instance),
          group: `service:${w.name}`,
          lastStatus: t.state === "running" ? "RUNNING" : "PENDING",
          reserves: { cpu: w.cpu, memoryMiB: w.memoryMiB },
        })),
    ),
  };
}

function arn(i: Instance): string {
  return `arn:aws:ecs:sim:container-instance/${i.id}`;
}

export class ControllerFleet implements FleetPolicy {
  readonly terminatesOnTargetDrop = false;
  private readonly headroom: ReservationTrackingFleet;
  private readonly shortfall: StepPolicy;
  private readonly controller: ControllerSettings;
  private readonly period: number;
  /** Spare ACTIVE vCPUs: the minimum of each minute, oldest first. */
  private readonly spareByMinute: number[] = [];
  private minuteSpare = Infinity;
  private lastShortfall = 0;

  constructor(
    scaling: ScalingSettings,
    private readonly bounds: FleetBounds,
  ) {
    const capacity = settleCapacityControl({}, bounds.weight, bounds.maxCapacity);
    const disabled = reservationPolicies(scaling).every((p) => targetTrackingConfiguration(p, "sim").disableScaleIn === true);
    this.headroom = new ReservationTrackingFleet(scaling, bounds, !disabled);
    this.shortfall = new StepPolicy(
      "ChangeInCapacity",
      shortfallPolicyConfiguration(capacity).stepAdjustments,
      capacity.shortfallCooldownSeconds,
    );
    this.period = shortfallAlarmSpec("sim", capacity).metric!.period;
    this.controller = controllerSettings({
      weights: {},
      minCapacity: bounds.minCapacity,
      maxCapacity: bounds.maxCapacity,
      onDemandBaseCapacity: 0,
      capacity,
    });
  }

  step(c: Cluster): void {
    this.headroom.step(c);
    const metrics = capacityMetrics(clusterState(c));
    this.minuteSpare = Math.min(this.minuteSpare, metrics.spareActiveVcpus);
    if (c.now % this.period === 0) {
      // The alarm sees the publisher's previous datapoint (one period of lag).
      if (this.lastShortfall > 0 && stepFor(this.shortfall.steps, this.lastShortfall, 0)) {
        const next = this.shortfall.apply(c.now, c.target, this.lastShortfall, 0, this.bounds.minCapacity, this.bounds.maxCapacity);
        if (next !== undefined) c.target = next;
      }
      this.lastShortfall = metrics.shortfallVcpus;
    }
    if (c.now % CAPACITY_DEFAULTS.controllerScheduleSeconds !== 0) return;
    this.spareByMinute.push(this.minuteSpare);
    this.minuteSpare = Infinity;
    const live = c.instances.filter((i) => i.state !== "terminated");
    const fleetInstances: FleetInstance[] = live.map((i) => ({
      instanceId: `i-${i.id}`,
      ...(i.state === "launching" ? {} : { containerInstanceArn: arn(i) }),
      status: i.state === "active" ? "ACTIVE" : i.state === "draining" ? "DRAINING" : "UNREGISTERED",
      weight: i.type.weight,
      lifecycle: "spot",
      workerTasks: i.tasks.size,
      ...(i.state === "launching" ? {} : { spareVcpus: (i.type.vcpu * 1024 - i.cpuReserved) / 1024 }),
    }));
    const fulfilled = live.filter((i) => i.stopsAt === undefined).reduce((s, i) => s + i.type.weight, 0);
    const decision = decide({
      fleet: { targetCapacity: c.target, fulfilledCapacity: fulfilled, onDemandTargetCapacity: 0, onDemandFulfilledCapacity: 0 },
      instances: fleetInstances,
      spotShort: false,
      spareHistory: this.spareByMinute.slice(-this.controller.scaleInWindowMinutes),
      spareNow: metrics.spareActiveVcpus,
      shortfallVcpus: metrics.shortfallVcpus,
      settings: this.controller,
    });
    if (decision.targetCapacity !== undefined) c.target = decision.targetCapacity;
    for (const a of decision.drain) {
      const instance = live.find((i) => arn(i) === a);
      if (instance) c.drain(instance);
    }
    for (const id of decision.terminate) {
      const instance = live.find((i) => `i-${i.id}` === id);
      if (instance) c.terminate(instance, "scale-in");
    }
  }
}
