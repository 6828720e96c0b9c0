/**
 * Application Auto Scaling of the fleet's target capacity, as plain data: target tracking on the
 * cluster's CPUReservation and MemoryReservation (published by ECS for every cluster, free). The
 * fleet grows when reservations pass the target. These policies never scale in (`disableScaleIn`):
 * lowering the target is the capacity controller's, drain first (capacity-control-spec.ts).
 */
export const FLEET_SCALABLE_DIMENSION = "ec2:spot-fleet-request:TargetCapacity";

export interface ReservationPolicySpec {
  /** Used in the policy's resource name. */
  readonly suffix: "cpu-reservation" | "memory-reservation";
  readonly metricName: "CPUReservation" | "MemoryReservation";
  readonly targetValue: number;
  readonly scaleInCooldown: number;
  readonly scaleOutCooldown: number;
}

export interface ScalingSettings {
  readonly cpuReservationTargetPercent: number;
  readonly memoryReservationTargetPercent: number;
  readonly scaleOutCooldownSeconds: number;
  readonly scaleInCooldownSeconds: number;
}

export function reservationPolicies(s: ScalingSettings): ReservationPolicySpec[] {
  const cooldowns = { scaleInCooldown: s.scaleInCooldownSeconds, scaleOutCooldown: s.scaleOutCooldownSeconds };
  return [
    { suffix: "cpu-reservation", metricName: "CPUReservation", targetValue: s.cpuReservationTargetPercent, ...cooldowns },
    { suffix: "memory-reservation", metricName: "MemoryReservation", targetValue: s.memoryReservationTargetPercent, ...cooldowns },
  ];
}

/** The target tracking configuration of one policy for a cluster. */
export function targetTrackingConfiguration(spec: ReservationPolicySpec, clusterName: string) {
  return {
    targetValue: spec.targetValue,
    disableScaleIn: true,
    scaleInCooldown: spec.scaleInCooldown,
    scaleOutCooldown: spec.scaleOutCooldown,
    customizedMetricSpecification: {
      namespace: "AWS/ECS",
      metricName: spec.metricName,
      statistic: "Average",
      unit: "Percent",
      dimensions: [{ name: "ClusterName", value: clusterName }],
    },
  };
}
