/**
 * Policies on how worker services scale. They relate several resources (service → task definition →
 * queue; service → scalable target → scaling policies ← backlog alarm on the queue), so they are stack
 * policies. They follow references by value when values are known, and by the engine's property
 * dependencies when they are not (a new stack's first preview: `resourceId`, ARNs and queue names are
 * unknown, but which resource each was made from is known), so they decide at preview too.
 */
import type { PolicyConfigSchema, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configWithDefaults, containersOf, dependsOn, knownString, ofType, peek } from "../support";
import { TYPES, type TaskDefinitionProps } from "../types";

const DESIRED_COUNT = "ecs:service:DesiredCount";

/** The known string entries of a list property (unknown entries and an unknown list are skipped). */
function knownList(props: Record<string, unknown>, key: string): string[] {
  const value = peek(props, key);
  if (!Array.isArray(value)) return [];
  const out: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const entry = peek(value as unknown as Record<string, unknown>, String(i));
    if (typeof entry === "string") out.push(entry);
  }
  return out;
}

/** App Auto Scaling's id of an ECS service: `service/<cluster name>/<service name>`. */
export function serviceResourceId(service: PolicyResource): string | undefined {
  const cluster = knownString(service.props, "cluster");
  const name = knownString(service.props, "name");
  if (!cluster || !name) return undefined;
  // `cluster` is the cluster's ARN (`arn:aws:ecs:<region>:<account>:cluster/<name>`) or its name.
  const clusterName = cluster.includes(":cluster/") ? cluster.slice(cluster.indexOf(":cluster/") + ":cluster/".length) : cluster;
  return `service/${clusterName}/${name}`;
}

/** The service's scalable targets on its desired count. */
function targetsOf(service: PolicyResource, targets: PolicyResource[]): PolicyResource[] {
  const resourceId = serviceResourceId(service);
  return targets.filter(
    (t) =>
      (knownString(t.props, "scalableDimension") ?? DESIRED_COUNT) === DESIRED_COUNT &&
      ((resourceId !== undefined && knownString(t.props, "resourceId") === resourceId) || dependsOn(t, "resourceId", service)),
  );
}

function taskDefinitionOf(service: PolicyResource, taskDefinitions: PolicyResource[]): PolicyResource | undefined {
  const ref = knownString(service.props, "taskDefinition");
  return taskDefinitions.find((td) => {
    if (dependsOn(service, "taskDefinition", td)) return true;
    const family = knownString(td.props, "family");
    const revision = peek(td.props, "revision");
    const names = [
      knownString(td.props, "arn"),
      knownString(td.props, "arnWithoutRevision"),
      family,
      knownString(td.props, "id"),
      family && revision !== undefined ? `${family}:${String(revision)}` : undefined,
    ];
    return ref !== undefined && names.includes(ref);
  });
}

/**
 * Queues whose URL or ARN a container of the task definition receives in its environment; while the
 * container definitions are unknown (they embed the queue's URL), the queues they were made from.
 */
function queuesConsumedBy(taskDefinition: PolicyResource, queues: PolicyResource[]): PolicyResource[] {
  if (knownString(taskDefinition.props, "containerDefinitions") === undefined) {
    return queues.filter((q) => dependsOn(taskDefinition, "containerDefinitions", q));
  }
  const values = new Set(
    containersOf(taskDefinition.props as TaskDefinitionProps).flatMap(({ container }) => (container.environment ?? []).map((e) => e.value)),
  );
  return queues.filter((q) => ["url", "id", "arn"].some((k) => values.has(knownString(q.props, k))));
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
    "Checks whether every (replica) ECS service has an App Auto Scaling target on its desired count with a bounded `maxCapacity`; DAEMON services are exempt (jobworker's own rule; no AWS control).",
  enforcementLevel: "advisory",
  configSchema: targetSchema,
  validateStack: (args, report) => {
    const { maxCapacityLimit } = configWithDefaults<{ maxCapacityLimit: number }>(targetSchema, args);
    const targets = ofType(args.resources, TYPES.scalableTarget);
    for (const service of ofType(args.resources, TYPES.service)) {
      // A DAEMON service runs one task per instance (log collectors, agents): there is nothing to scale.
      if (peek(service.props, "schedulingStrategy") === "DAEMON") continue;
      const name = knownString(service.props, "name") ?? service.name;
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

/**
 * Whether an alarm watches one of the backlog metrics of the queue (plain metric or inside metric
 * math): by the `QueueName` dimension when known, else by the dimension's dependency on the queue.
 */
function watchesBacklog(alarm: PolicyResource, queue: PolicyResource, metrics: string[]): boolean {
  const queueName = knownString(queue.props, "name");
  const onQueue = (dimensions: unknown, field: string) =>
    (queueName !== undefined && knownString(dimensions as Record<string, unknown> | undefined, "QueueName") === queueName) ||
    dependsOn(alarm, field, queue);
  const matches = (m: { namespace?: unknown; metricName?: unknown; dimensions?: unknown } | undefined) =>
    m !== undefined && m.namespace === "AWS/SQS" && typeof m.metricName === "string" && metrics.includes(m.metricName);
  const plain = { namespace: peek(alarm.props, "namespace"), metricName: peek(alarm.props, "metricName") };
  if (matches(plain) && onQueue(peek(alarm.props, "dimensions"), "dimensions")) return true;
  const queries = (peek(alarm.props, "metricQueries") ?? []) as {
    metric?: { namespace?: unknown; metricName?: unknown; dimensions?: unknown };
  }[];
  return queries.some((q) => {
    const metric = peek(q as Record<string, unknown>, "metric") as Record<string, unknown> | undefined;
    const m = metric && { namespace: peek(metric, "namespace"), metricName: peek(metric, "metricName") };
    return matches(m) && onQueue(peek(metric, "dimensions"), "metricQueries");
  });
}

export const queueConsumerScaling: StackValidationPolicy = {
  name: "ecs-queue-consumer-scaling",
  description:
    "Checks whether every ECS service that consumes an SQS queue has scaling policies on its scalable target and a backlog alarm on that queue that triggers one of them (jobworker's own rule; no AWS control).",
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
      const name = knownString(service.props, "name") ?? service.name;
      const serviceTargets = targetsOf(service, targets);
      const ids = new Set(serviceTargets.map((t) => knownString(t.props, "resourceId")).filter((id) => id !== undefined));
      const policies = scalingPolicies.filter((p) => {
        const id = knownString(p.props, "resourceId");
        return (id !== undefined && ids.has(id)) || serviceTargets.some((t) => dependsOn(p, "resourceId", t));
      });
      if (policies.length === 0) {
        report(
          `ECS service \`${name}\` consumes a queue but has no scaling policies: add \`aws.appautoscaling.Policy\` resources on its scalable target (\`resourceId\` "${serviceResourceId(service) ?? "service/<cluster>/<service>"}").`,
          service.urn,
        );
      }
      const policyArns = new Set(policies.map((p) => knownString(p.props, "arn")).filter((a) => a !== undefined));
      // An alarm triggers a policy when its actions hold the policy's ARN, or were made from the policy.
      const triggers = (a: PolicyResource) =>
        [...knownList(a.props, "alarmActions"), ...knownList(a.props, "okActions")].some((x) => policyArns.has(x)) ||
        policies.some((p) => dependsOn(a, "alarmActions", p) || dependsOn(a, "okActions", p));
      for (const queue of consumed) {
        const queueName = knownString(queue.props, "name") ?? queue.name;
        const onQueue = alarms.filter((a) => watchesBacklog(a, queue, backlogMetrics));
        if (onQueue.length === 0) {
          report(
            `ECS service \`${name}\` consumes SQS queue \`${queueName}\` but no CloudWatch alarm watches its backlog: add an \`aws.cloudwatch.MetricAlarm\` on AWS/SQS ${backlogMetrics.join(" or ")} with dimension QueueName "${queueName}".`,
            service.urn,
          );
          continue;
        }
        if (policies.length > 0 && !onQueue.some(triggers)) {
          report(
            `backlog alarm(s) ${onQueue.map((a) => `\`${a.name}\``).join(", ")} on SQS queue \`${queueName}\` trigger none of ECS service \`${name}\`'s scaling policies: put a scaling policy's ARN in \`alarmActions\`.`,
            onQueue[0].urn,
          );
        }
      }
    }
  },
};
