/**
 * A cluster's state as the capacity logic needs it, read from ECS: container instances (status,
 * registered and remaining CPU/memory), services (desired, running and pending counts, resources
 * per task) and the tasks that should run (where, for which service). The reader is a thin shell
 * over the ECS client passed in; everything computed from the state is pure (`placement.ts`,
 * `workers/capacity-controller/decide.ts`).
 *
 * Import-free apart from the SDK's types and commands, so it ships in the Lambda packages as is.
 */
import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
  type ContainerInstance,
  type ECSClient,
  type Resource,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";

/** CPU units (1024 = one vCPU) and memory in MiB, as ECS counts them. */
export interface Resources {
  readonly cpu: number;
  readonly memoryMiB: number;
}

export interface InstanceState {
  readonly containerInstanceArn: string;
  readonly ec2InstanceId: string;
  /** ECS status: ACTIVE, DRAINING, REGISTERING, … */
  readonly status: string;
  readonly instanceType?: string;
  readonly registered: Resources;
  readonly remaining: Resources;
}

export interface ServiceState {
  readonly serviceName: string;
  readonly schedulingStrategy: "REPLICA" | "DAEMON";
  readonly desiredCount: number;
  readonly runningCount: number;
  readonly pendingCount: number;
  /** What one task reserves. */
  readonly perTask: Resources;
}

export interface TaskState {
  readonly taskArn: string;
  /** Unset for a task not placed yet (PROVISIONING, capacity providers). */
  readonly containerInstanceArn?: string;
  /** `service:<name>` for a service's task, `family:<name>` for a standalone one. */
  readonly group: string;
  readonly lastStatus: string;
  readonly reserves: Resources;
}

export interface ClusterState {
  readonly instances: readonly InstanceState[];
  readonly services: readonly ServiceState[];
  /** Tasks whose desired status is RUNNING. */
  readonly tasks: readonly TaskState[];
}

/** The ECS API's page and batch limits. */
const LIST_PAGE = 100;
const DESCRIBE_INSTANCES_BATCH = 100;
const DESCRIBE_TASKS_BATCH = 100;
const DESCRIBE_SERVICES_BATCH = 10;
/** Bounds every listing loop: 100 pages of 100 is far above one cluster's size. */
const MAX_PAGES = 100;

export type EcsSend = Pick<ECSClient, "send">;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function listAll(list: (nextToken?: string) => Promise<{ arns?: string[]; nextToken?: string }>): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await list(nextToken);
    arns.push(...(out.arns ?? []));
    nextToken = out.nextToken;
    if (!nextToken) break;
  }
  return arns;
}

function resource(list: readonly Resource[] | undefined, name: "CPU" | "MEMORY"): number {
  return list?.find((r) => r.name === name)?.integerValue ?? 0;
}

export function instanceState(ci: ContainerInstance): InstanceState {
  return {
    containerInstanceArn: ci.containerInstanceArn ?? "",
    ec2InstanceId: ci.ec2InstanceId ?? "",
    status: ci.status ?? "UNKNOWN",
    instanceType: ci.attributes?.find((a) => a.name === "ecs.instance-type")?.value,
    registered: { cpu: resource(ci.registeredResources, "CPU"), memoryMiB: resource(ci.registeredResources, "MEMORY") },
    remaining: { cpu: resource(ci.remainingResources, "CPU"), memoryMiB: resource(ci.remainingResources, "MEMORY") },
  };
}

/**
 * What one task of a definition reserves: the task-level `cpu`/`memory` when set, else the sum over
 * its containers (`memory`, or `memoryReservation` when only the soft limit is given).
 */
export function taskDefinitionResources(td: TaskDefinition): Resources {
  const containers = td.containerDefinitions ?? [];
  const cpu = td.cpu ? Number(td.cpu) : containers.reduce((sum, c) => sum + (c.cpu ?? 0), 0);
  const memoryMiB = td.memory ? Number(td.memory) : containers.reduce((sum, c) => sum + (c.memory ?? c.memoryReservation ?? 0), 0);
  return { cpu, memoryMiB };
}

/** Resources per task definition ARN. A revision never changes, so a cache may live as long as its caller. */
export type TaskDefinitionCache = Map<string, Promise<Resources>>;

/** Reads the whole state of one cluster. Task definitions are described once each per cache. */
export async function readClusterState(ecs: EcsSend, cluster: string, definitions: TaskDefinitionCache = new Map()): Promise<ClusterState> {
  const perTask = (arn: string): Promise<Resources> => {
    let r = definitions.get(arn);
    if (!r) {
      r = ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })).then((out) => taskDefinitionResources(out.taskDefinition!));
      // A failed read is not kept: the next pass asks again.
      r.catch(() => definitions.delete(arn));
      definitions.set(arn, r);
    }
    return r;
  };

  const instanceArns = await listAll(async (nextToken) => {
    const out = await ecs.send(new ListContainerInstancesCommand({ cluster, maxResults: LIST_PAGE, nextToken }));
    return { arns: out.containerInstanceArns, nextToken: out.nextToken };
  });
  const instances: InstanceState[] = [];
  for (const batch of chunks(instanceArns, DESCRIBE_INSTANCES_BATCH)) {
    const out = await ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: batch }));
    instances.push(...(out.containerInstances ?? []).map(instanceState));
  }

  const serviceArns = await listAll(async (nextToken) => {
    const out = await ecs.send(new ListServicesCommand({ cluster, maxResults: LIST_PAGE, nextToken }));
    return { arns: out.serviceArns, nextToken: out.nextToken };
  });
  const services: ServiceState[] = [];
  for (const batch of chunks(serviceArns, DESCRIBE_SERVICES_BATCH)) {
    const out = await ecs.send(new DescribeServicesCommand({ cluster, services: batch }));
    for (const s of out.services ?? []) {
      if (s.status !== "ACTIVE" || !s.taskDefinition) continue;
      services.push({
        serviceName: s.serviceName ?? "",
        schedulingStrategy: s.schedulingStrategy === "DAEMON" ? "DAEMON" : "REPLICA",
        desiredCount: s.desiredCount ?? 0,
        runningCount: s.runningCount ?? 0,
        pendingCount: s.pendingCount ?? 0,
        perTask: await perTask(s.taskDefinition),
      });
    }
  }

  const taskArns = await listAll(async (nextToken) => {
    const out = await ecs.send(new ListTasksCommand({ cluster, desiredStatus: "RUNNING", maxResults: LIST_PAGE, nextToken }));
    return { arns: out.taskArns, nextToken: out.nextToken };
  });
  const tasks: TaskState[] = [];
  for (const batch of chunks(taskArns, DESCRIBE_TASKS_BATCH)) {
    const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: batch }));
    for (const t of out.tasks ?? []) {
      tasks.push({
        taskArn: t.taskArn ?? "",
        containerInstanceArn: t.containerInstanceArn || undefined,
        group: t.group ?? "",
        lastStatus: t.lastStatus ?? "UNKNOWN",
        reserves: await perTask(t.taskDefinitionArn!),
      });
    }
  }
  return { instances, services, tasks };
}
