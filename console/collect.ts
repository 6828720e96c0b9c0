/**
 * Collects one snapshot of the cluster from the AWS APIs: batched, paginated, a bounded number of
 * calls in flight, and every failed call recorded in `errors` (shown by the UI and the CLI) rather
 * than swallowed; what could be read is still shown.
 */
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import type { ContainerInstance, Service, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import { DescribeServicesCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { mapLimit, paginate } from "./aws/batch";
import { ConsoleClients } from "./aws/clients";
import { describeAllMetricAlarms, oldestMessageAges } from "./aws/cloudwatch";
import { describeInstanceStates, describeSpotFleets, Ec2InstanceState } from "./aws/ec2";
import { describeAllContainerInstances, describeAllServices, describeClusterTasks, describeTasks, PARALLEL_CALLS, TaskDefinitionCache } from "./aws/ecs";
import { QueueUrlCache, readQueue } from "./aws/sqs";
import { buildClusterPanel } from "./cluster";
import { describeAwsError, NotFoundError } from "./errors";
import { AttentionRules, buildRow, clusterLogGroupOf, logsUrl, queueUrlOf, serviceEvents, serviceOfTask, taskInfo } from "./model";
import { CollectionError, QueueState, ServiceDetail, Snapshot, WorkerRow } from "./types";

export interface CollectorOptions {
  /** ECS cluster name or ARN. */
  readonly cluster: string;
  /** Region, for display and log links. */
  readonly region: string;
  /** The cluster's container log group, for log links. @default found in the log collector's task definition */
  readonly logGroup?: string;
  /** Spot Fleet request ids to show even if none of their instances joined the cluster. @default [] (found through the cluster's instances) */
  readonly fleetIds?: readonly string[];
  readonly rules?: AttentionRules;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

interface QueueFacts {
  queue?: QueueState;
  dlqUrl?: string;
  dlqDepth?: number;
}

export class Collector {
  private readonly taskDefinitions: TaskDefinitionCache;
  private readonly queueUrls: QueueUrlCache;
  private readonly now: () => Date;
  private clusterLogGroup: string | undefined;

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
    const errors: CollectionError[] = [];
    const attempt = this.attempt(errors);
    const { ecs, ec2, cloudwatch } = this.clients;
    const cluster = this.options.cluster;

    const [services, tasks, alarms, containerInstances, fleets] = await Promise.all([
      attempt("ecs:ListServices/DescribeServices", () => describeAllServices(ecs, cluster)),
      attempt("ecs:ListTasks/DescribeTasks", () => describeClusterTasks(ecs, cluster)),
      attempt("cloudwatch:DescribeAlarms", () => describeAllMetricAlarms(cloudwatch)),
      attempt("ecs:ListContainerInstances/DescribeContainerInstances", () => describeAllContainerInstances(ecs, cluster)),
      attempt("ec2:DescribeSpotFleetRequests", () => describeSpotFleets(ec2, this.options.fleetIds ?? [])),
    ]);
    const rows = await this.rows(services ?? [], tasks ?? [], alarms ?? [], errors);

    const ec2Ids = (containerInstances ?? []).flatMap((ci) => (ci.ec2InstanceId ? [ci.ec2InstanceId] : []));
    const ec2States =
      ec2Ids.length > 0 ? await attempt("ec2:DescribeInstances", () => describeInstanceStates(ec2, ec2Ids)) : new Map<string, Ec2InstanceState>();
    const clusterPanel = buildClusterPanel({
      cluster,
      containerInstances: containerInstances ?? [],
      ec2States: ec2States ?? new Map(),
      fleets: fleets ?? [],
      namedFleetIds: this.options.fleetIds ?? [],
    });
    return {
      cluster,
      region: this.options.region,
      generatedAt: this.now().toISOString(),
      workers: rows.sort((a, b) => a.worker.localeCompare(b.worker) || a.serviceName.localeCompare(b.serviceName)),
      clusterPanel,
      errors,
    };
  }

  /** One service: its row, tasks, recent events and logs link. Unknown services are a 404. */
  async serviceDetail(serviceName: string): Promise<ServiceDetail & { errors: CollectionError[] }> {
    const errors: CollectionError[] = [];
    const attempt = this.attempt(errors);
    const { ecs, cloudwatch } = this.clients;
    const cluster = this.options.cluster;
    const described = await ecs.send(new DescribeServicesCommand({ cluster, services: [serviceName], include: ["TAGS"] }));
    const service = (described.services ?? []).find((s) => s.status !== "INACTIVE");
    if (!service) throw new NotFoundError(`service \`${serviceName}\` not found on cluster \`${cluster}\``, { context: { serviceName, cluster } });
    const [tasks, alarms] = await Promise.all([
      attempt("ecs:ListTasks/DescribeTasks", () => this.serviceTasks(serviceName)),
      attempt("cloudwatch:DescribeAlarms", () => describeAllMetricAlarms(cloudwatch)),
    ]);
    const [row] = await this.rows([service], tasks ?? [], alarms ?? [], errors);
    const containerInstanceArns = [...new Set((tasks ?? []).flatMap((t) => (t.containerInstanceArn ? [t.containerInstanceArn] : [])))];
    const ec2ByCi = new Map<string, string>();
    if (containerInstanceArns.length > 0) {
      const cis = await attempt("ecs:DescribeContainerInstances", () => this.describeContainerInstances(containerInstanceArns));
      for (const ci of cis ?? []) if (ci.containerInstanceArn && ci.ec2InstanceId) ec2ByCi.set(ci.containerInstanceArn, ci.ec2InstanceId);
    }
    const taskDefinition = service.taskDefinition ? (await this.taskDefinitions.get([service.taskDefinition])).get(service.taskDefinition) : undefined;
    const usesCollector = (taskDefinition?.containerDefinitions ?? []).some((c) => c.logConfiguration?.logDriver === "fluentd");
    if (usesCollector && this.clusterLogGroup === undefined) {
      // Found once from the log collector daemon's task definition, then remembered.
      const services = await attempt("ecs:ListServices/DescribeServices", () => describeAllServices(ecs, cluster));
      const arns = (services ?? []).flatMap((s) => (s.taskDefinition ? [s.taskDefinition] : []));
      const tds = await attempt("ecs:DescribeTaskDefinition", () => this.taskDefinitions.get(arns));
      this.clusterLogGroup = clusterLogGroupOf(tds?.values() ?? []);
    }
    const link = logsUrl(taskDefinition, this.options.region, this.clusterLogGroup);
    return {
      row: row as WorkerRow,
      tasks: (tasks ?? []).map((t) => taskInfo(t, ec2ByCi)).sort((a, b) => a.taskId.localeCompare(b.taskId)),
      events: serviceEvents(service),
      ...(link ? { logsUrl: link } : {}),
      errors,
    };
  }

  /**
   * The service's tasks whose desired status is RUNNING. ListTasks is asked for the service, and
   * the result is also checked against each task's `group`, so the list is exactly the service's.
   */
  async serviceTasks(serviceName: string): Promise<Task[]> {
    const { ecs } = this.clients;
    const cluster = this.options.cluster;
    const arns = await paginate("ecs:ListTasks", async (nextToken) => {
      const out = await ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus: "RUNNING", nextToken, maxResults: 100 }));
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

  private async rows(services: readonly Service[], tasks: readonly Task[], alarms: readonly MetricAlarm[], errors: CollectionError[]): Promise<WorkerRow[]> {
    const attempt = this.attempt(errors);
    const live = services.filter((s) => s.status !== "INACTIVE");
    const tdArns = live.flatMap((s) => (s.taskDefinition ? [s.taskDefinition] : []));
    const taskDefinitions = (await attempt("ecs:DescribeTaskDefinition", () => this.taskDefinitions.get(tdArns))) ?? new Map<string, TaskDefinition>();
    this.clusterLogGroup ??= clusterLogGroupOf(taskDefinitions.values());
    const located = live.map((service) => {
      const taskDefinition = service.taskDefinition ? taskDefinitions.get(service.taskDefinition) : undefined;
      return { service, taskDefinition, ...queueUrlOf(service, taskDefinition) };
    });
    const queueFacts = await mapLimit(located, PARALLEL_CALLS, async ({ url }): Promise<QueueFacts> => (url ? this.queueFacts(url, errors) : {}));
    const queueNames = queueFacts.flatMap((f) => (f.queue ? [f.queue.name] : []));
    const ages =
      queueNames.length > 0
        ? (await attempt("cloudwatch:GetMetricData", () => oldestMessageAges(this.clients.cloudwatch, queueNames, this.now()))) ?? new Map<string, number>()
        : new Map<string, number>();
    const tasksByService = new Map<string, Task[]>();
    for (const t of tasks) {
      const name = serviceOfTask(t);
      if (name) tasksByService.set(name, [...(tasksByService.get(name) ?? []), t]);
    }
    const now = this.now();
    return located.map(({ service, taskDefinition, source }, i) => {
      const facts = queueFacts[i] as QueueFacts;
      const age = facts.queue ? ages.get(facts.queue.name) : undefined;
      return buildRow(
        {
          cluster: this.options.cluster,
          service,
          ...(taskDefinition ? { taskDefinition } : {}),
          tasks: tasksByService.get(service.serviceName ?? "") ?? [],
          ...facts,
          ...(age !== undefined ? { oldestMessageAgeSeconds: age } : {}),
          alarms,
          queueSource: source,
        },
        now,
        this.options.rules,
      );
    });
  }

  private async queueFacts(url: string, errors: CollectionError[]): Promise<QueueFacts> {
    const attempt = this.attempt(errors);
    const queue = await attempt(`sqs:GetQueueAttributes ${url}`, () => readQueue(this.clients.sqs, url));
    if (!queue?.dlqArn) return queue ? { queue } : {};
    const dlqArn = queue.dlqArn;
    const dlqUrl = await attempt(`sqs:GetQueueUrl ${dlqArn}`, () => this.queueUrls.urlOf(dlqArn));
    if (!dlqUrl) return { queue };
    const dlq = await attempt(`sqs:GetQueueAttributes ${dlqUrl}`, () => readQueue(this.clients.sqs, dlqUrl));
    return { queue, dlqUrl, ...(dlq ? { dlqDepth: dlq.visible + dlq.inFlight + dlq.delayed } : {}) };
  }

  private attempt(errors: CollectionError[]) {
    return async <T>(source: string, fn: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await fn();
      } catch (err) {
        errors.push({ source, ...describeAwsError(err) });
        return undefined;
      }
    };
  }
}
