/**
 * What a `SpotEcsCluster` is made from, and every default in one place. Units are in the names or
 * the doc comments; "vCPUs" means fleet capacity units (each instance type weighs its vCPU count).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { BootstrapSettingsInput } from "../../bootstrap/settings";
import type { SecretRef } from "../../catalog/secret-ref";
import type { IdentityStatement } from "../iam";

export type AllocationStrategy = "diversified" | "priceCapacityOptimized" | "capacityOptimized";
export const ALLOCATION_STRATEGIES: readonly AllocationStrategy[] = ["diversified", "priceCapacityOptimized", "capacityOptimized"];

/**
 * A subnet the fleet launches into; the AZ is stated so spread across AZs is checked at preview. The
 * id may be an output (a subnet the program creates, e.g. `Network`); its format is checked when plain.
 */
export interface SubnetRef {
  readonly subnetId: pulumi.Input<string>;
  /** e.g. `ap-northeast-1a`. */
  readonly availabilityZone: string;
}

/**
 * An instance type of the fleet: a name from `components/instance-types.ts` (weight = its vCPUs),
 * or an object with an explicit weight (required for types the table does not know, which must
 * then also state their memory).
 */
export type FleetInstanceType =
  | string
  | {
      readonly instanceType: string;
      /** Capacity units one instance counts for. @default its vCPU count from the table */
      readonly weight?: number;
      /** vCPUs, for types not in the table. @default the weight */
      readonly vcpu?: number;
      /** Memory in MiB, required for types not in the table. */
      readonly memoryMiB?: number;
    };

/** A host path a daemon reads: mounted read-only at `containerPath`. */
export interface DaemonMount {
  /** Absolute path on the instance, e.g. `/var/run/docker.sock`. */
  readonly hostPath: string;
  /** Absolute path in the container, e.g. `/host/proc`. */
  readonly containerPath: string;
}

/** A node-local daemon: one task on every container instance (ECS `DAEMON` scheduling). */
export interface DaemonSpec {
  /** Kebab-case; names the task family and the service. */
  readonly name: string;
  /** Image reference; the pack requires it pinned by digest or in the account's ECR. */
  readonly image: string;
  /** Container user, never root (the pack's ecs-container-non-root-user). @default "65534:65534" (nobody) */
  readonly user?: string;
  /**
   * Writable in-memory directories (tmpfs, `linuxParameters.tmpfs`); the root filesystem is read-only.
   * @default none
   */
  readonly tmpfs?: readonly { readonly containerPath: string; readonly sizeMiB: number }[];
  /** CPU units (1024 = one vCPU) reserved on every instance. */
  readonly cpu: number;
  /** Hard memory limit in MiB, reserved on every instance. */
  readonly memoryMiB: number;
  /**
   * "host" is the DAEMON exception the pack allows only for families listed in policy/config.json
   * (`ecs-no-host-namespaces.hostNetworkFamilies`): a listener on the instance's 127.0.0.1.
   * @default "host"
   */
  readonly networkMode?: "host" | "bridge";
  readonly entryPoint?: readonly string[];
  readonly command?: readonly string[];
  /** Plain environment variables; a name or value that looks like a credential is refused (use `secrets`). @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Environment variables ECS sets from secrets, by reference: name → `ssm:/<parameter path>` or
   * `secretsmanager:<name or ARN>` (`catalog/secret-ref.ts`). They become the container's `secrets`
   * (`valueFrom`), and the daemon's execution role may read exactly these. @default none
   */
  readonly secrets?: Readonly<Record<string, SecretRef>>;
  /** Host paths mounted into the container, always read-only (docker.sock, /proc, cgroups for an agent). @default none */
  readonly mounts?: readonly DaemonMount[];
  /** Run the container privileged (full access to the host's devices). @default false */
  readonly privileged?: boolean;
  /** IAM statements for the daemon's task role (identity statements: `Resource`, no `Principal`). @default none */
  readonly taskPolicyStatements?: readonly IdentityStatement[];
}

/** The node-local log collector: a fluentd-protocol (forward) listener on 127.0.0.1:24224. */
export interface LogCollectorArgs {
  /**
   * Container image speaking the fluentd forward protocol. Pinned by digest or in the account's ECR, it
   * runs as given; else it is mirrored into the cluster's ECR repository and run by digest
   * (`daemon-image.ts`).
   * @default "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.5" (Fluent Bit: forward in, CloudWatch Logs out)
   */
  readonly image?: string;
  /**
   * The collector's configuration file (Fluent Bit classic format). `${LOG_GROUP_NAME}` and
   * `${AWS_REGION}` are set in its environment. @default `renderFluentBitConfig()`
   */
  readonly config?: string;
  /**
   * Path the entry point writes `config` to and Fluent Bit reads it from: in the writable tmpfs at
   * `/tmp` (the root filesystem is read-only). @default "/tmp/jobworker.conf"
   */
  readonly configPath?: string;
  /** Command run after the config is written. @default ["/fluent-bit/bin/fluent-bit", "-c", configPath] */
  readonly command?: readonly string[];
  /** CPU units per instance. @default 128 */
  readonly cpu?: number;
  /** MiB per instance. @default 128 */
  readonly memoryMiB?: number;
  /** Days CloudWatch keeps the container logs. @default 30 */
  readonly retentionInDays?: number;
}

export interface CapacityScalingArgs {
  /** Lowest fleet capacity, in vCPUs. Must hold at least one instance. @default the largest weight */
  readonly minCapacity?: number;
  /** Highest fleet capacity, in vCPUs. @default targetCapacity */
  readonly maxCapacity?: number;
  /** Target cluster CPUReservation, percent. @default 75 */
  readonly cpuReservationTargetPercent?: number;
  /** Target cluster MemoryReservation, percent. @default 75 */
  readonly memoryReservationTargetPercent?: number;
  /** Seconds between scale-outs. @default 60 */
  readonly scaleOutCooldownSeconds?: number;
  /**
   * The reservation policies' scale-in cooldown, seconds. They never scale in (the capacity
   * controller does, drain first), so this only completes their configuration. @default 900
   */
  readonly scaleInCooldownSeconds?: number;
}

/** Capacity control: scale-out on what cannot be placed, drain-first scale-in, on-demand fallback. */
export interface CapacityControlArgs {
  /** Namespace the backlog publisher puts the cluster's capacity metrics in. @default "Jobworker/Capacity" */
  readonly metricsNamespace?: string;
  /** Period of those metrics, seconds (the publisher's interval: 10, 30 or 60). @default 10 */
  readonly metricsPeriodSeconds?: number;
  /** vCPUs one scale-out step adds per step of shortfall. @default the largest weight */
  readonly shortfallStepVcpus?: number;
  /** Seconds between two shortfall scale-outs (an instance needs 2–3 min to register). @default 180 */
  readonly shortfallCooldownSeconds?: number;
  /** Spare ACTIVE vCPUs kept as headroom; scale-in removes only what stays above. @default the largest weight */
  readonly spareThresholdVcpus?: number;
  /** Minutes the spare must stay above the threshold before a scale-in. @default 15 */
  readonly scaleInWindowMinutes?: number;
  /** Instances one controller run drains at most. @default 2 */
  readonly maxDrainsPerRun?: number;
  /** Raise an on-demand share while Spot cannot fill the target. @default true */
  readonly onDemandFallback?: boolean;
  /** Highest on-demand target the fallback sets, vCPUs. @default scaling.maxCapacity */
  readonly maxOnDemandCapacity?: number;
  /** Minutes Spot must stay short before the fallback (rounded up to 5-minute periods). @default 10 */
  readonly spotShortMinutes?: number;
}

export interface SpotEcsClusterArgs {
  /** The VPC the subnets belong to. */
  readonly vpcId: pulumi.Input<string>;
  /** Subnets to launch into, in at least two Availability Zones. */
  readonly subnets: readonly SubnetRef[];
  /**
   * Route tables of the subnets: the component creates an S3 gateway VPC endpoint on them, the only
   * path by which instances may read the cloud-config. Exactly one of `routeTableIds` and
   * `s3VpcEndpointId`.
   */
  readonly routeTableIds?: readonly pulumi.Input<string>[];
  /** An existing S3 gateway VPC endpoint serving the subnets (instead of `routeTableIds`). */
  readonly s3VpcEndpointId?: pulumi.Input<string>;
  /** Extra security groups for the instances. @default none (the component's own, egress only) */
  readonly securityGroupIds?: readonly pulumi.Input<string>[];

  /** At least two families; all of one architecture. */
  readonly instanceTypes: readonly FleetInstanceType[];
  /** Fleet capacity at creation, in vCPUs; afterwards Application Auto Scaling owns it. */
  readonly targetCapacity: number;
  /** How the fleet picks Spot pools. @default "diversified" */
  readonly allocationStrategy?: AllocationStrategy;
  /** On-demand part of the capacity, in vCPUs: insurance against correlated Spot price spikes. @default 0 */
  readonly onDemandBaseCapacity?: number;
  /** Launch a replacement when EC2 signals a rebalance recommendation (the watcher drains the old one). @default true */
  readonly capacityRebalance?: boolean;
  /** Capacity autoscaling on the cluster's CPU and memory reservation (scale-out only). */
  readonly scaling?: CapacityScalingArgs;
  /** Scale-out on shortfall, drain-first scale-in, on-demand fallback. @default `CAPACITY_DEFAULTS` and the fleet's largest weight */
  readonly capacity?: CapacityControlArgs;
  /** SNS topic ARNs the cluster's alarms notify on ALARM and OK (spot short, controller failing); plain ones are checked. @default [] */
  readonly alarmActions?: readonly pulumi.Input<string>[];

  /** Root EBS volume (gp3, encrypted), GiB. @default 30 */
  readonly rootVolumeGiB?: number;
  /** What the instances do at boot (sysctl, ecs.config, instance store, watcher). @default `BOOTSTRAP_DEFAULTS` */
  readonly bootstrap?: BootstrapSettingsInput;

  /** The node-local log collector. @default `LOG_COLLECTOR_DEFAULTS` */
  readonly logCollector?: LogCollectorArgs;
  /** More node-local daemons (a monitoring agent…). @default none */
  readonly daemons?: readonly DaemonSpec[];

  /** Tags on every resource that takes them, and on instances and volumes. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The network part of the args: an existing VPC's ids, or a `Network`'s `clusterNetwork`. */
export type ClusterNetworkArgs = Pick<SpotEcsClusterArgs, "vpcId" | "subnets" | "routeTableIds" | "s3VpcEndpointId">;
/** Everything else: fleet, scaling, bootstrap, logging, daemons, tags. */
export type ClusterSettingsArgs = Omit<SpotEcsClusterArgs, keyof ClusterNetworkArgs>;

/** Where tasks send logs with the `fluentd` log driver. */
export const FLUENTD_ADDRESS = "127.0.0.1:24224" as const;

export const FLEET_DEFAULTS = {
  allocationStrategy: "diversified" as AllocationStrategy,
  onDemandBaseCapacity: 0,
  capacityRebalance: true,
  rootVolumeGiB: 30,
} as const;

export const SCALING_DEFAULTS = {
  cpuReservationTargetPercent: 75,
  memoryReservationTargetPercent: 75,
  scaleOutCooldownSeconds: 60,
  scaleInCooldownSeconds: 900,
} as const;

export const LOG_COLLECTOR_DEFAULTS = {
  image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.5",
  configPath: "/tmp/jobworker.conf",
  /** The tmpfs the config is written to, and its size. */
  tmpfsPath: "/tmp",
  tmpfsSizeMiB: 8,
  /** `nobody`: the collector only listens on an unprivileged port and calls CloudWatch Logs. */
  user: "65534:65534",
  cpu: 128,
  memoryMiB: 128,
  retentionInDays: 30,
} as const;
