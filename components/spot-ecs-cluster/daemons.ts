/** Node-local daemons: one task per container instance (ECS `DAEMON` scheduling). */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DaemonSpec } from "./args";
import { daemonContainerDefinitions } from "./log-collector-spec";
import { policyDocument } from "../iam";
import { ecsTasksAssumeRolePolicy, scopeOfArn, type AwsScope } from "../job-worker/policies";
import { daemonVolumes } from "./daemon-container";
import { daemonExecutionRolePolicy } from "./daemon-policies";

export interface DaemonArgs {
  readonly spec: DaemonSpec;
  readonly clusterArn: pulumi.Input<string>;
  readonly logGroupName: pulumi.Input<string>;
  readonly logGroupArn: pulumi.Input<string>;
  readonly region: pulumi.Input<string>;
  /** Account, region and partition: the task role trusts only this account's ECS (confused-deputy keys). */
  readonly scope: pulumi.Input<AwsScope>;
  /** The image the task runs, when not the spec's (the log collector's digest-pinned mirror). */
  readonly image?: pulumi.Input<string>;
  /** Extra statements for the task role (the log collector's write access). */
  readonly taskPolicy?: pulumi.Input<string>;
  readonly tags: Readonly<Record<string, string>>;
}

export function createDaemon(
  clusterName: string,
  args: DaemonArgs,
  parent: pulumi.Resource,
): { taskDefinition: aws.ecs.TaskDefinition; service: aws.ecs.Service } {
  const name = `${clusterName}-${args.spec.name}`;
  const statements = args.spec.taskPolicyStatements ?? [];
  const needsRole = args.taskPolicy !== undefined || statements.length > 0;
  let taskRoleArn: pulumi.Output<string> | undefined;
  if (needsRole) {
    const role = new aws.iam.Role(
      `${name}-task`,
      {
        // Only this account's ECS, in the cluster's region, may assume it (confused-deputy keys).
        assumeRolePolicy: pulumi.output(args.scope).apply((scope) => JSON.stringify(ecsTasksAssumeRolePolicy(scope))),
        tags: args.tags,
      },
      { parent },
    );
    const policy = args.taskPolicy ?? JSON.stringify(policyDocument(...statements));
    new aws.iam.RolePolicy(`${name}-task`, { role: role.id, policy }, { parent });
    taskRoleArn = role.arn;
  }
  const executionRoleArn = createExecutionRole(name, args, parent);
  const taskDefinition = new aws.ecs.TaskDefinition(
    name,
    {
      family: name,
      requiresCompatibilities: ["EC2"],
      networkMode: args.spec.networkMode ?? "host",
      taskRoleArn,
      executionRoleArn,
      volumes: daemonVolumes(args.spec.mounts),
      containerDefinitions: pulumi
        .all([args.logGroupName, args.region, secretScope(args), args.image ?? args.spec.image])
        .apply(([group, region, scope, image]) => daemonContainerDefinitions(args.spec, group, region, scope, image)),
      tags: args.tags,
    },
    { parent },
  );
  const service = new aws.ecs.Service(
    name,
    {
      cluster: args.clusterArn,
      taskDefinition: taskDefinition.arn,
      schedulingStrategy: "DAEMON",
      launchType: "EC2",
      // A daemon replaces its task in place on each instance.
      deploymentMinimumHealthyPercent: 0,
      deploymentMaximumPercent: 100,
      enableEcsManagedTags: true,
      propagateTags: "TASK_DEFINITION",
      tags: args.tags,
    },
    { parent },
  );
  return { taskDefinition, service };
}

/** Account and region secret names resolve in (from the cluster's ARN), for a daemon with secrets only. */
function secretScope(args: DaemonArgs): pulumi.Output<AwsScope> | undefined {
  if (Object.keys(args.spec.secrets ?? {}).length === 0) return undefined;
  return pulumi.output(args.clusterArn).apply(scopeOfArn);
}

/** A daemon with secrets gets an execution role that reads exactly those secrets (and writes its own logs). */
function createExecutionRole(name: string, args: DaemonArgs, parent: pulumi.Resource): pulumi.Output<string> | undefined {
  const secrets = Object.values(args.spec.secrets ?? {});
  if (secrets.length === 0) return undefined;
  const role = new aws.iam.Role(
    `${name}-execution`,
    {
      // Only this account's ECS, in the cluster's region, may assume it (confused-deputy keys).
      assumeRolePolicy: pulumi.output(args.scope).apply((scope) => JSON.stringify(ecsTasksAssumeRolePolicy(scope))),
      tags: args.tags,
    },
    { parent },
  );
  const policy = pulumi
    .all([args.clusterArn, args.logGroupArn])
    .apply(([clusterArn, logGroupArn]) =>
      JSON.stringify(daemonExecutionRolePolicy({ scope: scopeOfArn(clusterArn), secrets, logGroupArn })),
    );
  new aws.iam.RolePolicy(`${name}-execution`, { role: role.id, policy }, { parent });
  return role.arn;
}
