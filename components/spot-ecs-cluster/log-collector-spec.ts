/**
 * The node-local log collector (a DAEMON task on every instance): a fluentd forward-protocol
 * listener bound to 127.0.0.1:24224 in host network mode, so only processes on the instance
 * (dockerd's `fluentd` log driver) can reach it, shipping to the cluster's CloudWatch log group.
 *
 * Host networking is the pack's one documented exception (policy/config.json lists the family under
 * `ecs-no-host-namespaces.hostNetworkFamilies`): dockerd's fluentd driver connects from the host to
 * 127.0.0.1:24224, which a bridge-mode task cannot listen on. Otherwise it meets the pack: a non-root
 * user, a read-only root filesystem with a tmpfs at /tmp for the config its entry point writes, and
 * an image pinned by digest (daemon-image.ts).
 */
import type { AwsScope } from "../job-worker/policies";
import { FLUENTD_ADDRESS, LOG_COLLECTOR_DEFAULTS, LogCollectorArgs, DaemonSpec } from "./args";
import { daemonContainerExtras } from "./daemon-container";

const [LISTEN_HOST, LISTEN_PORT] = FLUENTD_ADDRESS.split(":");

/**
 * Fluent Bit classic config; `${...}` are read from the container's environment by Fluent Bit.
 * `log_key log` ships each container line as it was written (Docker's fluentd driver wraps it as
 * `{"log": "<line>", "container_id": …}`): CloudWatch Logs then sees the runtime's JSON itself, so
 * metric filters match `$.level` and Embedded Metric Format lines become metrics; `log_format
 * json/emf` sends the `x-amzn-logs-format: json/emf` header (Fluent Bit docs, "Amazon CloudWatch").
 * The log stream name (`container/<tag>`) still says which container wrote the line.
 */
export function renderFluentBitConfig(): string {
  return [
    "[SERVICE]",
    "    Flush             1",
    "    Log_Level         info",
    "",
    "[INPUT]",
    "    Name              forward",
    `    Listen            ${LISTEN_HOST}`,
    `    Port              ${LISTEN_PORT}`,
    "",
    "[OUTPUT]",
    "    Name              cloudwatch_logs",
    "    Match             *",
    "    region            ${AWS_REGION}",
    "    log_group_name    ${LOG_GROUP_NAME}",
    "    log_stream_prefix container/",
    // Only the container's line (the fluentd driver's `log` field) is the log event, as JSON or EMF:
    // the runtime's JSON stays top-level JSON, so metric filters (`{ $.level = "error" }`) and EMF read it.
    "    log_key           log",
    "    log_format        json/emf",
    "    auto_create_group false",
    "",
  ].join("\n");
}

export const LOG_COLLECTOR_NAME = "log-collector";
/** Environment variable holding the config text; the entry point writes it to `configPath`. */
export const COLLECTOR_CONFIG_ENV = "JOBWORKER_COLLECTOR_CONFIG";

/** The collector as a daemon spec (its task role statements are added by the component). */
export function logCollectorDaemon(args: LogCollectorArgs): DaemonSpec {
  const configPath = args.configPath ?? LOG_COLLECTOR_DEFAULTS.configPath;
  const command = args.command ?? ["/fluent-bit/bin/fluent-bit", "-c", configPath];
  const quoted = command.map((c) => `'${c.replace(/'/g, `'\\''`)}'`).join(" ");
  return {
    name: LOG_COLLECTOR_NAME,
    image: args.image ?? LOG_COLLECTOR_DEFAULTS.image,
    cpu: args.cpu ?? LOG_COLLECTOR_DEFAULTS.cpu,
    memoryMiB: args.memoryMiB ?? LOG_COLLECTOR_DEFAULTS.memoryMiB,
    networkMode: "host",
    user: LOG_COLLECTOR_DEFAULTS.user,
    tmpfs: [{ containerPath: LOG_COLLECTOR_DEFAULTS.tmpfsPath, sizeMiB: LOG_COLLECTOR_DEFAULTS.tmpfsSizeMiB }],
    entryPoint: ["/bin/sh", "-c"],
    command: [`printf '%s\\n' "$${COLLECTOR_CONFIG_ENV}" > '${configPath}' && exec ${quoted}`],
    environment: { [COLLECTOR_CONFIG_ENV]: args.config ?? renderFluentBitConfig() },
  };
}

/**
 * The ECS container definitions (JSON) of a daemon. Every daemon gets `AWS_REGION` and
 * `LOG_GROUP_NAME` (the cluster's container log group) in its environment; its own output goes to
 * that group through awslogs. Secrets, read-only host mounts and `privileged` come from `daemon-container.ts`.
 * It runs as a non-root user on a read-only root filesystem, writing only to its tmpfs mounts.
 * `image` overrides the spec's (the log collector's mirrored, digest-pinned reference).
 */
export function daemonContainerDefinitions(
  d: DaemonSpec,
  logGroupName: string,
  region: string,
  secretScope?: AwsScope,
  image: string = d.image,
): string {
  return JSON.stringify([
    {
      name: d.name,
      image,
      essential: true,
      user: d.user ?? LOG_COLLECTOR_DEFAULTS.user,
      readonlyRootFilesystem: true,
      ...(d.tmpfs && d.tmpfs.length > 0
        ? { linuxParameters: { tmpfs: d.tmpfs.map((t) => ({ containerPath: t.containerPath, size: t.sizeMiB })) } }
        : {}),
      cpu: d.cpu,
      memory: d.memoryMiB,
      ...(d.entryPoint ? { entryPoint: [...d.entryPoint] } : {}),
      ...(d.command ? { command: [...d.command] } : {}),
      environment: Object.entries({ AWS_REGION: region, LOG_GROUP_NAME: logGroupName, ...(d.environment ?? {}) })
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, value]) => ({ name, value })),
      logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": logGroupName, "awslogs-region": region, "awslogs-stream-prefix": `daemon/${d.name}` },
      },
      ...daemonContainerExtras(d, secretScope),
    },
  ]);
}
