/**
 * Policies on how worker services scale. They relate several resources (service → task definition →
 * queue; service → scalable target → scaling policies ← backlog alarm on the queue), so they are stack
 * policies and follow references by the values the resources' outputs carry.
 */
import type { PolicyConfigSchema, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configWithDefaults, containersOf, ofType } from "../support";
import { TYPES, type TaskDefinitionProps } from "../types";

const DESIRED_COUNT = "ecs:service:DesiredCount";

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** App Auto Scaling's id of an ECS service: `service/<cluster name>/<service name>`. */
export function serviceResourceId(service: PolicyResource): string | undefined {
  const cluster = str(service.props.cluster);
  const name = str(service.props.name);
  if (!cluster || !name) return undefined;
  // `cluster` is the cluster's ARN (`arn:aws:ecs:<region>:<account>:cluster/<name>`) or its name.
  const clusterName = cluster.includes(":cluster/") ? cluster.slice(cluster.indexOf(":cluster/") + ":cluster/".length) : cluster;
  return `service/${clusterName}/${name}`;
}

function dependsOn(resource: PolicyResource, property: string, target: PolicyResource): boolean {
  return resource.propertyDependencies?.[property]?.some((d) => d.urn === target.urn) ?? false;
}

/** The service's scalable targets on its desired count. */
function targetsOf(service: PolicyResource, targets: PolicyResource[]): PolicyResource[] {
  const resourceId = serviceResourceId(service);
  return targets.filter(
    (t) =>
      (t.props.scalableDimension ?? DESIRED_COUNT) === DESIRED_COUNT &&
      ((resourceId !== undefined && t.props.resourceId === resourceId) || dependsOn(t, "resourceId", service)),
  );
}

function taskDefinitionOf(service: PolicyResource, taskDefinitions: PolicyResource[]): PolicyResource | undefined {
  const ref = str(service.props.taskDefinition);
  return taskDefinitions.find((td) => {
    if (dependsOn(service, "taskDefinition", td)) return true;
    const p = td.props;
    const names = [
      p.arn,
      p.arnWithoutRevision,
      p.family,
      p.id,
      p.family && p.revision !== undefined ? `${p.family}:${p.revision}` : undefined,
    ];
    return ref !== undefined && names.includes(ref);
  });
}

/** Queues whose URL or ARN a container of the task definition receives in its environment. */
function queuesConsumedBy(taskDefinition: PolicyResource, queues: PolicyResource[]): PolicyResource[] {
  const values = new Set(
    containersOf(taskDefinition.props as TaskDefinitionProps).flatMap(({ container }) => (container.environment ?? []).map((e) => e.value)),
  );
  return queues.filter((q) => [q.props.url, q.props.id, q.props.arn].some((v) => typeof v === "string" && values.has(v)));
}

const targetSchema: PolicyConfigSchema = {
  properties: {
    maxCapacityLimit: {
      type: "integer",
      minimum: 1,
      default: 100,
      description: "Largest `maxCapacity` (tasks) a service's scalable target may set.",
    },
  },
};

export const serviceScalableTarget: StackValidationPolicy = {
  name: "ecs-service-scalable-target",
  description:
    "Checks whether every (replica) ECS service has an App Auto Scaling target on its desired count with a bounded `maxCapacity`; DAEMON services are exempt.",
  enforcementLevel: "advisory",
  configSchema: targetSchema,
  validateStack: (args, report) => {
    const { maxCapacityLimit } = configWithDefaults<{ maxCapacityLimit: number }>(targetSchema, args);
    const targets = ofType(args.resources, TYPES.scalableTarget);
    for (const service of ofType(args.resources, TYPES.service)) {
      // A DAEMON service runs one task per instance (log collectors, agents): there is nothing to scale.
      if (service.props.schedulingStrategy === "DAEMON") continue;
      const name = str(service.props.name) ?? service.name;
      const found = targetsOf(service, targets);
      if (found.length === 0) {
        report(
          `ECS service \`${name}\` has no scalable target: add an \`aws.appautoscaling.Target\` with \`resourceId\` "${serviceResourceId(service) ?? "service/<cluster>/<service>"}", \`scalableDimension\` "${DESIRED_COUNT}" and a \`maxCapacity\`.`,
          service.urn,
        );
        continue;
      }
      for (const target of found) {
        const max = Number(target.props.maxCapacity);
        const min = Number(target.props.minCapacity ?? 0);
        if (!Number.isInteger(max) || max < 1 || max > maxCapacityLimit) {
          report(
            `scalable target \`${target.name}\` of ECS service \`${name}\` must set \`maxCapacity\` from 1 to ${maxCapacityLimit} (found ${String(target.props.maxCapacity)}).`,
            target.urn,
          );
        } else if (min > max) {
          report(
            `scalable target \`${target.name}\` of ECS service \`${name}\` sets \`minCapacity\` ${min} above \`maxCapacity\` ${max}.`,
            target.urn,
          );
        }
      }
    }
  },
};

const consumerSchema: PolicyConfigSchema = {
  properties: {
    backlogMetrics: {
      type: "array",
      items: { type: "string" },
      default: ["ApproximateNumberOfMessagesVisible"],
      description: "AWS/SQS metrics that count as a backlog alarm.",
    },
  },
};

/** Whether an alarm watches one of the backlog metrics of the queue (plain metric or inside metric math). */
function watchesBacklog(alarm: PolicyResource, queue: PolicyResource, metrics: string[]): boolean {
  const queueName = str(queue.props.name);
  const matches = (m: { namespace?: unknown; metricName?: unknown; dimensions?: unknown } | undefined) =>
    m !== undefined &&
    m.namespace === "AWS/SQS" &&
    typeof m.metricName === "string" &&
    metrics.includes(m.metricName) &&
    queueName !== undefined &&
    (m.dimensions as Record<string, unknown> | undefined)?.QueueName === queueName;
  const queries = (alarm.props.metricQueries ?? []) as { metric?: { namespace?: unknown; metricName?: unknown; dimensions?: unknown } }[];
  return (
    matches(alarm.props as { namespace?: unknown; metricName?: unknown; dimensions?: unknown }) || queries.some((q) => matches(q.metric))
  );
}

export const queueConsumerScaling: StackValidationPolicy = {
  name: "ecs-queue-consumer-scaling",
  description:
    "Checks whether every ECS service that consumes an SQS queue has scaling policies on its scalable target and a backlog alarm on that queue that triggers one of them.",
  enforcementLevel: "mandatory",
  configSchema: consumerSchema,
  validateStack: (args, report) => {
    const { backlogMetrics } = configWithDefaults<{ backlogMetrics: string[] }>(consumerSchema, args);
    const taskDefinitions = ofType(args.resources, TYPES.taskDefinition);
    const queues = ofType(args.resources, TYPES.queue);
    const targets = ofType(args.resources, TYPES.scalableTarget);
    const scalingPolicies = ofType(args.resources, TYPES.scalingPolicy);
    const alarms = ofType(args.resources, TYPES.metricAlarm);
    for (const service of ofType(args.resources, TYPES.service)) {
      const taskDefinition = taskDefinitionOf(service, taskDefinitions);
      const consumed = taskDefinition ? queuesConsumedBy(taskDefinition, queues) : [];
      if (consumed.length === 0) continue;
      const name = str(service.props.name) ?? service.name;
      const serviceTargets = targetsOf(service, targets);
      const ids = new Set(serviceTargets.map((t) => t.props.resourceId));
      const policies = scalingPolicies.filter(
        (p) => ids.has(p.props.resourceId) || serviceTargets.some((t) => dependsOn(p, "resourceId", t)),
      );
      if (policies.length === 0) {
        report(
          `ECS service \`${name}\` consumes a queue but has no scaling policies: add \`aws.appautoscaling.Policy\` resources on its scalable target (\`resourceId\` "${serviceResourceId(service) ?? "service/<cluster>/<service>"}").`,
          service.urn,
        );
      }
      const policyArns = new Set(policies.map((p) => p.props.arn).filter((a) => typeof a === "string"));
      for (const queue of consumed) {
        const queueName = str(queue.props.name) ?? queue.name;
        const onQueue = alarms.filter((a) => watchesBacklog(a, queue, backlogMetrics));
        if (onQueue.length === 0) {
          report(
            `ECS service \`${name}\` consumes SQS queue \`${queueName}\` but no CloudWatch alarm watches its backlog: add an \`aws.cloudwatch.MetricAlarm\` on AWS/SQS ${backlogMetrics.join(" or ")} with dimension QueueName "${queueName}".`,
            service.urn,
          );
          continue;
        }
        const actions = (a: PolicyResource) => [
          ...((a.props.alarmActions ?? []) as unknown[]),
          ...((a.props.okActions ?? []) as unknown[]),
        ];
        if (policies.length > 0 && !onQueue.some((a) => actions(a).some((x) => typeof x === "string" && policyArns.has(x)))) {
          report(
            `backlog alarm(s) ${onQueue.map((a) => `\`${a.name}\``).join(", ")} on SQS queue \`${queueName}\` trigger none of ECS service \`${name}\`'s scaling policies: put a scaling policy's ARN in \`alarmActions\`.`,
            onQueue[0].urn,
          );
        }
      }
    }
  },
};
