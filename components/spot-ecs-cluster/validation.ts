/**
 * Checks `SpotEcsClusterArgs` and settles every default, synchronously at construction (so
 * `pulumi preview` fails with the field, the value and the fix). Plain function: testable without Pulumi.
 */
import type { Input } from "@pulumi/pulumi";
import { BootstrapSettingsError } from "../../bootstrap/errors";
import { BootstrapSettings, resolveBootstrapSettings } from "../../bootstrap/settings";
import { validateBootstrapSettings } from "../../bootstrap/validation";
import type { Architecture } from "../instance-types";
import {
  ALLOCATION_STRATEGIES,
  AllocationStrategy,
  DaemonSpec,
  FLEET_DEFAULTS,
  LOG_COLLECTOR_DEFAULTS,
  ClusterNetworkArgs,
  ClusterSettingsArgs,
  SCALING_DEFAULTS,
  SpotEcsClusterArgs,
  SubnetRef,
} from "./args";
import { CAPACITY_DEFAULTS, type CapacityControlSettings } from "./capacity-control-spec";
import type { ScalingSettings } from "./capacity-scaling-spec";
import { SpotEcsClusterArgsError } from "./errors";
import { fleetArchitecture, LargestInstance, largestInstanceOf, ResolvedInstanceType, resolveFleetInstanceTypes } from "./fleet-types";
import { validateDaemonContainer } from "./daemon-validation";
import { LOG_COLLECTOR_NAME } from "./log-collector-spec";

/** Everything the component builds from, defaults applied. */
export interface SettledClusterArgs {
  readonly subnets: readonly SubnetRef[];
  readonly instanceTypes: readonly ResolvedInstanceType[];
  readonly architecture: Architecture;
  readonly largestInstance: LargestInstance;
  readonly allocationStrategy: AllocationStrategy;
  readonly targetCapacity: number;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly onDemandBaseCapacity: number;
  readonly capacityRebalance: boolean;
  readonly scaling: ScalingSettings;
  readonly capacity: CapacityControlSettings;
  readonly alarmActions: readonly Input<string>[];
  readonly rootVolumeGiB: number;
  readonly bootstrap: BootstrapSettings;
  readonly logRetentionInDays: number;
  readonly daemons: readonly DaemonSpec[];
  readonly tags: Readonly<Record<string, string>>;
}

const SUBNET_ID = /^subnet-[0-9a-z]+$/;
const AZ = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;
const DAEMON_NAME = /^[a-z][a-z0-9-]{0,30}$/;
/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

function fail(field: string, detail: string): never {
  throw new SpotEcsClusterArgsError(field, detail);
}

function wholeNumber(field: string, value: unknown, min: number, max: number, unit: string, why?: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    fail(field, `${JSON.stringify(value)} must be a whole number of ${unit} from ${min} to ${max}${why ? ` (${why})` : ""}`);
  }
  return value;
}

function validateSubnets(subnets: readonly SubnetRef[]): void {
  if (!Array.isArray(subnets) || subnets.length === 0)
    fail(
      "subnets",
      'needs subnets in at least two Availability Zones, e.g. [{ subnetId: "subnet-0abc", availabilityZone: "ap-northeast-1a" }, …]',
    );
  const seen = new Set<string>();
  subnets.forEach((s, i) => {
    // An id the program creates (an Output) is known only at deploy time; a plain one is checked now.
    const plainId = typeof s?.subnetId === "string" ? s.subnetId : undefined;
    if (s?.subnetId === undefined || s.subnetId === null || (plainId !== undefined && !SUBNET_ID.test(plainId))) {
      fail(`subnets[${i}].subnetId`, `${JSON.stringify(s?.subnetId)} is not a subnet id; expected "subnet-…"`);
    }
    if (typeof s.availabilityZone !== "string" || !AZ.test(s.availabilityZone)) {
      fail(
        `subnets[${i}].availabilityZone`,
        `${JSON.stringify(s.availabilityZone)} is not an Availability Zone name; expected e.g. "ap-northeast-1a"`,
      );
    }
    if (plainId === undefined) return;
    if (seen.has(plainId)) fail(`subnets[${i}].subnetId`, `"${plainId}" is listed twice; list each subnet once`);
    seen.add(plainId);
  });
  const zones = new Set(subnets.map((s) => s.availabilityZone));
  if (zones.size < 2)
    fail(
      "subnets",
      `all subnets are in ${[...zones][0]}; give subnets in at least two Availability Zones so one zone's Spot shortage cannot empty the cluster`,
    );
}

function validateDaemons(daemons: readonly DaemonSpec[]): void {
  const names = new Set<string>([LOG_COLLECTOR_NAME]);
  daemons.forEach((d, i) => {
    if (typeof d.name !== "string" || !DAEMON_NAME.test(d.name))
      fail(`daemons[${i}].name`, `${JSON.stringify(d.name)} must be kebab-case, at most 31 characters`);
    if (names.has(d.name))
      fail(`daemons[${i}].name`, `"${d.name}" is taken (the log collector is "${LOG_COLLECTOR_NAME}"; daemon names are unique)`);
    names.add(d.name);
    if (typeof d.image !== "string" || d.image.length === 0) fail(`daemons[${i}].image`, "needs a container image");
    wholeNumber(`daemons[${i}].cpu`, d.cpu, 1, 10240, "CPU units (1024 = one vCPU)");
    wholeNumber(`daemons[${i}].memoryMiB`, d.memoryMiB, 6, 1048576, "MiB");
    validateDaemonContainer(d, `daemons[${i}]`);
  });
}

/** Validates and settles the args; throws `SpotEcsClusterArgsError` naming the first wrong field. */
export function settleSpotEcsClusterArgs(args: SpotEcsClusterArgs): SettledClusterArgs {
  validateClusterNetwork(args);
  return { subnets: args.subnets, ...settleClusterSettings(args) };
}

/** The network part: subnets in at least two AZs, and exactly one of `routeTableIds` and `s3VpcEndpointId`. */
export function validateClusterNetwork(args: ClusterNetworkArgs): void {
  validateSubnets(args.subnets);
  const hasRouteTables = args.routeTableIds !== undefined;
  const hasEndpoint = args.s3VpcEndpointId !== undefined;
  if (hasRouteTables === hasEndpoint) {
    fail(
      hasRouteTables ? "s3VpcEndpointId" : "routeTableIds",
      hasRouteTables
        ? "give either routeTableIds (the component creates an S3 gateway endpoint) or s3VpcEndpointId (an existing one), not both"
        : "instances read the cloud-config through an S3 gateway VPC endpoint: give routeTableIds (one is created) or s3VpcEndpointId (an existing one)",
    );
  }
  if (hasRouteTables && args.routeTableIds!.length === 0) fail("routeTableIds", "is empty; give the route tables of the subnets");
}

/** Everything but the network: fleet, scaling, bootstrap, logging, daemons; defaults applied. */
export function settleClusterSettings(args: ClusterSettingsArgs): Omit<SettledClusterArgs, "subnets"> {
  const instanceTypes = resolveFleetInstanceTypes(args.instanceTypes, "instanceTypes");
  const maxWeight = Math.max(...instanceTypes.map((t) => t.weight));
  const targetCapacity = wholeNumber("targetCapacity", args.targetCapacity, 1, 100000, "vCPUs");
  const scaling = args.scaling ?? {};
  const minCapacity = wholeNumber(
    "scaling.minCapacity",
    scaling.minCapacity ?? Math.min(maxWeight, targetCapacity),
    1,
    100000,
    "vCPUs",
    "at least one instance, or nothing reports the reservation the scaling reads",
  );
  const maxCapacity = wholeNumber("scaling.maxCapacity", scaling.maxCapacity ?? targetCapacity, 1, 100000, "vCPUs");
  if (minCapacity > targetCapacity)
    fail("scaling.minCapacity", `${minCapacity} is above targetCapacity ${targetCapacity}; lower it or raise targetCapacity`);
  if (maxCapacity < targetCapacity)
    fail("scaling.maxCapacity", `${maxCapacity} is below targetCapacity ${targetCapacity}; raise it or lower targetCapacity`);
  const onDemandBaseCapacity = wholeNumber(
    "onDemandBaseCapacity",
    args.onDemandBaseCapacity ?? FLEET_DEFAULTS.onDemandBaseCapacity,
    0,
    targetCapacity,
    "vCPUs",
    "at most targetCapacity",
  );
  const allocationStrategy = args.allocationStrategy ?? FLEET_DEFAULTS.allocationStrategy;
  if (!ALLOCATION_STRATEGIES.includes(allocationStrategy))
    fail("allocationStrategy", `${JSON.stringify(allocationStrategy)} is not one of ${ALLOCATION_STRATEGIES.join(", ")}`);

  const settledScaling: ScalingSettings = {
    cpuReservationTargetPercent: wholeNumber(
      "scaling.cpuReservationTargetPercent",
      scaling.cpuReservationTargetPercent ?? SCALING_DEFAULTS.cpuReservationTargetPercent,
      10,
      100,
      "percent",
    ),
    memoryReservationTargetPercent: wholeNumber(
      "scaling.memoryReservationTargetPercent",
      scaling.memoryReservationTargetPercent ?? SCALING_DEFAULTS.memoryReservationTargetPercent,
      10,
      100,
      "percent",
    ),
    scaleOutCooldownSeconds: wholeNumber(
      "scaling.scaleOutCooldownSeconds",
      scaling.scaleOutCooldownSeconds ?? SCALING_DEFAULTS.scaleOutCooldownSeconds,
      0,
      3600,
      "seconds",
    ),
    scaleInCooldownSeconds: wholeNumber(
      "scaling.scaleInCooldownSeconds",
      scaling.scaleInCooldownSeconds ?? SCALING_DEFAULTS.scaleInCooldownSeconds,
      0,
      3600,
      "seconds",
    ),
  };

  const capacity = settleCapacityControl(args.capacity ?? {}, maxWeight, maxCapacity);
  const alarmActions = args.alarmActions ?? [];
  alarmActions.forEach((arn, i) => {
    // A topic the program creates (an Output) is known only at deploy time; a plain ARN is checked now.
    if (arn === undefined || arn === null || (typeof arn === "string" && !/^arn:aws[a-z-]*:sns:/.test(arn)))
      fail(`alarmActions[${i}]`, `${JSON.stringify(arn)} is not an SNS topic ARN`);
  });

  const bootstrap = resolveBootstrapSettings(args.bootstrap);
  try {
    validateBootstrapSettings(bootstrap, "bootstrap");
  } catch (err) {
    if (err instanceof BootstrapSettingsError)
      throw new SpotEcsClusterArgsError(err.field, err.message.replace(/^bootstrap setting `[^`]*`: /, ""), { cause: err });
    throw err;
  }

  const retention = args.logCollector?.retentionInDays ?? LOG_COLLECTOR_DEFAULTS.retentionInDays;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(retention))
    fail(
      "logCollector.retentionInDays",
      `${JSON.stringify(retention)} is not a CloudWatch Logs retention; use one of ${LOG_RETENTION_DAYS.join(", ")}`,
    );
  if (args.logCollector?.cpu !== undefined) wholeNumber("logCollector.cpu", args.logCollector.cpu, 1, 10240, "CPU units");
  if (args.logCollector?.memoryMiB !== undefined) wholeNumber("logCollector.memoryMiB", args.logCollector.memoryMiB, 6, 1048576, "MiB");
  const daemons = args.daemons ?? [];
  validateDaemons(daemons);

  return {
    instanceTypes,
    architecture: fleetArchitecture(instanceTypes),
    largestInstance: largestInstanceOf(instanceTypes),
    allocationStrategy,
    targetCapacity,
    minCapacity,
    maxCapacity,
    onDemandBaseCapacity,
    capacityRebalance: args.capacityRebalance ?? FLEET_DEFAULTS.capacityRebalance,
    scaling: settledScaling,
    capacity,
    alarmActions: [...alarmActions],
    rootVolumeGiB: wholeNumber(
      "rootVolumeGiB",
      args.rootVolumeGiB ?? FLEET_DEFAULTS.rootVolumeGiB,
      30,
      16384,
      "GiB",
      "the ECS-optimized AMI's snapshot is 30 GiB",
    ),
    bootstrap,
    logRetentionInDays: retention,
    daemons,
    tags: { ...(args.tags ?? {}) },
  };
}

/** `capacity`, defaults applied: steps and headroom default to the largest instance's weight. */
export function settleCapacityControl(
  c: NonNullable<ClusterSettingsArgs["capacity"]>,
  maxWeight: number,
  maxCapacity: number,
): CapacityControlSettings {
  const d = CAPACITY_DEFAULTS;
  const namespace = c.metricsNamespace ?? d.metricsNamespace;
  if (typeof namespace !== "string" || !/^[^:]{1,255}$/.test(namespace) || namespace.startsWith("AWS/"))
    fail("capacity.metricsNamespace", `${JSON.stringify(namespace)} must be a custom CloudWatch namespace (not AWS/…, no colon)`);
  const period = c.metricsPeriodSeconds ?? d.metricsPeriodSeconds;
  if (![10, 30, 60].includes(period))
    fail("capacity.metricsPeriodSeconds", `${JSON.stringify(period)} must be 10, 30 or 60 (the backlog publisher's interval)`);
  const onDemandFallback = c.onDemandFallback ?? true;
  if (typeof onDemandFallback !== "boolean") fail("capacity.onDemandFallback", `${JSON.stringify(onDemandFallback)} must be true or false`);
  return {
    metricsNamespace: namespace,
    metricsPeriodSeconds: period,
    shortfallStepVcpus: wholeNumber("capacity.shortfallStepVcpus", c.shortfallStepVcpus ?? maxWeight, 1, 100000, "vCPUs"),
    shortfallCooldownSeconds: wholeNumber(
      "capacity.shortfallCooldownSeconds",
      c.shortfallCooldownSeconds ?? d.shortfallCooldownSeconds,
      0,
      3600,
      "seconds",
    ),
    spareThresholdVcpus: wholeNumber("capacity.spareThresholdVcpus", c.spareThresholdVcpus ?? maxWeight, 0, 100000, "vCPUs"),
    scaleInWindowMinutes: wholeNumber(
      "capacity.scaleInWindowMinutes",
      c.scaleInWindowMinutes ?? d.scaleInWindowMinutes,
      1,
      1440,
      "minutes",
    ),
    maxDrainsPerRun: wholeNumber("capacity.maxDrainsPerRun", c.maxDrainsPerRun ?? d.maxDrainsPerRun, 1, 100, "instances"),
    onDemandFallback,
    maxOnDemandCapacity: wholeNumber("capacity.maxOnDemandCapacity", c.maxOnDemandCapacity ?? maxCapacity, 0, 100000, "vCPUs"),
    spotShortMinutes: wholeNumber(
      "capacity.spotShortMinutes",
      c.spotShortMinutes ?? d.spotShortMinutes,
      5,
      1440,
      "minutes",
      "AWS/EC2Spot is read in 5-minute periods",
    ),
  };
}
