/** App Auto Scaling reads: each ECS service's scalable target, whose `MaxCapacity` is JobWorker's `maxTasks`. */
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand } from "@aws-sdk/client-application-auto-scaling";
import { paginate } from "./batch";

/** `service/<cluster>/<service>`: App Auto Scaling's resource id of an ECS service. */
export function serviceResourceId(cluster: string, serviceName: string): string {
  return `service/${cluster}/${serviceName}`;
}

/** Service name → the `MaxCapacity` of its scalable target, for the services of `cluster` (a name, not an ARN). */
export async function maxTasksByService(autoscaling: ApplicationAutoScalingClient, cluster: string): Promise<Map<string, number>> {
  const targets = await paginate("application-autoscaling:DescribeScalableTargets", async (NextToken) => {
    const out = await autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs", NextToken }));
    return { items: out.ScalableTargets, next: out.NextToken };
  });
  const prefix = serviceResourceId(cluster, "");
  const max = new Map<string, number>();
  for (const t of targets) {
    if (t.ScalableDimension !== "ecs:service:DesiredCount" || !t.ResourceId?.startsWith(prefix) || t.MaxCapacity === undefined) continue;
    max.set(t.ResourceId.slice(prefix.length), t.MaxCapacity);
  }
  return max;
}
