/**
 * ECS reads: services, tasks, task definitions and container instances of one cluster, in batches
 * of the sizes ECS accepts and following every `nextToken`.
 */
import {
  ContainerInstance,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
  Service,
  Task,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import { chunk, mapLimit, paginate } from "./batch";
import { AWS_CALLS_IN_FLIGHT } from "./limiter";

/** DescribeServices takes at most 10 services per call. */
export const DESCRIBE_SERVICES_BATCH = 10;
/** DescribeTasks takes at most 100 tasks per call. */
export const DESCRIBE_TASKS_BATCH = 100;
/** DescribeContainerInstances takes at most 100 instances per call. */
export const DESCRIBE_CONTAINER_INSTANCES_BATCH = 100;
/**
 * Calls a listing fans out at once. The real limit is the clients' shared `CallLimiter`
 * (`AWS_CALLS_IN_FLIGHT`); this only keeps a listing from queuing hundreds of promises.
 */
export const PARALLEL_CALLS = AWS_CALLS_IN_FLIGHT;

export async function listClusterArns(ecs: ECSClient): Promise<string[]> {
  return paginate("ecs:ListClusters", async (nextToken) => {
    const out = await ecs.send(new ListClustersCommand({ nextToken }));
    return { items: out.clusterArns, next: out.nextToken };
  });
}

/** Every service on the cluster, described (with tags), in ListServices order. */
export async function describeAllServices(ecs: ECSClient, cluster: string): Promise<Service[]> {
  const arns = await paginate("ecs:ListServices", async (nextToken) => {
    const out = await ecs.send(new ListServicesCommand({ cluster, nextToken, maxResults: 100 }));
    return { items: out.serviceArns, next: out.nextToken };
  });
  const pages = await mapLimit(chunk(arns, DESCRIBE_SERVICES_BATCH), PARALLEL_CALLS, async (services) => {
    const out = await ecs.send(new DescribeServicesCommand({ cluster, services, include: ["TAGS"] }));
    return out.services ?? [];
  });
  return pages.flat();
}

/**
 * The cluster's tasks whose desired status is RUNNING (running, pending, and stopping ones), or
 * STOPPED (ECS keeps stopped tasks about an hour), one listing for the whole cluster rather than one
 * per service: a task's `group` (`service:<name>`) says which service started it.
 */
export async function describeClusterTasks(
  ecs: ECSClient,
  cluster: string,
  desiredStatus: "RUNNING" | "STOPPED" = "RUNNING",
): Promise<Task[]> {
  const arns = await paginate("ecs:ListTasks", async (nextToken) => {
    const out = await ecs.send(new ListTasksCommand({ cluster, nextToken, desiredStatus, maxResults: 100 }));
    return { items: out.taskArns, next: out.nextToken };
  });
  return describeTasks(ecs, cluster, arns);
}

export async function describeTasks(ecs: ECSClient, cluster: string, taskArns: readonly string[]): Promise<Task[]> {
  const pages = await mapLimit(chunk(taskArns, DESCRIBE_TASKS_BATCH), PARALLEL_CALLS, async (tasks) => {
    const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks }));
    return out.tasks ?? [];
  });
  return pages.flat();
}

/**
 * Task definitions by ARN. A revision never changes once registered, so the cache is never
 * invalidated: a refresh only fetches revisions it has not seen.
 */
export class TaskDefinitionCache {
  private readonly byArn = new Map<string, TaskDefinition>();
  constructor(private readonly ecs: ECSClient) {}

  async get(arns: readonly string[]): Promise<Map<string, TaskDefinition>> {
    const missing = [...new Set(arns)].filter((arn) => !this.byArn.has(arn));
    await mapLimit(missing, PARALLEL_CALLS, async (taskDefinition) => {
      const out = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
      if (out.taskDefinition) this.byArn.set(taskDefinition, out.taskDefinition);
    });
    return new Map(arns.flatMap((arn) => (this.byArn.has(arn) ? [[arn, this.byArn.get(arn) as TaskDefinition] as const] : [])));
  }
}

export async function describeAllContainerInstances(ecs: ECSClient, cluster: string): Promise<ContainerInstance[]> {
  const arns = await paginate("ecs:ListContainerInstances", async (nextToken) => {
    const out = await ecs.send(new ListContainerInstancesCommand({ cluster, nextToken, maxResults: 100 }));
    return { items: out.containerInstanceArns, next: out.nextToken };
  });
  const pages = await mapLimit(chunk(arns, DESCRIBE_CONTAINER_INSTANCES_BATCH), PARALLEL_CALLS, async (containerInstances) => {
    const out = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances }));
    return out.containerInstances ?? [];
  });
  return pages.flat();
}
