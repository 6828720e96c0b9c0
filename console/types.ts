/**
 * The console's plain data: what the collectors produce, what the model derives, what the JSON API
 * and `jobworker status --json` return. No AWS SDK types leak past `console/aws/`.
 */

/** One CloudWatch alarm that watches a worker (its queue or its service). */
export interface AlarmState {
  readonly name: string;
  /** `OK`, `ALARM` or `INSUFFICIENT_DATA`, as CloudWatch says it. */
  readonly state: string;
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
  /** Why the row needs an operator's look; empty when healthy. */
  readonly attention: readonly string[];
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
}

export interface ServiceEvent {
  readonly at?: string;
  readonly message: string;
}

export interface ServiceDetail {
  readonly row: WorkerRow;
  readonly tasks: readonly TaskInfo[];
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

export interface Snapshot {
  readonly cluster: string;
  readonly region: string;
  /** ISO-8601. */
  readonly generatedAt: string;
  readonly workers: readonly WorkerRow[];
  readonly clusterPanel: ClusterPanel;
  readonly errors: readonly CollectionError[];
}
