/**
 * The backlog publisher: reads every worker queue's attributes and publishes the visible and
 * in-flight counts as high-resolution (1-second storage) custom CloudWatch metrics, so scale-out
 * alarms with 10-second periods see an upload within seconds. SQS's own metrics arrive once a
 * minute and can lag up to 15 minutes after a queue wakes from 6 idle hours (SQS developer guide,
 * "Available CloudWatch metrics for Amazon SQS").
 *
 * With a cluster named, each pass also reads the cluster's state (ECS) and publishes its capacity
 * metrics (`capacity-metrics.ts`); for every queue tagged with its worker's concurrency and task
 * maximum it publishes `TasksNeeded` (`tasks-needed.ts`).
 *
 * Only the SDK clients are used, passed in; importing only import-free modules (errors, backoff,
 * capacity) keeps the Lambda package a handful of transpiled files (the Node.js Lambda runtime
 * provides the AWS SDK v3).
 */
import { type CloudWatchClient, PutMetricDataCommand, type MetricDatum } from "@aws-sdk/client-cloudwatch";
import { GetQueueAttributesCommand, ListQueuesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { type EcsSend, readClusterState, type TaskDefinitionCache } from "../capacity/cluster-state";
import { capacityMetrics, type CapacityMetrics } from "../capacity/placement";
import { ConfigError } from "../errors";
import { sleep as abortableSleep } from "../runtime/backoff";
import { capacityMetricData } from "./capacity-metrics";
import { TASKS_NEEDED, tasksNeeded, workerScaling, type WorkerScaling } from "./tasks-needed";

/**
 * SQS's CloudWatch metric names; the custom metrics reuse them in their own namespace. (The queue
 * attribute for visible messages is `ApproximateNumberOfMessages`; the metric adds `Visible`.)
 */
export const VISIBLE = "ApproximateNumberOfMessagesVisible";
export const IN_FLIGHT = "ApproximateNumberOfMessagesNotVisible";
const VISIBLE_ATTRIBUTE = "ApproximateNumberOfMessages" as const;
const IN_FLIGHT_ATTRIBUTE = "ApproximateNumberOfMessagesNotVisible" as const;
/** PutMetricData takes at most 1000 metric data per call. */
export const MAX_DATA_PER_CALL = 1000;
/** Queues read at once (each read is one GetQueueAttributes call). */
export const READ_CONCURRENCY = 16;

export interface PublisherClients {
  readonly sqs: Pick<SQSClient, "send">;
  readonly cloudwatch: Pick<CloudWatchClient, "send">;
  /** Needed when `capacity` is set. */
  readonly ecs?: EcsSend;
}

/** The cluster whose capacity metrics are published, and where. */
export interface CapacityTarget {
  readonly clusterName: string;
  readonly namespace: string;
}

export interface PublisherOptions {
  /** Queues whose name starts with this are published (the JobWorker component names them so). */
  readonly queueNamePrefix: string;
  /** CloudWatch namespace, e.g. `Jobworker/SQS`. */
  readonly namespace: string;
  /** Publish this cluster's capacity metrics too. @default none */
  readonly capacity?: CapacityTarget;
}

export interface QueueBacklog {
  readonly queueName: string;
  readonly visible: number;
  readonly inFlight: number;
  /** Set for a worker's queue (tagged with its concurrency and task maximum). */
  readonly tasksNeeded?: number;
}

export interface PublishResult {
  readonly at: Date;
  readonly published: QueueBacklog[];
  /** Queues that could not be read (e.g. deleted between listing and reading), with why. */
  readonly failed: { readonly queueUrl: string; readonly error: Error }[];
  /** The cluster's capacity metrics, when a cluster is named. */
  readonly capacity?: CapacityMetrics;
}

/** Every queue URL with the prefix (ListQueues pages of up to 1000). */
export async function listQueueUrls(sqs: PublisherClients["sqs"], prefix: string): Promise<string[]> {
  const urls: string[] = [];
  let NextToken: string | undefined;
  // Bounded: 100 pages of 1000 queues is far above SQS's per-prefix practicality.
  for (let page = 0; page < 100; page++) {
    const out = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 1000, NextToken }));
    urls.push(...(out.QueueUrls ?? []));
    NextToken = out.NextToken;
    if (!NextToken) break;
  }
  return urls.sort();
}

/** One queue's counts, and the tasks its worker needs when the queue carries the scaling tags. */
export async function readBacklog(
  sqs: PublisherClients["sqs"],
  queueUrl: string,
  tagCache: Map<string, Promise<WorkerScaling | undefined>> = new Map(),
): Promise<QueueBacklog> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: [VISIBLE_ATTRIBUTE, IN_FLIGHT_ATTRIBUTE] }),
  );
  const count = (name: typeof VISIBLE_ATTRIBUTE | typeof IN_FLIGHT_ATTRIBUTE) => {
    const value = Number(out.Attributes?.[name]);
    if (!Number.isFinite(value))
      throw new Error(`queue ${queueUrl}: attribute ${name} missing or not a number (${out.Attributes?.[name]})`);
    return value;
  };
  const visible = count(VISIBLE_ATTRIBUTE);
  const inFlight = count(IN_FLIGHT_ATTRIBUTE);
  const scaling = await workerScaling(sqs, queueUrl, tagCache);
  return {
    queueName: queueUrl.slice(queueUrl.lastIndexOf("/") + 1),
    visible,
    inFlight,
    ...(scaling ? { tasksNeeded: tasksNeeded(visible, inFlight, scaling) } : {}),
  };
}

/** The metric data for some backlogs at one instant (two or three per queue, 1-second storage resolution). */
export function metricData(backlogs: readonly QueueBacklog[], at: Date): MetricDatum[] {
  return backlogs.flatMap((b) =>
    [[VISIBLE, b.visible], [IN_FLIGHT, b.inFlight], ...(b.tasksNeeded !== undefined ? [[TASKS_NEEDED, b.tasksNeeded]] : [])].map(
      ([MetricName, Value]) => ({
        MetricName: MetricName as string,
        Dimensions: [{ Name: "QueueName", Value: b.queueName }],
        Timestamp: at,
        Value: Value as number,
        Unit: "Count" as const,
        StorageResolution: 1,
      }),
    ),
  );
}

/** Reads every matching queue and publishes its counts: one pass. */
export async function publishOnce(
  clients: PublisherClients,
  options: PublisherOptions,
  now: () => Date = () => new Date(),
  tagCache: Map<string, Promise<WorkerScaling | undefined>> = new Map(),
  definitions: TaskDefinitionCache = new Map(),
): Promise<PublishResult> {
  const urls = await listQueueUrls(clients.sqs, options.queueNamePrefix);
  const at = now();
  const published: QueueBacklog[] = [];
  const failed: PublishResult["failed"] = [];
  for (let i = 0; i < urls.length; i += READ_CONCURRENCY) {
    const chunk = urls.slice(i, i + READ_CONCURRENCY);
    const results = await Promise.allSettled(chunk.map((url) => readBacklog(clients.sqs, url, tagCache)));
    results.forEach((r, j) => {
      if (r.status === "fulfilled") published.push(r.value);
      else failed.push({ queueUrl: chunk[j], error: r.reason instanceof Error ? r.reason : new Error(String(r.reason)) });
    });
  }
  const data = metricData(published, at);
  for (let i = 0; i < data.length; i += MAX_DATA_PER_CALL) {
    await clients.cloudwatch.send(
      new PutMetricDataCommand({ Namespace: options.namespace, MetricData: data.slice(i, i + MAX_DATA_PER_CALL) }),
    );
  }
  const capacity = options.capacity ? await publishCapacity(clients, options.capacity, at, definitions) : undefined;
  return { at, published, failed, ...(capacity ? { capacity } : {}) };
}

/** Reads the cluster's state and publishes its capacity metrics. */
export async function publishCapacity(
  clients: PublisherClients,
  target: CapacityTarget,
  at: Date,
  definitions: TaskDefinitionCache = new Map(),
): Promise<CapacityMetrics> {
  if (!clients.ecs) throw new ConfigError("capacity metrics need an ECS client", { context: { cluster: target.clusterName } });
  const metrics = capacityMetrics(await readClusterState(clients.ecs, target.clusterName, definitions));
  await clients.cloudwatch.send(
    new PutMetricDataCommand({ Namespace: target.namespace, MetricData: capacityMetricData(metrics, target.clusterName, at) }),
  );
  return metrics;
}

export interface LoopOptions extends PublisherOptions {
  /** Milliseconds between the starts of two passes. */
  readonly intervalMs: number;
  /** Epoch ms: no pass starts at or after this instant. */
  readonly deadline: number;
  readonly signal?: AbortSignal;
  /** @default Date.now */
  readonly now?: () => number;
  /** Abortable wait. @default a timer cleared on abort */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Called after every pass (logging). A failed pass is reported with `error` and the loop goes on. */
  readonly onPass?: (pass: { result?: PublishResult; error?: Error }) => void;
}

/**
 * Publishes every `intervalMs` (measured from pass start, so a slow pass does not drift the
 * cadence) until the deadline or abort. Returns the number of passes.
 */
export async function runPublisher(clients: PublisherClients, options: LoopOptions): Promise<number> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? abortableSleep;
  let passes = 0;
  // Scaling tags change only with a deploy: read once per loop (one invocation).
  const tagCache = new Map<string, Promise<WorkerScaling | undefined>>();
  const definitions: TaskDefinitionCache = new Map();
  for (let next = now(); next < options.deadline && !options.signal?.aborted; next += options.intervalMs) {
    const wait = next - now();
    if (wait > 0) await sleep(wait, options.signal);
    if (options.signal?.aborted || now() >= options.deadline) break;
    passes++;
    try {
      const result = await publishOnce(clients, options, () => new Date(now()), tagCache, definitions);
      options.onPass?.({ result });
    } catch (err) {
      // One failed pass (throttling, a network blip) must not end the loop: the next pass retries.
      options.onPass?.({ error: err instanceof Error ? err : new Error(String(err)) });
    }
  }
  return passes;
}

export interface PublisherSettings extends PublisherOptions {
  readonly intervalSeconds: number;
  /** How long one invocation keeps publishing, seconds (the schedule starts one a minute). */
  readonly windowSeconds: number;
}

/** Environment variables the BacklogPublisher component sets on the function. */
export const PUBLISHER_ENV = {
  queueNamePrefix: "JOBWORKER_BACKLOG_QUEUE_PREFIX",
  namespace: "JOBWORKER_BACKLOG_NAMESPACE",
  intervalSeconds: "JOBWORKER_BACKLOG_INTERVAL_SECONDS",
  windowSeconds: "JOBWORKER_BACKLOG_WINDOW_SECONDS",
  /** Optional: the cluster whose capacity metrics are published… */
  capacityCluster: "JOBWORKER_CAPACITY_CLUSTER",
  /** …and their namespace (both or neither). */
  capacityNamespace: "JOBWORKER_CAPACITY_NAMESPACE",
} as const;

/** Reads and checks the settings; a wrong value is a `ConfigError` naming the variable. */
export function settingsFromEnv(env: Readonly<Record<string, string | undefined>>): PublisherSettings {
  const text = (key: keyof typeof PUBLISHER_ENV) => {
    const value = env[PUBLISHER_ENV[key]];
    if (!value) throw new ConfigError(`${PUBLISHER_ENV[key]} is not set`, { context: { variable: PUBLISHER_ENV[key] } });
    return value;
  };
  const seconds = (key: "intervalSeconds" | "windowSeconds", min: number, max: number) => {
    const value = Number(text(key));
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(`${PUBLISHER_ENV[key]} is ${env[PUBLISHER_ENV[key]]}; it must be an integer from ${min} to ${max}`, {
        context: { variable: PUBLISHER_ENV[key] },
      });
    }
    return value;
  };
  const clusterName = env[PUBLISHER_ENV.capacityCluster];
  const capacityNamespace = env[PUBLISHER_ENV.capacityNamespace];
  if (Boolean(clusterName) !== Boolean(capacityNamespace)) {
    const missing = clusterName ? PUBLISHER_ENV.capacityNamespace : PUBLISHER_ENV.capacityCluster;
    throw new ConfigError(
      `${missing} is not set; capacity metrics need both ${PUBLISHER_ENV.capacityCluster} and ${PUBLISHER_ENV.capacityNamespace}`,
      {
        context: { variable: missing },
      },
    );
  }
  return {
    queueNamePrefix: text("queueNamePrefix"),
    namespace: text("namespace"),
    intervalSeconds: seconds("intervalSeconds", 1, 60),
    windowSeconds: seconds("windowSeconds", 1, 840),
    ...(clusterName && capacityNamespace ? { capacity: { clusterName, namespace: capacityNamespace } } : {}),
  };
}
