/** The policies the scaling benchmark compares, built from the components' specs. */
import type { ScalingSettings } from "../../components/spot-ecs-cluster/capacity-scaling-spec";
import type { FleetPolicy, ReleaseMode, ServicePolicy, WorkerModel } from "./model";
import { BacklogAlarmServices, FixedFleet, ReservationTrackingFleet, type BacklogPublisherSettings, type FleetBounds } from "./policies";
import { DrainFirstFleet, TasksNeededServices } from "./drain-first";

export interface PolicyChoice {
  readonly name: string;
  readonly initialTarget: number;
  readonly release: ReleaseMode;
  readonly maxHandoffs: number;
  /** Whether the targets apply to it. */
  readonly target: boolean;
  make(): { service: ServicePolicy; fleet: FleetPolicy };
}

export interface PolicyInputs {
  readonly workers: readonly WorkerModel[];
  readonly fixedTarget: number;
  readonly scaling: ScalingSettings;
  readonly bounds: FleetBounds;
  readonly publisher: BacklogPublisherSettings;
  readonly scaleInIdleSeconds: number;
}

export function capacityPolicies(i: PolicyInputs): PolicyChoice[] {
  return [
    {
      name: "fixed",
      initialTarget: i.fixedTarget,
      release: "release",
      maxHandoffs: 0,
      target: false,
      make: () => ({ service: new BacklogAlarmServices(i.workers, i.publisher, i.scaleInIdleSeconds), fleet: new FixedFleet() }),
    },
    {
      name: "reservation",
      initialTarget: i.bounds.minCapacity,
      release: "release",
      maxHandoffs: 0,
      target: false,
      make: () => ({
        service: new BacklogAlarmServices(i.workers, i.publisher, i.scaleInIdleSeconds),
        fleet: new ReservationTrackingFleet(i.scaling, i.bounds),
      }),
    },
    {
      name: "drain-first",
      initialTarget: i.bounds.minCapacity,
      release: "handoff",
      maxHandoffs: 20,
      target: true,
      make: () => ({
        service: new TasksNeededServices(i.workers, i.publisher),
        fleet: new DrainFirstFleet(i.bounds, i.publisher.periodSeconds),
      }),
    },
  ];
}
