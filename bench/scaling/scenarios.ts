/**
 * The policies the scaling benchmark compares, built from the components' specs:
 * - `fixed`: the production system's fixed fleet (168 vCPU), services on the backlog alarms;
 * - `reservation`: this repository before issue 17 — reservation target tracking that scales in by
 *   letting the fleet terminate instances of its choosing, services scaling in only to zero, and a
 *   stopped task's message released (a receive charged);
 * - `drain-first`: the shortfall scale-out, the capacity controller's drain-first scale-in, the
 *   tasks-needed alarm and the runtime's hand-off.
 */
import type { ScalingSettings } from "../../components/spot-ecs-cluster/capacity-scaling-spec";
import type { FleetPolicy, ReleaseMode, ServicePolicy, WorkerModel } from "./model";
import { BacklogAlarmServices, FixedFleet, ReservationTrackingFleet, type BacklogPublisherSettings, type FleetBounds } from "./policies";
import { ControllerFleet } from "./drain-first";

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
        service: new BacklogAlarmServices(i.workers, i.publisher, i.scaleInIdleSeconds, true),
        fleet: new ControllerFleet(i.scaling, i.bounds),
      }),
    },
  ];
}
