/**
 * The console's plain data: what the collectors produce, what the model derives, what the JSON API
 * and `jobworker status --json` return. No AWS SDK types leak past `console/aws/`.
 */

/**
 * What an alarm does when it fires, read from its actions: `scale-out` and `scale-in` alarms drive
 * App Auto Scaling (JobWorker's `backlog`, `backlog-fast` and `idle` alarms; being in ALARM is their
 * normal working state), `notify` alarms tell a person (SNS, or no action at all).
 */
export type AlarmRole = "scale-out" | "scale-in" | "notify";

/** One CloudWatch alarm that watches a worker (its queue or its service). */
export interface AlarmState {
  readonly name: string;
  /** `OK`, `ALARM` or `INSUFFICIENT_DATA`, as CloudWatch says it. */
  readonly state: string;
  readonly role: AlarmRole;
  /** When the alarm last changed state, ISO-8601. */
  readonly since?: string;
}

/** How autoscaling sees a worker: its scaling alarms' states, shown as state, never as trouble. */
export type ScalingState = "scaling out" | "idle" | "steady";

/** The service's current (PRIMARY) deployment. */
export interface DeploymentInfo {
  readonly id: string;
  /** `IN_PROGRESS`, `COMPLETED` or `FAILED`. */
  readonly rolloutState?: string;
  readonly rolloutStateReason?: string;
  readonly failedTasks: number;
  /** The deployment circuit breaker: `off`, `on` (stop the deployment) or `rollback`. */
  readonly circuitBreaker: "off" | "on" | "rollback";
  readonly updatedAt?: string;
}

/** A worker's queue as SQS reports it. */
export interface QueueState {
  readonly url: string;
  readonly name: string;
  readonly arn: string;
  /** `ApproximateNumberOfMessages`. */
  readonly visible: number;
  /** `ApproximateNumberOfMessagesNotVisible`. */
  readonly inFlight: number;
  /** `ApproximateNumberOfMessagesDelayed`. */
  readonly delayed: number;
  /** The dead-letter queue named by the queue's `RedrivePolicy`, if any. */
  readonly dlqArn?: string;
}

/** One row of the overview: an ECS service on the cluster, and its queues. */
export interface WorkerRow {
  /** The worker kind (`JOBWORKER_WORKER` in the task definition), else the service name. */
  readonly worker: string;
  readonly serviceName: string;
  readonly serviceArn: string;
  /** `ACTIVE`, `DRAINING` or `INACTIVE`. */
  readonly serviceStatus: string;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  /** `family:revision` of the service's task definition. */
  readonly taskDefinition: string;
  /** How the queue was found: the task definition's `JOBWORKER_QUEUE_URL`, the service's tag, or not at all. */
  readonly queueSource: "task-definition" | "tag" | "none";
  readonly queue?: QueueState;
  /** The DLQ's visible messages; undefined when the queue has no DLQ. */
  readonly dlqDepth?: number;
  readonly dlqUrl?: string;
  /** `ApproximateAgeOfOldestMessage` (CloudWatch, last 15 minutes, maximum), seconds. */
  readonly oldestMessageAgeSeconds?: number;
  readonly alarms: readonly AlarmState[];
  readonly scaling: ScalingState;
  /** The scalable target's `MaxCapacity` (JobWorker's `maxTasks`); undefined without autoscaling. */
  readonly maxTasks?: number;
  readonly deployment?: DeploymentInfo;
  /** Tasks that crashed or failed to start within the failure window (see `AttentionRules`). */
  readonly recentFailures: number;
  /** Why a person must act on this worker; empty when all is well (scaling is not trouble). */
  readonly attention: readonly string[];
  /** Set when part of this row is the last good read, not this refresh's: when that read was made, ISO-8601. */
  readonly staleSince?: string;
  /** What of this row could not be read and was never read before (`queue`): unknown, not zero. */
  readonly unread?: readonly string[];
  /** The queue's and the DLQ's visible messages over the last hours, for the sparklines; absent until CloudWatch answered. */
  readonly history?: QueueHistory;
}

/**
 * `ApproximateNumberOfMessagesVisible` of a worker's queue and DLQ, one value per period from `start`,
 * oldest first; `null` where CloudWatch has no datapoint (SQS publishes nothing for an idle queue).
 */
export interface QueueHistory {
  /** The first period's start, ISO-8601. */
  readonly start: string;
  readonly periodSeconds: number;
  readonly backlog: readonly (number | null)[];
  /** Absent when the queue has no DLQ. */
  readonly dlq?: readonly (number | null)[];
}

/** An ECS task as the service page shows it. */
export interface TaskInfo {
  readonly taskArn: string;
  readonly taskId: string;
  /** `family:revision`. */
  readonly taskDefinition: string;
  readonly lastStatus: string;
  readonly desiredStatus: string;
  /** ISO-8601, when ECS reports it. */
  readonly startedAt?: string;
  readonly createdAt?: string;
  /** EC2 instance id the task runs on, else the container instance id. */
  readonly instance?: string;
  /** `service:<name>` for tasks started by a service. */
  readonly group?: string;
  /** Stopped tasks: when, ECS's `stopCode` and `stoppedReason`, and the first non-zero container exit code. */
  readonly stoppedAt?: string;
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  readonly exitCode?: number;
  /** CloudWatch Logs console link to this task's log lines, when its log configuration allows one. */
  readonly logsUrl?: string;
}

export interface ServiceEvent {
  readonly at?: string;
  readonly message: string;
}

export interface ServiceDetail {
  readonly row: WorkerRow;
  readonly tasks: readonly TaskInfo[];
  /** Recently stopped tasks (ECS keeps them about an hour), newest first, at most 10. */
  readonly stoppedTasks: readonly TaskInfo[];
  /** Newest first, at most 20. */
  readonly events: readonly ServiceEvent[];
  /** CloudWatch Logs console link for the service's `awslogs` log group, if it has one. */
  readonly logsUrl?: string;
}

export interface ContainerInstanceInfo {
  readonly arn: string;
  readonly id: string;
  readonly ec2InstanceId?: string;
  /** `ACTIVE`, `DRAINING`, ... */
  readonly status: string;
  readonly agentConnected: boolean;
  readonly runningTasks: number;
  readonly pendingTasks: number;
  readonly instanceType?: string;
  /** The EC2 instance's state (`running`, `terminated`, ...); undefined when EC2 does not know it. */
  readonly ec2State?: string;
  /** Why the registration is stale; undefined when it is healthy. */
  readonly stale?: string;
}

export interface SpotFleetInfo {
  readonly id: string;
  readonly state: string;
  /** Weights are vCPUs (the SpotEcsCluster convention), so capacities are vCPUs. */
  readonly targetVcpus: number;
  readonly fulfilledVcpus: number;
  /** The on-demand part (base plus the Spot fallback's share), when the fleet has one. */
  readonly onDemandTargetVcpus?: number;
  readonly onDemandFulfilledVcpus?: number;
  /** Spot interruptions over the last 24 h, from the fleet's request history; absent when the history could not be read. */
  readonly interruptions?: SpotInterruptions;
}

/** Instances EC2 took back from a fleet within a window. */
export interface SpotInterruptions {
  /** Distinct instances interrupted. */
  readonly count: number;
  /** The newest interruption, ISO-8601. */
  readonly last?: string;
  readonly windowHours: number;
}

export interface ClusterPanel {
  readonly cluster: string;
  readonly instances: readonly ContainerInstanceInfo[];
  readonly active: number;
  readonly draining: number;
  readonly fleets: readonly SpotFleetInfo[];
  /** Instance type → number of container instances of that type. */
  readonly instanceTypes: Readonly<Record<string, number>>;
  readonly stale: readonly ContainerInstanceInfo[];
  /** CPU units and MiB over the ACTIVE, healthy instances: registered with ECS, and reserved by tasks. */
  readonly capacity: {
    readonly cpu: { readonly registered: number; readonly reserved: number };
    readonly memory: { readonly registered: number; readonly reserved: number };
  };
  /** Set when the panel is the last good read: when that read was made, ISO-8601. */
  readonly staleSince?: string;
}

/** An AWS call that failed while collecting; shown in the UI and the CLI, never swallowed. */
export interface CollectionError {
  /** What was being read, e.g. `ecs:DescribeServices`. */
  readonly source: string;
  readonly message: string;
  /** The SDK error name (`ThrottlingException`, ...). */
  readonly code?: string;
  readonly throttled: boolean;
}

/** A read that failed this refresh, whose last good result is shown instead. */
export interface StaleRead {
  readonly source: string;
  /** When the data shown was read, ISO-8601. */
  readonly since: string;
}

export interface Snapshot {
  readonly cluster: string;
  readonly region: string;
  /** When this refresh ran, ISO-8601. */
  readonly generatedAt: string;
  /** How old the oldest data shown is: `generatedAt` when every read succeeded, ISO-8601. */
  readonly dataAsOf: string;
  /** Reads that failed and were replaced by their last good result; empty when all is fresh. */
  readonly stale: readonly StaleRead[];
  /** True when the services could not be read and nothing was read before: the rows are unknown, not zero. */
  readonly unavailable: boolean;
  readonly workers: readonly WorkerRow[];
  readonly clusterPanel: ClusterPanel;
  /** CloudWatch console link to the stack's dashboard (`--dashboard`, else the one named with the cluster's prefix); absent when none. */
  readonly dashboardUrl?: string;
  readonly errors: readonly CollectionError[];
}
