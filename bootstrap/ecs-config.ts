/**
 * `/etc/ecs/ecs.config`: what the ECS agent reads at start (it starts after cloud-final on the
 * ECS-optimized AMI, so the file written by cloud-config is in place). Keys:
 * https://github.com/aws/amazon-ecs-agent/blob/master/README.md#environment-variables
 */
import type { BootstrapSettings } from "./settings";

/** Logging drivers the agent offers to tasks: the node-local fluentd collector and awslogs. */
export const LOGGING_DRIVERS = ["json-file", "awslogs", "fluentd"] as const;

/** The agent settings as ordered key/value pairs. */
export function ecsConfigEntries(clusterName: string, settings: BootstrapSettings): [string, string][] {
  const base: [string, string][] = [
    ["ECS_CLUSTER", clusterName],
    // The agent drains the instance itself on a Spot interruption notice; the watcher also covers
    // rebalance recommendations and logs what it did.
    ["ECS_ENABLE_SPOT_INSTANCE_DRAINING", "true"],
    ["ECS_CONTAINER_STOP_TIMEOUT", `${settings.containerStopTimeoutSeconds}s`],
    ["ECS_AVAILABLE_LOGGING_DRIVERS", JSON.stringify(LOGGING_DRIVERS)],
    ["ECS_ENABLE_TASK_IAM_ROLE", "true"],
    // Daemons (the log collector) run in host network mode with a task role.
    ["ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST", "true"],
    ["ECS_IMAGE_PULL_BEHAVIOR", "prefer-cached"],
    ["ECS_ENABLE_CONTAINER_METADATA", "true"],
  ];
  const merged = new Map(base);
  for (const [k, v] of Object.entries(settings.ecsConfig)) merged.set(k, v);
  return [...merged.entries()];
}

/** The file's text. */
export function renderEcsConfig(clusterName: string, settings: BootstrapSettings): string {
  return ecsConfigEntries(clusterName, settings)
    .map(([k, v]) => `${k}=${v}\n`)
    .join("");
}
