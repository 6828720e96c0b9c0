/**
 * `loadClusterConfig(cfg)`: the cluster's stack configuration, typed and validated when the program
 * starts. Shape errors come from the zod schemas; the component's own checks (unknown instance
 * type, duplicate, single family, capacities, bootstrap values) run here too, so every error names
 * the config key (`jobworker:fleet.instanceTypes[3]`), the value and what is expected.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { SpotEcsClusterArgs } from "../components/spot-ecs-cluster/args";
import { SpotEcsClusterArgsError } from "../components/spot-ecs-cluster/errors";
import { settleSpotEcsClusterArgs } from "../components/spot-ecs-cluster/validation";
import { bootstrapSchema, fleetSchema, loggingSchema, networkSchema } from "./cluster-schema";
import { StackConfigError } from "./errors";
import { parseConfigValue } from "./zod-issues";

/** The config keys this loader reads, under the project namespace. */
export const CLUSTER_CONFIG_KEYS = { network: "network", fleet: "fleet", bootstrap: "bootstrap", logging: "logging" } as const;

/** The part of `Config` the loader uses (a `pulumi.Config` or a plain stand-in in tests). */
export type ConfigReader = Pick<pulumi.Config, "name" | "get">;

function readObject(cfg: ConfigReader, key: string, required: boolean, expected: string): unknown {
  const raw = cfg.get(key);
  const full = `${cfg.name}:${key}`;
  if (raw === undefined) {
    if (required) throw new StackConfigError(full, `missing; expected ${expected}`);
    return undefined;
  }
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new StackConfigError(full, `expected ${expected} (structured YAML in the stack file), got ${JSON.stringify(raw)}`, { cause: err });
  }
}

/** Where a component arg lives in the stack config (`scaling.minCapacity` → `fleet.scaling.minCapacity`). */
export function configKeyForArgField(namespace: string, field: string): string {
  const [head] = field.split(/[.[]/);
  const mapping: Record<string, string> = {
    subnets: "network",
    routeTableIds: "network",
    s3VpcEndpointId: "network",
    vpcId: "network",
    instanceTypes: "fleet",
    targetCapacity: "fleet",
    allocationStrategy: "fleet",
    onDemandBaseCapacity: "fleet",
    capacityRebalance: "fleet",
    rootVolumeGiB: "fleet",
    scaling: "fleet",
  };
  if (head === "bootstrap") return `${namespace}:${field}`;
  if (head === "logCollector") return `${namespace}:logging${field.slice("logCollector".length)}`;
  return `${namespace}:${mapping[head] ?? "fleet"}.${field}`;
}

/** Reads and validates the cluster's config into `SpotEcsClusterArgs`. */
export function loadClusterConfig(cfg: ConfigReader): SpotEcsClusterArgs {
  const ns = cfg.name;
  const network = parseConfigValue(ns, CLUSTER_CONFIG_KEYS.network, networkSchema, readObject(cfg, CLUSTER_CONFIG_KEYS.network, true, "{ vpcId, subnets: [{ subnetId, availabilityZone }], routeTableIds | s3VpcEndpointId }"));
  const fleet = parseConfigValue(ns, CLUSTER_CONFIG_KEYS.fleet, fleetSchema, readObject(cfg, CLUSTER_CONFIG_KEYS.fleet, true, "{ instanceTypes: [...], targetCapacity, ... }"));
  const bootstrap = parseConfigValue(ns, CLUSTER_CONFIG_KEYS.bootstrap, bootstrapSchema, readObject(cfg, CLUSTER_CONFIG_KEYS.bootstrap, false, "an object of bootstrap settings") ?? {});
  const logging = parseConfigValue(ns, CLUSTER_CONFIG_KEYS.logging, loggingSchema, readObject(cfg, CLUSTER_CONFIG_KEYS.logging, false, "an object of logging settings") ?? {});

  const args: SpotEcsClusterArgs = {
    vpcId: network.vpcId,
    subnets: network.subnets,
    routeTableIds: network.routeTableIds,
    s3VpcEndpointId: network.s3VpcEndpointId,
    instanceTypes: fleet.instanceTypes,
    targetCapacity: fleet.targetCapacity,
    allocationStrategy: fleet.allocationStrategy,
    onDemandBaseCapacity: fleet.onDemandBaseCapacity,
    capacityRebalance: fleet.capacityRebalance,
    rootVolumeGiB: fleet.rootVolumeGiB,
    scaling: fleet.scaling,
    bootstrap,
    logCollector: logging,
  };
  try {
    settleSpotEcsClusterArgs(args);
  } catch (err) {
    if (err instanceof SpotEcsClusterArgsError) throw new StackConfigError(configKeyForArgField(ns, err.field), err.detail, { cause: err });
    throw err;
  }
  return args;
}
