/**
 * The arguments of a `JobWorker` and their defaults, in one place. Every field states its unit and
 * default; `settleDefaults` is the only code that applies them.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResolvedOutputBinding, SecretRef, WorkerDefinition } from "../../catalog/contract";

/** What a JobWorker uses of the cluster (the `SpotEcsCluster` satisfies it; tests pass a fake). */
export interface ClusterRef {
  readonly clusterName: pulumi.Input<string>;
  readonly clusterArn: pulumi.Input<string>;
  /** Subnets for `awsvpc` tasks. Required only when `networkMode` is `awsvpc`. */
  readonly subnetIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** The largest instance type the fleet may launch: task `cpu`/`memory` must fit it. */
  readonly largestInstance: { readonly instanceType: string; readonly vcpu: number; readonly memoryMiB: number };
  /** Where the instance's fluentd listens, as the Docker daemon sees it, e.g. `127.0.0.1:24224`. */
  readonly fluentdAddress: string;
}

/** A key filter on a bucket: S3 `ObjectCreated` notifications for keys that match go to the queue. */
export interface KeyFilter {
  /** Key prefix, no leading slash. @default "" (every key) */
  readonly prefix?: string;
  /** Key suffix, e.g. `.csv`. @default "" (every key) */
  readonly suffix?: string;
}

/** One route of a shared bucket's notification configuration. */
export interface BucketRoute extends KeyFilter {
  /** The worker that owns the route (for error messages). */
  readonly worker: string;
  readonly queueArn: pulumi.Input<string>;
  /** Resources the notification must wait for (the queue policy: S3 checks it when the notification is written). */
  readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** A bucket several workers read from, each under its own filter (`SharedInputBucket`). */
export interface SharedBucketRef {
  /** Logical name, used in error messages. */
  readonly name: string;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  /** Adds a worker's route; throws when it overlaps a route already added. */
  addRoute(route: BucketRoute): void;
}

/** The worker's own bucket, created by the component. */
export interface OwnBucketInput extends KeyFilter {
  readonly type: "own";
  /** Delete the bucket's objects when the worker is destroyed. @default false */
  readonly forceDestroy?: boolean;
}

/** A prefix/suffix of a bucket shared with other workers. */
export interface SharedBucketInput extends KeyFilter {
  readonly type: "shared";
  readonly bucket: SharedBucketRef;
}

export type InputArgs = OwnBucketInput | SharedBucketInput;

/** Where a worker's input lives, as another worker sees it when it chains into it. */
export interface InputLocation {
  readonly worker: string;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  /** The shared bucket, when the input is one (identity matters for overlap checks). */
  readonly sharedBucket?: SharedBucketRef;
  readonly prefix: string;
  readonly suffix: string;
}

/** Something a worker can chain into: another `JobWorker` (or a fake in tests). */
export interface ChainTarget {
  readonly input: InputLocation;
}

/** Output binding as the component takes it: `worker` carries the typed reference to the next worker. */
export type JobWorkerOutput = ResolvedOutputBinding | { readonly type: "worker"; readonly worker: ChainTarget };

/**
 * A container image: an existing URI, or a build of the repository pushed to the worker's ECR
 * repository. A build holds the runtime (the context as the Dockerfile's ignore file filters it) and
 * only this kind's folder (the named context `kind`), and is tagged with a hash of exactly those, so a
 * `pulumi up` builds (and rolls out) a kind's image only when its runtime or its own folder changed.
 */
export type ImageArgs =
  | { readonly uri: string }
  | {
      readonly build: {
        /** Build context directory: the repository root, filtered by `<dockerfile>.dockerignore`. */
        readonly context: string;
        /** Dockerfile path. @default "<context>/workers/Dockerfile" */
        readonly dockerfile?: string;
        /** The kind's own folder, the named build context `kind` the Dockerfile copies it from. @default "<context>/workers/kinds/<definition.name>" */
        readonly kindContext?: string;
        /**
         * Image tag (tags are immutable: never reuse one for other content).
         * @default `imageTag`: a hash of the build arguments, platform, Dockerfile, the files the context's ignore file lets in and the kind's folder (16 hex characters)
         */
        readonly tag?: string;
        /** @default "linux/amd64" */
        readonly platform?: "linux/amd64" | "linux/arm64";
      };
    };

/** Queue encryption: SSE-SQS, or a customer managed KMS key (never `alias/aws/sqs`: S3 cannot use it). */
export type QueueEncryption =
  | { readonly type: "sse-sqs" }
  /** Without `keyArn` the component creates a key whose policy lets S3 use it. */
  | { readonly type: "kms"; readonly keyArn?: string };

/** Where the backlog publisher writes its high-resolution queue metrics (`BacklogPublisher`). */
export interface BacklogMetricsRef {
  /** CloudWatch namespace of the custom metrics, e.g. `Jobworker/SQS`. */
  readonly namespace: string;
  /** Queue names start with this; the publisher lists queues by it. */
  readonly queueNamePrefix: string;
  /** Seconds between two publications. */
  readonly periodSeconds: number;
}

export interface JobWorkerArgs {
  /** The shared cluster. */
  readonly cluster: ClusterRef;
  /** The worker kind (`catalog/kinds.ts`): name, concurrency, maximum processing time, output slots. */
  readonly definition: WorkerDefinition;
  /** CPU units of the container (1024 = 1 vCPU). Required; must fit the largest fleet instance. */
  readonly cpu: number;
  /** Hard memory limit of the container, MiB. Required; must fit the largest fleet instance. */
  readonly memory: number;
  /** Most tasks autoscaling may run. @default 10 */
  readonly maxTasks?: number;
  /** Where uploads land. @default { type: "own" } */
  readonly input?: InputArgs;
  /** One binding per output slot of the definition. @default {} (only valid for a kind without slots) */
  readonly outputs?: Readonly<Record<string, JobWorkerOutput>>;
  /** The container image. */
  readonly image: ImageArgs;
  /** Extra environment variables (not secrets). Names starting `JOBWORKER_` are reserved. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** Secrets by reference, as environment variables: `ssm:/param` or `secretsmanager:<name|ARN>`. @default {} */
  readonly secrets?: Readonly<Record<string, SecretRef>>;
  /** Receives before a message goes to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  /** Input queue retention, seconds (60..1209600). The DLQ keeps messages 14 days. @default 345600 (4 days) */
  readonly messageRetentionSeconds?: number;
  /** Input queue maximum message size, bytes; at least 65536 (an S3 event can be that large). @default 262144 */
  readonly maxMessageSizeBytes?: number;
  /** @default { type: "sse-sqs" } */
  readonly queueEncryption?: QueueEncryption;
  /** Seconds ECS waits after SIGTERM before SIGKILL; at most 90 (below the 2-minute spot notice). @default 90 */
  readonly stopTimeoutSeconds?: number;
  /** Container user; never root. @default "1000:1000" */
  readonly user?: string;
  /** Read-only root filesystem (the scratch volume stays writable). @default true */
  readonly readonlyRootFilesystem?: boolean;
  /** Task networking. `awsvpc` needs `cluster.subnetIds`. @default "bridge" */
  readonly networkMode?: "bridge" | "awsvpc";
  /** Visible messages per additional task when scaling out. @default definition.concurrency */
  readonly backlogPerTask?: number;
  /** Visible and in-flight both zero this long before scaling to zero, seconds (multiple of 60). @default 600 */
  readonly scaleInIdleSeconds?: number;
  /** Alarm when the oldest message is older than this, seconds. @default 1800 */
  readonly oldestMessageAlarmSeconds?: number;
  /** SNS topic ARNs notified (on ALARM and on OK) by the DLQ and message-age alarms. @default [] */
  readonly alarmActions?: readonly pulumi.Input<string>[];
  /** The backlog publisher's metrics; without it the alarms use only SQS's own (slower) metrics. @default undefined */
  readonly backlogMetrics?: BacklogMetricsRef;
  /** Images the ECR lifecycle policy keeps. @default 10 */
  readonly keepImages?: number;
  /** Deployment: minimum healthy percent (below 100, so a DRAINING instance's tasks can be replaced). @default 50 */
  readonly deploymentMinimumHealthyPercent?: number;
  /** Deployment: maximum percent. @default 200 */
  readonly deploymentMaximumPercent?: number;
  /** Tags on every taggable child. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

export const JOB_WORKER_DEFAULTS = {
  maxTasks: 10,
  maxReceiveCount: 5,
  messageRetentionSeconds: 345_600,
  /** SQS's limit for the DLQ, so it always keeps messages at least as long as the source queue. */
  deadLetterRetentionSeconds: 1_209_600,
  maxMessageSizeBytes: 262_144,
  minMessageSizeBytes: 65_536,
  stopTimeoutSeconds: 90,
  /** ECS allows 120; the spot interruption notice is 2 minutes, and draining starts after it arrives. */
  maxStopTimeoutSeconds: 90,
  /** The runtime's drain deadline is this much below stopTimeout, so it exits before SIGKILL. */
  shutdownMarginSeconds: 15,
  user: "1000:1000",
  readonlyRootFilesystem: true,
  networkMode: "bridge",
  scaleInIdleSeconds: 600,
  oldestMessageAlarmSeconds: 1_800,
  keepImages: 10,
  deploymentMinimumHealthyPercent: 50,
  deploymentMaximumPercent: 200,
  /** Receive long-polling wait: SQS's maximum. */
  receiveWaitTimeSeconds: 20,
  /** Added to maxProcessingSeconds for the visibility timeout (receive → heartbeat → delete). */
  visibilityMarginSeconds: 60,
  /** SQS's maximum visibility timeout. */
  maxVisibilityTimeoutSeconds: 43_200,
  /** Where the scratch volume is mounted in the container. */
  scratchDir: "/scratch",
  imagePlatform: "linux/amd64",
  /** The Dockerfile, relative to the build context. */
  dockerfile: "workers/Dockerfile",
  /** Where each kind's folder is, relative to the build context: `<kindsDir>/<kind>`. */
  kindsDir: "workers/kinds",
  /** The named build context holding the kind's folder; `workers/Dockerfile` copies `--from` it. */
  kindContextName: "kind",
} as const;

/** Args with every default applied: what the rest of the component reads. */
export interface SettledArgs {
  readonly name: string;
  readonly definition: WorkerDefinition;
  readonly cpu: number;
  readonly memory: number;
  readonly maxTasks: number;
  readonly input: InputArgs;
  readonly prefix: string;
  readonly suffix: string;
  readonly outputs: Readonly<Record<string, JobWorkerOutput>>;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, SecretRef>>;
  readonly maxReceiveCount: number;
  readonly messageRetentionSeconds: number;
  readonly maxMessageSizeBytes: number;
  readonly queueEncryption: QueueEncryption;
  readonly visibilityTimeoutSeconds: number;
  readonly stopTimeoutSeconds: number;
  readonly shutdownSeconds: number;
  readonly user: string;
  readonly readonlyRootFilesystem: boolean;
  readonly networkMode: "bridge" | "awsvpc";
  readonly backlogPerTask: number;
  readonly scaleInIdleSeconds: number;
  readonly oldestMessageAlarmSeconds: number;
  readonly alarmActions: readonly pulumi.Input<string>[];
  readonly keepImages: number;
  readonly deploymentMinimumHealthyPercent: number;
  readonly deploymentMaximumPercent: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** The visibility timeout for a worker's queue: its longest job plus a margin, capped at SQS's limit. */
export function visibilityTimeoutFor(maxProcessingSeconds: number): number {
  return Math.min(JOB_WORKER_DEFAULTS.maxVisibilityTimeoutSeconds, maxProcessingSeconds + JOB_WORKER_DEFAULTS.visibilityMarginSeconds);
}

/** Applies every default (`??`, so an explicit 0 stays 0 and fails validation instead). */
export function settleDefaults(name: string, args: JobWorkerArgs): SettledArgs {
  const d = JOB_WORKER_DEFAULTS;
  const input = args.input ?? { type: "own" };
  const stopTimeoutSeconds = args.stopTimeoutSeconds ?? d.stopTimeoutSeconds;
  return {
    name,
    definition: args.definition,
    cpu: args.cpu,
    memory: args.memory,
    maxTasks: args.maxTasks ?? d.maxTasks,
    input,
    prefix: input.prefix ?? "",
    suffix: input.suffix ?? "",
    outputs: args.outputs ?? {},
    environment: args.environment ?? {},
    secrets: args.secrets ?? {},
    maxReceiveCount: args.maxReceiveCount ?? d.maxReceiveCount,
    messageRetentionSeconds: args.messageRetentionSeconds ?? d.messageRetentionSeconds,
    maxMessageSizeBytes: args.maxMessageSizeBytes ?? d.maxMessageSizeBytes,
    queueEncryption: args.queueEncryption ?? { type: "sse-sqs" },
    visibilityTimeoutSeconds: visibilityTimeoutFor(args.definition.maxProcessingSeconds),
    stopTimeoutSeconds,
    shutdownSeconds: Math.max(1, stopTimeoutSeconds - d.shutdownMarginSeconds),
    user: args.user ?? d.user,
    readonlyRootFilesystem: args.readonlyRootFilesystem ?? d.readonlyRootFilesystem,
    networkMode: args.networkMode ?? d.networkMode,
    backlogPerTask: args.backlogPerTask ?? args.definition.concurrency,
    scaleInIdleSeconds: args.scaleInIdleSeconds ?? d.scaleInIdleSeconds,
    oldestMessageAlarmSeconds: args.oldestMessageAlarmSeconds ?? d.oldestMessageAlarmSeconds,
    alarmActions: args.alarmActions ?? [],
    keepImages: args.keepImages ?? d.keepImages,
    deploymentMinimumHealthyPercent: args.deploymentMinimumHealthyPercent ?? d.deploymentMinimumHealthyPercent,
    deploymentMaximumPercent: args.deploymentMaximumPercent ?? d.deploymentMaximumPercent,
    tags: args.tags ?? {},
  };
}
