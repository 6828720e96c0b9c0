/**
 * How the fleet's capacity follows demand without killing work, as plain data the component renders
 * and the scaling simulator imports:
 *
 * - Scale-out: Application Auto Scaling raises the fleet's target on `ShortfallVcpus` (what no
 *   ACTIVE instance can place, published by the backlog publisher every `metricsPeriodSeconds`),
 *   in steps of `shortfallStepVcpus`; the reservation target tracking (capacity-scaling-spec.ts)
 *   stays as headroom, scale-out only.
 * - Scale-in: never by Application Auto Scaling (which would let EC2 pick instances to kill). The
 *   capacity controller (workers/capacity-controller/decide.ts) lowers the target only by whole
 *   empty ACTIVE instances once `SpareActiveVcpus` stayed above `spareThresholdVcpus` for
 *   `scaleInWindowMinutes`, drains them, and terminates them once they run no worker task. The
 *   fleet's `excessCapacityTerminationPolicy` is `NoTermination`, so lowering the target
 *   terminates nothing by itself.
 * - On-demand fallback: the spot-short alarm (target − fulfilled > 0 for `spotShortMinutes`) makes
 *   the controller raise the on-demand target by the Spot deficit; OK again drops it to the base.
 */
import type { StepAdjustment } from "../job-worker/scaling";

/** Defaults of `SpotEcsClusterArgs.capacity` (the ones not derived from the fleet). */
export const CAPACITY_DEFAULTS = {
  metricsNamespace: "Jobworker/Capacity",
  metricsPeriodSeconds: 10,
  /** An instance takes about 2–3 minutes from launch to ECS registration; a shorter cooldown would add capacity twice for one shortfall. */
  shortfallCooldownSeconds: 180,
  scaleInWindowMinutes: 15,
  maxDrainsPerRun: 2,
  spotShortMinutes: 10,
  /** The controller's schedule: EventBridge goes no finer than one minute. */
  controllerScheduleSeconds: 60,
} as const;

/** AWS/EC2Spot's fleet metrics are read in five-minute periods. */
export const SPOT_METRICS_PERIOD_SECONDS = 300;
/** At most this many scale-out steps (the last one is open-ended). */
export const MAX_SHORTFALL_STEPS = 10;

/** Everything capacity control runs on, defaults applied (settled by validation.ts). */
export interface CapacityControlSettings {
  readonly metricsNamespace: string;
  readonly metricsPeriodSeconds: number;
  readonly shortfallStepVcpus: number;
  readonly shortfallCooldownSeconds: number;
  readonly spareThresholdVcpus: number;
  readonly scaleInWindowMinutes: number;
  readonly maxDrainsPerRun: number;
  readonly onDemandFallback: boolean;
  readonly maxOnDemandCapacity: number;
  readonly spotShortMinutes: number;
}

/** Scale-out steps on ShortfallVcpus (threshold 0): a shortfall in [k·S, (k+1)·S) adds (k+1)·S vCPUs. */
export function shortfallScaleOutSteps(stepVcpus: number): StepAdjustment[] {
  return Array.from({ length: MAX_SHORTFALL_STEPS }, (_, k) => ({
    metricIntervalLowerBound: String(k * stepVcpus),
    ...(k < MAX_SHORTFALL_STEPS - 1 ? { metricIntervalUpperBound: String((k + 1) * stepVcpus) } : {}),
    scalingAdjustment: (k + 1) * stepVcpus,
  }));
}

/** The step scaling policy's configuration (scale-out only, ChangeInCapacity). */
export function shortfallPolicyConfiguration(s: CapacityControlSettings) {
  return {
    adjustmentType: "ChangeInCapacity" as const,
    cooldown: s.shortfallCooldownSeconds,
    metricAggregationType: "Maximum" as const,
    stepAdjustments: shortfallScaleOutSteps(s.shortfallStepVcpus),
  };
}

/** A CloudWatch alarm as data; `N` is the type of a name (string, or an Output in the component). */
export interface CapacityAlarmSpec<N = string> {
  readonly key: "shortfall" | "spot-short";
  readonly description: string;
  readonly action: "scale-out" | "notify";
  readonly comparisonOperator: "GreaterThanThreshold";
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: "notBreaching";
  readonly metric?: {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Record<string, N>;
    readonly stat: "Maximum";
    readonly period: number;
  };
  readonly expression?: {
    readonly id: string;
    readonly expression: string;
    readonly label: string;
    readonly metrics: Record<
      string,
      { namespace: string; metricName: string; dimensions: Record<string, N>; stat: "Average"; period: number }
    >;
  };
}

/** Scale out while tasks wait for capacity no ACTIVE instance has. */
export function shortfallAlarmSpec<N>(clusterName: N, s: CapacityControlSettings): CapacityAlarmSpec<N> {
  return {
    key: "shortfall",
    description: "jobworker cluster: tasks wait for capacity no ACTIVE instance has: raise the fleet's target",
    action: "scale-out",
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    metric: {
      namespace: s.metricsNamespace,
      metricName: "ShortfallVcpus",
      dimensions: { ClusterName: clusterName },
      stat: "Maximum",
      period: s.metricsPeriodSeconds,
    },
  };
}

/** In ALARM while Spot cannot fill the fleet's target: the controller raises the on-demand share, operators are told. */
export function spotShortAlarmSpec<N>(fleetRequestId: N, s: CapacityControlSettings): CapacityAlarmSpec<N> {
  const periods = Math.max(1, Math.ceil((s.spotShortMinutes * 60) / SPOT_METRICS_PERIOD_SECONDS));
  const metric = (metricName: string) => ({
    namespace: "AWS/EC2Spot",
    metricName,
    dimensions: { FleetRequestId: fleetRequestId },
    stat: "Average" as const,
    period: SPOT_METRICS_PERIOD_SECONDS,
  });
  return {
    key: "spot-short",
    description: `jobworker fleet: Spot has not filled the target for ${s.spotShortMinutes} minutes: the on-demand fallback is on`,
    action: "notify",
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    evaluationPeriods: periods,
    datapointsToAlarm: periods,
    treatMissingData: "notBreaching",
    expression: {
      id: "unfilled",
      expression: "t - f",
      label: "target capacity not fulfilled (vCPUs)",
      metrics: { t: metric("TargetCapacity"), f: metric("FulfilledCapacity") },
    },
  };
}

/** The fleet settings the controller reads from its environment (`workers/capacity-controller/controller.ts`). */
export function controllerSettings(i: {
  weights: Readonly<Record<string, number>>;
  minCapacity: number;
  maxCapacity: number;
  onDemandBaseCapacity: number;
  capacity: CapacityControlSettings;
}) {
  return {
    weights: i.weights,
    minCapacity: i.minCapacity,
    maxCapacity: i.maxCapacity,
    onDemandBaseCapacity: i.onDemandBaseCapacity,
    maxOnDemandCapacity: i.capacity.onDemandFallback ? i.capacity.maxOnDemandCapacity : i.onDemandBaseCapacity,
    spareThresholdVcpus: i.capacity.spareThresholdVcpus,
    scaleInWindowMinutes: i.capacity.scaleInWindowMinutes,
    maxDrainsPerRun: i.capacity.maxDrainsPerRun,
  };
}
