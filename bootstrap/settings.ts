/**
 * Typed settings for what an instance does at boot, and their defaults in one place. Everything
 * here ends up in the cloud-config object in S3, never in the launch template: changing it changes
 * no input of the Spot Fleet request.
 */

export interface InstanceStoreSettings {
  /** Format and mount the NVMe instance store (when the type has one) and keep Docker's data there. @default true */
  readonly enabled: boolean;
  /** Where the instance store is mounted. @default "/mnt/instance-store" */
  readonly mountPoint: string;
  /** Filesystem created on a blank device. @default "xfs" */
  readonly filesystem: "xfs" | "ext4";
}

export interface InterruptionWatcherSettings {
  /** Seconds between polls of the instance metadata. @default 5 */
  readonly intervalSeconds: number;
  /** Drain on a rebalance recommendation too (earlier than the 2-minute interruption notice). @default true */
  readonly drainOnRebalance: boolean;
}

export interface BootstrapSettings {
  /** Kernel parameters written to `/etc/sysctl.d/90-jobworker.conf`. @default `DEFAULT_SYSCTL` */
  readonly sysctl: Readonly<Record<string, string | number>>;
  /**
   * Seconds between SIGTERM and SIGKILL when ECS stops a container (`ECS_CONTAINER_STOP_TIMEOUT`).
   * A Spot notice gives 120 s, so the default leaves room to drain. @default 110
   */
  readonly containerStopTimeoutSeconds: number;
  /** More `/etc/ecs/ecs.config` lines (`ECS_*` keys). @default {} */
  readonly ecsConfig: Readonly<Record<string, string>>;
  readonly instanceStore: InstanceStoreSettings;
  readonly interruptionWatcher: InterruptionWatcherSettings;
  /**
   * Packages cloud-init installs. The watcher needs the AWS CLI, which the ECS-optimized AL2023 AMI
   * does not ship; `awscli-2` is AL2023's package. @default ["awscli-2"]
   */
  readonly packages: readonly string[];
}

/** Partial settings as a caller gives them; `resolveBootstrapSettings` fills the rest. */
export interface BootstrapSettingsInput {
  readonly sysctl?: Readonly<Record<string, string | number>>;
  readonly containerStopTimeoutSeconds?: number;
  readonly ecsConfig?: Readonly<Record<string, string>>;
  readonly instanceStore?: Partial<InstanceStoreSettings>;
  readonly interruptionWatcher?: Partial<InterruptionWatcherSettings>;
  readonly packages?: readonly string[];
}

/**
 * Kernel defaults for many small containers doing file I/O and outbound connections: more
 * connection backlog and ephemeral ports, more inotify watches and mapped areas, and
 * `vm.swappiness=0` (ECS memory limits assume no swap).
 */
export const DEFAULT_SYSCTL: Readonly<Record<string, string | number>> = Object.freeze({
  "net.core.somaxconn": 4096,
  "net.ipv4.ip_local_port_range": "10240 65000",
  "net.ipv4.tcp_tw_reuse": 1,
  "net.ipv4.tcp_fin_timeout": 15,
  "fs.inotify.max_user_watches": 524288,
  "fs.inotify.max_user_instances": 8192,
  "fs.file-max": 2097152,
  "vm.max_map_count": 262144,
  "vm.swappiness": 0,
});

export const BOOTSTRAP_DEFAULTS: BootstrapSettings = Object.freeze({
  sysctl: DEFAULT_SYSCTL,
  containerStopTimeoutSeconds: 110,
  ecsConfig: Object.freeze({}),
  instanceStore: Object.freeze({ enabled: true, mountPoint: "/mnt/instance-store", filesystem: "xfs" as const }),
  interruptionWatcher: Object.freeze({ intervalSeconds: 5, drainOnRebalance: true }),
  packages: Object.freeze(["awscli-2"]),
});

/** Fills unset settings with `BOOTSTRAP_DEFAULTS` (`sysctl` entries merge over the defaults). */
export function resolveBootstrapSettings(input: BootstrapSettingsInput = {}): BootstrapSettings {
  return {
    sysctl: { ...BOOTSTRAP_DEFAULTS.sysctl, ...(input.sysctl ?? {}) },
    containerStopTimeoutSeconds: input.containerStopTimeoutSeconds ?? BOOTSTRAP_DEFAULTS.containerStopTimeoutSeconds,
    ecsConfig: { ...(input.ecsConfig ?? {}) },
    instanceStore: { ...BOOTSTRAP_DEFAULTS.instanceStore, ...(input.instanceStore ?? {}) },
    interruptionWatcher: { ...BOOTSTRAP_DEFAULTS.interruptionWatcher, ...(input.interruptionWatcher ?? {}) },
    packages: [...(input.packages ?? BOOTSTRAP_DEFAULTS.packages)],
  };
}
