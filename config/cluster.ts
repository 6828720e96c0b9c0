/**
 * `loadClusterConfig(cfg)`: the cluster's stack configuration, typed and validated when the program
 * starts, before any resource is declared. The network is an existing VPC's ids or a VPC to create
 * (`config/network.ts`); the rest becomes the cluster's settings. Shape errors come from the zod schemas; the component's own checks (unknown instance
 * type, duplicate, single family, capacities, bootstrap values) run here too, so every error names
 * the config key (`jobworker:fleet.instanceTypes[3]`), the value and what is expected.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { LogArchiveSettings } from "../components/log-archive/args";
import { LogArchiveArgsError, settleLogArchiveSettings } from "../components/log-archive/validation";
import type { ClusterSettingsArgs } from "../components/spot-ecs-cluster/args";
import { SpotEcsClusterArgsError } from "../components/spot-ecs-cluster/errors";
import { settleClusterSettings } from "../components/spot-ecs-cluster/validation";
import { bootstrapSchema, fleetSchema, loggingSchema } from "./cluster-schema";
import { daemonsSchema } from "./daemons-schema";
import { StackConfigError } from "./errors";
import { NETWORK_FORMS, NetworkChoice, parseNetworkConfig } from "./network";
import { parseConfigValue } from "./zod-issues";

/** The config keys this loader reads, under the project namespace. */
export const CLUSTER_CONFIG_KEYS = {
  network: "network",
  fleet: "fleet",
  bootstrap: "bootstrap",
  logging: "logging",
  daemons: "daemons",
} as const;

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
    throw new StackConfigError(full, `expected ${expected} (structured YAML in the stack file), got ${JSON.stringify(raw)}`, {
      cause: err,
    });
  }
}

/** Where a cluster setting lives in the stack config (`scaling.minCapacity` → `fleet.scaling.minCapacity`); network fields are mapped by `config/network.ts`. */
export function configKeyForArgField(namespace: string, field: string): string {
  const [head] = field.split(/[.[]/);
  const mapping: Record<string, string> = {
    instanceTypes: "fleet",
    targetCapacity: "fleet",
    allocationStrategy: "fleet",
    onDemandBaseCapacity: "fleet",
    capacityRebalance: "fleet",
    rootVolumeGiB: "fleet",
    scaling: "fleet",
  };
  if (head === "bootstrap" || head === "daemons") return `${namespace}:${field}`;
  if (head === "logCollector") return `${namespace}:logging${field.slice("logCollector".length)}`;
  return `${namespace}:${mapping[head] ?? "fleet"}.${field}`;
}

/** The cluster's configuration: its network (given or to create) and its other settings. */
export interface ClusterConfig {
  readonly network: NetworkChoice;
  readonly cluster: ClusterSettingsArgs;
  /** `jobworker:logging.archive`, when set: the long-term log archive's settings. */
  readonly logArchive?: LogArchiveSettings;
}

/** Reads and validates the cluster's config; `SpotEcsClusterArgs` are `cluster` plus the network's ids. */
export function loadClusterConfig(cfg: ConfigReader): ClusterConfig {
  const ns = cfg.name;
  const network = parseNetworkConfig(ns, CLUSTER_CONFIG_KEYS.network, readObject(cfg, CLUSTER_CONFIG_KEYS.network, true, NETWORK_FORMS));
  const fleet = parseConfigValue(
    ns,
    CLUSTER_CONFIG_KEYS.fleet,
    fleetSchema,
    readObject(cfg, CLUSTER_CONFIG_KEYS.fleet, true, "{ instanceTypes: [...], targetCapacity, ... }"),
  );
  const bootstrap = parseConfigValue(
    ns,
    CLUSTER_CONFIG_KEYS.bootstrap,
    bootstrapSchema,
    readObject(cfg, CLUSTER_CONFIG_KEYS.bootstrap, false, "an object of bootstrap settings") ?? {},
  );
  const { archive: logArchive, ...logging } = parseConfigValue(
    ns,
    CLUSTER_CONFIG_KEYS.logging,
    loggingSchema,
    readObject(cfg, CLUSTER_CONFIG_KEYS.logging, false, "an object of logging settings") ?? {},
  );
  const daemons = parseConfigValue(
    ns,
    CLUSTER_CONFIG_KEYS.daemons,
    daemonsSchema,
    readObject(cfg, CLUSTER_CONFIG_KEYS.daemons, false, "a list of daemon container specs") ?? [],
  );

  const cluster: ClusterSettingsArgs = {
    instanceTypes: fleet.instanceTypes,
    targetCapacity: fleet.targetCapacity,
    allocationStrategy: fleet.allocationStrategy,
    onDemandBaseCapacity: fleet.onDemandBaseCapacity,
    capacityRebalance: fleet.capacityRebalance,
    rootVolumeGiB: fleet.rootVolumeGiB,
    scaling: fleet.scaling,
    bootstrap,
    logCollector: logging,
    daemons,
  };
  try {
    settleClusterSettings(cluster);
  } catch (err) {
    if (err instanceof SpotEcsClusterArgsError) throw new StackConfigError(configKeyForArgField(ns, err.field), err.detail, { cause: err });
    throw err;
  }
  if (logArchive !== undefined) {
    try {
      settleLogArchiveSettings(logArchive);
    } catch (err) {
      if (err instanceof LogArchiveArgsError)
        throw new StackConfigError(`${ns}:${CLUSTER_CONFIG_KEYS.logging}.archive.${err.field}`, err.detail, { cause: err });
      throw err;
    }
  }
  return { network, cluster, ...(logArchive !== undefined ? { logArchive } : {}) };
}
