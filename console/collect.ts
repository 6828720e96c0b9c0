/**
 * Collects one snapshot of the cluster from the AWS APIs: batched, paginated, every call through the
 * clients' one concurrency limit, and every failed call recorded in `errors` (shown by the UI and the
 * CLI) rather than swallowed. A read that fails is replaced by its last good result, marked stale
 * with when it was read: an outage must not look like an empty, healthy cluster.
 */
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import type { ContainerInstance, Service, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import { DescribeServicesCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { maxTasksByService } from "./aws/autoscaling";
import { mapLimit, paginate } from "./aws/batch";
import { ConsoleClients } from "./aws/clients";
import { describeAllMetricAlarms, QueueMetrics, queueMetrics } from "./aws/cloudwatch";
import { describeInstanceStates, describeSpotFleets, Ec2InstanceState } from "./aws/ec2";
import {
  describeAllContainerInstances,
  describeAllServices,
  describeClusterTasks,
  describeTasks,
  PARALLEL_CALLS,
  TaskDefinitionCache,
} from "./aws/ecs";
import { dashboardUrl, findDashboard } from "./aws/dashboards";
import { HISTORY_TTL_MS, queueHistoryOf, readQueueHistory } from "./aws/queue-history";
import { readSpotInterruptions, SPOT_HISTORY_TTL_MS } from "./aws/spot-history";
import { QueueUrlCache, queueNameFromUrl, readQueue } from "./aws/sqs";
import { buildClusterPanel } from "./cluster";
import { describeAwsError, NotFoundError } from "./errors";
import {
  AttentionRules,
  buildRow,
  byAttention,
  clusterLogGroupOf,
  logsUrl,
  queueUrlOf,
  serviceEvents,
  serviceOfTask,
  taskInfo,
  taskLogsUrl,
} from "./model";
import {
  CollectionError,
  QueueState,
  ServiceDetail,
  Snapshot,
  SpotFleetInfo,
  SpotInterruptions,
  StaleRead,
  TaskInfo,
  WorkerRow,
} from "./types";

export interface CollectorOptions {
  /** ECS cluster name or ARN. */
  readonly cluster: string;
  /** Region, for display and log links. */
  readonly region: string;
  /** The cluster's container log group, for log links. @default found in the log collector's task definition */
  readonly logGroup?: string;
  /** Spot Fleet request ids to show even if none of their instances joined the cluster. @default [] (found through the cluster's instances) */
  readonly fleetIds?: readonly string[];
  /** The stack's CloudWatch dashboard (`--dashboard`). @default the first dashboard whose name starts with the cluster's name; no link when none does */
  readonly dashboard?: string;
  readonly rules?: AttentionRules;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

interface QueueFacts {
  queue?: QueueState;
  dlqUrl?: string;
  dlqDepth?: number;
}

type HistoryRead = Awaited<ReturnType<typeof readQueueHistory>>;

/** How long a dashboard lookup (found or not) stands before the console asks again. */
const DASHBOARD_TTL_MS = 10 * 60_000;

/** A value read this refresh, or the last good one with when it was read; nothing when never read. */
interface Read<T> {
  readonly value?: T;
  readonly staleSince?: string;
}

/** The stalest of several reads' `staleSince` (ISO strings sort by time). */
function oldest(...since: (string | undefined)[]): string | undefined {
  return since.filter((s): s is string => s !== undefined).sort()[0];
}

/** One refresh: its errors, the reads it had to replace, and how it reads through the last-good store. */
class Refresh {
  readonly errors: CollectionError[] = [];
  readonly stale: StaleRead[] = [];
  readonly startedAt: string;

  constructor(
    private readonly lastGood: Map<string, { value: unknown; at: string }>,
    now: Date,
  ) {
    this.startedAt = now.toISOString();
  }

  /** Runs `fn`; a failure is recorded and the source's last good result stands in, marked stale. */
  async read<T>(source: string, fn: () => Promise<T>): Promise<Read<T>> {
    try {
      const value = await fn();
      this.lastGood.set(source, { value, at: this.startedAt });
      return { value };
    } catch (err) {
      this.errors.push({ source, ...describeAwsError(err) });
      const previous = this.lastGood.get(source);
      if (!previous) return {};
      this.stale.push({ source, since: previous.at });
      return { value: previous.value as T, staleSince: previous.at };
    }
  }
}

export class Collector {
  private readonly taskDefinitions: TaskDefinitionCache;
  private readonly queueUrls: QueueUrlCache;
  private readonly now: () => Date;
  /** Source (`ecs:ListServices/DescribeServices`, `sqs:GetQueueAttributes <url>`, …) → its last good result. */
  private readonly lastGood = new Map<string, { value: unknown; at: string }>();
  private clusterLogGroup: string | undefined;
  /** The last history read and the queue names it covers: kept for `HISTORY_TTL_MS` (a 5-minute series). */
  private history: { at: number; names: Set<string>; value: HistoryRead } | undefined;
  /** Each fleet's interruptions, kept for `SPOT_HISTORY_TTL_MS`. */
  private readonly interruptions = new Map<string, { at: number; value: SpotInterruptions }>();
  private dashboard: { at: number; name: string | undefined } | undefined;

  constructor(
    private readonly clients: ConsoleClients,
    readonly options: CollectorOptions,
  ) {
    this.taskDefinitions = new TaskDefinitionCache(clients.ecs);
    this.queueUrls = new QueueUrlCache(clients.sqs);
    this.now = options.now ?? (() => new Date());
    this.clusterLogGroup = options.logGroup;
  }

  get cluster(): string {
    return this.options.cluster;
  }

  async snapshot(): Promise<Snapshot> {
    const refresh = new Refresh(this.lastGood, this.now());
    const { ecs, ec2, cloudwatch, autoscaling } = this.clients;
    const cluster = this.options.cluster;

    const [services, tasks, stoppedTasks, alarms, maxTasks, containerInstances, fleets] = await Promise.all([
      refresh.read("ecs:ListServices/DescribeServices", () => describeAllServices(ecs, cluster)),
      refresh.read("ecs:ListTasks/DescribeTasks", () => describeClusterTasks(ecs, cluster)),
      refresh.read("ecs:ListTasks/DescribeTasks (stopped)", () => describeClusterTasks(ecs, cluster, "STOPPED")),
      refresh.read("cloudwatch:DescribeAlarms", () => describeAllMetricAlarms(cloudwatch)),
      refresh.read("application-autoscaling:DescribeScalableTargets", () => maxTasksByService(autoscaling, cluster)),
      refresh.read("ecs:ListContainerInstances/DescribeContainerInstances", () => describeAllContainerInstances(ecs, cluster)),
      refresh.read("ec2:DescribeSpotFleetRequests", () => describeSpotFleets(ec2, this.options.fleetIds ?? [])),
    ]);
    const shared = {
      tasks: tasks.value ?? [],
      stoppedTasks: stoppedTasks.value ?? [],
      alarms: alarms.value ?? [],
      maxTasks: maxTasks.value ?? new Map<string, number>(),
      staleSince: oldest(services.staleSince, tasks.staleSince, stoppedTasks.staleSince, alarms.staleSince, maxTasks.staleSince),
    };
    const rows = await this.rows(services.value ?? [], shared, refresh);

    const ec2Ids = (containerInstances.value ?? []).flatMap((ci) => (ci.ec2InstanceId ? [ci.ec2InstanceId] : []));
    const ec2States: Read<Map<string, Ec2InstanceState>> =
      ec2Ids.length > 0 ? await refresh.read("ec2:DescribeInstances", () => describeInstanceStates(ec2, ec2Ids)) : { value: new Map() };
    const panelStaleSince = oldest(containerInstances.staleSince, fleets.staleSince, ec2States.staleSince);
    const panel = buildClusterPanel({
      cluster,
      containerInstances: containerInstances.value ?? [],
      ec2States: ec2States.value ?? new Map(),
      fleets: fleets.value ?? [],
      namedFleetIds: this.options.fleetIds ?? [],
    });
    const [fleetsWithInterruptions, dashboard] = await Promise.all([
      this.withInterruptions(panel.fleets, refresh),
      this.dashboardUrl(refresh),
    ]);
    const clusterPanel = { ...panel, fleets: fleetsWithInterruptions };
    return {
      cluster,
      region: this.options.region,
      generatedAt: refresh.startedAt,
      dataAsOf: oldest(...refresh.stale.map((s) => s.since)) ?? refresh.startedAt,
      stale: refresh.stale,
      unavailable: services.value === undefined,
      workers: rows.sort(byAttention),
      clusterPanel: { ...clusterPanel, ...(panelStaleSince ? { staleSince: panelStaleSince } : {}) },
      ...(dashboard ? { dashboardUrl: dashboard } : {}),
      errors: refresh.errors,
    };
  }

  /** One service: its row, tasks, recently stopped tasks, recent events and logs link. Unknown services are a 404. */
  async serviceDetail(serviceName: string): Promise<ServiceDetail & { errors: CollectionError[] }> {
    // A refresh of its own: the service page never mixes its reads into the overview's last-good store.
    const refresh = new Refresh(new Map(), this.now());
    const { ecs, cloudwatch, autoscaling } = this.clients;
    const cluster = this.options.cluster;
    const described = await ecs.send(new DescribeServicesCommand({ cluster, services: [serviceName], include: ["TAGS"] }));
    const service = (described.services ?? []).find((s) => s.status !== "INACTIVE");
    if (!service)
      throw new NotFoundError(`service \`${serviceName}\` not found on cluster \`${cluster}\``, { context: { serviceName, cluster } });
    const [tasks, stoppedTasks, alarms, maxTasks] = await Promise.all([
      refresh.read("ecs:ListTasks/DescribeTasks", () => this.serviceTasks(serviceName)),
      refresh.read("ecs:ListTasks/DescribeTasks (stopped)", () => this.serviceTasks(serviceName, "STOPPED")),
      refresh.read("cloudwatch:DescribeAlarms", () => describeAllMetricAlarms(cloudwatch)),
      refresh.read("application-autoscaling:DescribeScalableTargets", () => maxTasksByService(autoscaling, cluster)),
    ]);
    const shared = {
      tasks: tasks.value ?? [],
      stoppedTasks: stoppedTasks.value ?? [],
      alarms: alarms.value ?? [],
      maxTasks: maxTasks.value ?? new Map<string, number>(),
    };
    const [row] = await this.rows([service], shared, refresh);
    const containerInstanceArns = [
      ...new Set((tasks.value ?? []).flatMap((t) => (t.containerInstanceArn ? [t.containerInstanceArn] : []))),
    ];
    const ec2ByCi = new Map<string, string>();
    if (containerInstanceArns.length > 0) {
      const cis = await refresh.read("ecs:DescribeContainerInstances", () => this.describeContainerInstances(containerInstanceArns));
      for (const ci of cis.value ?? [])
        if (ci.containerInstanceArn && ci.ec2InstanceId) ec2ByCi.set(ci.containerInstanceArn, ci.ec2InstanceId);
    }
    const taskDefinition = service.taskDefinition
      ? (await this.taskDefinitions.get([service.taskDefinition])).get(service.taskDefinition)
      : undefined;
    const usesCollector = (taskDefinition?.containerDefinitions ?? []).some((c) => c.logConfiguration?.logDriver === "fluentd");
    if (usesCollector && this.clusterLogGroup === undefined) {
      // Found once from the log collector daemon's task definition, then remembered.
      const services = await refresh.read("ecs:ListServices/DescribeServices", () => describeAllServices(ecs, cluster));
      const arns = (services.value ?? []).flatMap((s) => (s.taskDefinition ? [s.taskDefinition] : []));
      const tds = await refresh.read("ecs:DescribeTaskDefinition", () => this.taskDefinitions.get(arns));
      this.clusterLogGroup = clusterLogGroupOf(tds.value?.values() ?? []);
    }
    const link = logsUrl(taskDefinition, this.options.region, this.clusterLogGroup);
    // Each task's own revision: during a deployment, old tasks still run the old one (cached, so no call).
    const allTasks = [...(tasks.value ?? []), ...(stoppedTasks.value ?? [])];
    const taskTds = await refresh.read("ecs:DescribeTaskDefinition", () =>
      this.taskDefinitions.get([...new Set(allTasks.flatMap((t) => (t.taskDefinitionArn ? [t.taskDefinitionArn] : [])))]),
    );
    const withLogs = (t: Task): TaskInfo => {
      const url = taskLogsUrl(t, taskTds.value?.get(t.taskDefinitionArn ?? ""), this.options.region, this.clusterLogGroup);
      return { ...taskInfo(t, ec2ByCi), ...(url ? { logsUrl: url } : {}) };
    };
    const stopped = (stoppedTasks.value ?? [])
      .map(withLogs)
      .sort((a, b) => (b.stoppedAt ?? "").localeCompare(a.stoppedAt ?? ""))
      .slice(0, 10);
    return {
      row: row as WorkerRow,
      tasks: (tasks.value ?? []).map(withLogs).sort((a, b) => a.taskId.localeCompare(b.taskId)),
      stoppedTasks: stopped,
      events: serviceEvents(service),
      ...(link ? { logsUrl: link } : {}),
      errors: refresh.errors,
    };
  }

  /**
   * The service's tasks whose desired status is RUNNING (or STOPPED). ListTasks is asked for the
   * service, and the result is also checked against each task's `group`, so the list is exactly the service's.
   */
  async serviceTasks(serviceName: string, desiredStatus: "RUNNING" | "STOPPED" = "RUNNING"): Promise<Task[]> {
    const { ecs } = this.clients;
    const cluster = this.options.cluster;
    const arns = await paginate("ecs:ListTasks", async (nextToken) => {
      const out = await ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus, nextToken, maxResults: 100 }));
      return { items: out.taskArns, next: out.nextToken };
    });
    const tasks = await describeTasks(ecs, cluster, arns);
    return tasks.filter((t) => serviceOfTask(t) === serviceName);
  }

  private async describeContainerInstances(arns: string[]): Promise<ContainerInstance[]> {
    const all = await describeAllContainerInstances(this.clients.ecs, this.options.cluster);
    const wanted = new Set(arns);
    return all.filter((ci) => wanted.has(ci.containerInstanceArn ?? ""));
  }

  private async rows(
    services: readonly Service[],
    shared: {
      tasks: readonly Task[];
      stoppedTasks: readonly Task[];
      alarms: readonly MetricAlarm[];
      maxTasks: ReadonlyMap<string, number>;
      staleSince?: string;
    },
    refresh: Refresh,
  ): Promise<WorkerRow[]> {
    const live = services.filter((s) => s.status !== "INACTIVE");
    const tdArns = live.flatMap((s) => (s.taskDefinition ? [s.taskDefinition] : []));
    const taskDefinitions =
      (await refresh.read("ecs:DescribeTaskDefinition", () => this.taskDefinitions.get(tdArns))).value ?? new Map<string, TaskDefinition>();
    this.clusterLogGroup ??= clusterLogGroupOf(taskDefinitions.values());
    const located = live.map((service) => {
      const taskDefinition = service.taskDefinition ? taskDefinitions.get(service.taskDefinition) : undefined;
      return { service, taskDefinition, ...queueUrlOf(service, taskDefinition) };
    });
    const queueFacts = await mapLimit(located, PARALLEL_CALLS, async ({ url }): Promise<Read<QueueFacts>> =>
      url ? this.queueFacts(url, refresh) : { value: {} },
    );
    const queueNames = queueFacts.flatMap((f) => (f.value?.queue ? [f.value.queue.name] : []));
    const metrics: Read<Map<string, QueueMetrics>> =
      queueNames.length > 0
        ? await refresh.read("cloudwatch:GetMetricData", () => queueMetrics(this.clients.cloudwatch, queueNames, this.now()))
        : { value: new Map() };
    const history = await this.queueHistory(
      queueFacts.flatMap((f) =>
        f.value?.queue ? [f.value.queue.name, ...(f.value.dlqUrl ? [queueNameFromUrl(f.value.dlqUrl)] : [])] : [],
      ),
      refresh,
    );
    const byService = (tasks: readonly Task[]): Map<string, Task[]> => {
      const out = new Map<string, Task[]>();
      for (const t of tasks) {
        const name = serviceOfTask(t);
        if (name) out.set(name, [...(out.get(name) ?? []), t]);
      }
      return out;
    };
    const running = byService(shared.tasks);
    const stopped = byService(shared.stoppedTasks);
    const now = this.now();
    return located.map(({ service, taskDefinition, source }, i) => {
      const facts = queueFacts[i] as Read<QueueFacts>;
      const name = service.serviceName ?? "";
      const m = facts.value?.queue ? metrics.value?.get(facts.value.queue.name) : undefined;
      const maxTasks = shared.maxTasks.get(name);
      const staleSince = oldest(shared.staleSince, facts.staleSince, metrics.staleSince);
      const queue = facts.value?.queue;
      const rowHistory =
        queue && history
          ? queueHistoryOf(history, queue.name, facts.value?.dlqUrl ? queueNameFromUrl(facts.value.dlqUrl) : undefined)
          : undefined;
      return buildRow(
        {
          cluster: this.options.cluster,
          service,
          ...(taskDefinition ? { taskDefinition } : {}),
          tasks: running.get(name) ?? [],
          stoppedTasks: stopped.get(name) ?? [],
          ...facts.value,
          ...(m?.oldestMessageAgeSeconds !== undefined ? { oldestMessageAgeSeconds: m.oldestMessageAgeSeconds } : {}),
          ...(m?.backlogTrend ? { backlogTrend: m.backlogTrend } : {}),
          ...(maxTasks !== undefined ? { maxTasks } : {}),
          alarms: shared.alarms,
          queueSource: source,
          ...(staleSince ? { staleSince } : {}),
          ...(facts.value === undefined ? { queueUnread: true } : {}),
          ...(rowHistory ? { history: rowHistory } : {}),
        },
        now,
        this.options.rules,
      );
    });
  }

  /**
   * The sparklines' series for `names`: one batched GetMetricData read for all of them, kept for
   * `HISTORY_TTL_MS` and reused while it covers every name asked for (the service page's names are
   * among the overview's). A failed read leaves the rows without history; the error is reported.
   */
  private async queueHistory(names: readonly string[], refresh: Refresh): Promise<HistoryRead | undefined> {
    if (names.length === 0) return undefined;
    const now = this.now().getTime();
    const kept = this.history;
    if (kept && now - kept.at < HISTORY_TTL_MS && names.every((n) => kept.names.has(n))) return kept.value;
    const read = await refresh.read("cloudwatch:GetMetricData (history)", () =>
      readQueueHistory(this.clients.cloudwatch, names, this.now()),
    );
    if (read.value && read.staleSince === undefined) this.history = { at: now, names: new Set(names), value: read.value };
    return read.value;
  }

  /** Each fleet with its interruptions over the last 24 h: one DescribeSpotFleetRequestHistory listing per fleet, kept a minute. */
  private async withInterruptions(fleets: readonly SpotFleetInfo[], refresh: Refresh): Promise<SpotFleetInfo[]> {
    return mapLimit(fleets, PARALLEL_CALLS, async (fleet) => {
      const now = this.now();
      const kept = this.interruptions.get(fleet.id);
      if (kept && now.getTime() - kept.at < SPOT_HISTORY_TTL_MS) return { ...fleet, interruptions: kept.value };
      const read = await refresh.read(`ec2:DescribeSpotFleetRequestHistory ${fleet.id}`, () =>
        readSpotInterruptions(this.clients.ec2, fleet.id, now),
      );
      if (read.value && read.staleSince === undefined) this.interruptions.set(fleet.id, { at: now.getTime(), value: read.value });
      return read.value ? { ...fleet, interruptions: read.value } : fleet;
    });
  }

  /** The dashboard link: `--dashboard` as given (no call), else the lookup by the cluster's name prefix, kept ten minutes. */
  private async dashboardUrl(refresh: Refresh): Promise<string | undefined> {
    const region = this.options.region;
    if (this.options.dashboard) return dashboardUrl(region, this.options.dashboard);
    const now = this.now().getTime();
    if (!this.dashboard || now - this.dashboard.at >= DASHBOARD_TTL_MS) {
      const prefix = this.options.cluster.split("/").pop() ?? this.options.cluster;
      const read = await refresh.read("cloudwatch:ListDashboards", () => findDashboard(this.clients.cloudwatch, prefix));
      if (read.staleSince === undefined && "value" in read) this.dashboard = { at: now, name: read.value };
      else return this.dashboard?.name ? dashboardUrl(region, this.dashboard.name) : undefined;
    }
    return this.dashboard.name ? dashboardUrl(region, this.dashboard.name) : undefined;
  }

  /** A queue and its DLQ, read as one source: a failure of either stands in the last good pair. */
  private async queueFacts(url: string, refresh: Refresh): Promise<Read<QueueFacts>> {
    return refresh.read(`sqs:GetQueueAttributes ${url}`, async () => {
      const queue = await readQueue(this.clients.sqs, url);
      if (!queue.dlqArn) return { queue };
      const dlqUrl = await this.queueUrls.urlOf(queue.dlqArn);
      const dlq = await readQueue(this.clients.sqs, dlqUrl);
      return { queue, dlqUrl, dlqDepth: dlq.visible + dlq.inFlight + dlq.delayed };
    });
  }
}
