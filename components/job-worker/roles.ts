/**
 * The worker's two roles, each trusted only by this account's ECS tasks: the task role (the worker's
 * own permissions) and the execution role (the ECS agent's: image pull and container secrets).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { secretRefsOf } from "../../catalog/bindings";
import type { SecretRef } from "../../catalog/secret-ref";
import type { JobWorkerArgs, SettledArgs } from "./args";
import { ecrRepositoryArnOf } from "./image";
import type { AwsScope, WriteTarget } from "./policies";
import { ecsTasksAssumeRolePolicy, executionRolePolicy, taskRolePolicy } from "./policies";
import type { WorkerQueues } from "./queues";

export interface WorkerRoles {
  readonly taskRole: aws.iam.Role;
  readonly taskPolicy: aws.iam.RolePolicy;
  readonly executionRole: aws.iam.Role;
  readonly executionPolicy: aws.iam.RolePolicy;
}

/**
 * Secrets the runtime itself resolves: every secret field of every output binding, as the binding
 * schema marks them (`catalog/bindings.ts`), so a new secret field is granted without a change here.
 */
function connectorSecrets(outputs: SettledArgs["outputs"]): SecretRef[] {
  return Object.values(outputs).flatMap((o) => (o.type === "worker" ? [] : secretRefsOf(o)));
}

export function createRoles(
  name: string,
  a: SettledArgs,
  inputs: {
    parent: pulumi.Resource;
    tags: Record<string, string>;
    scope: pulumi.Output<AwsScope>;
    inputBucketArn: pulumi.Output<string>;
    queues: WorkerQueues;
    writeTargets: pulumi.Output<WriteTarget[]>;
    cluster: JobWorkerArgs["cluster"];
    image: JobWorkerArgs["image"];
    repositoryArn: pulumi.Output<string>;
  },
): WorkerRoles {
  const { parent, tags, scope, queues } = inputs;
  const opts = { parent };
  const assumeRolePolicy = scope.apply((s) => JSON.stringify(ecsTasksAssumeRolePolicy(s)));
  const taskRole = new aws.iam.Role(
    `${name}-task-role`,
    { description: `jobworker ${name}: the worker's own permissions`, assumeRolePolicy, tags },
    opts,
  );
  const taskPolicy = new aws.iam.RolePolicy(
    `${name}-task-policy`,
    {
      role: taskRole.id,
      policy: pulumi
        .all([
          scope,
          inputs.inputBucketArn,
          queues.queue.arn,
          queues.deadLetterQueue.arn,
          queues.kmsKeyArn,
          inputs.cluster.clusterName,
          inputs.writeTargets,
        ])
        .apply(([s, inputBucketArn, queueArn, deadLetterQueueArn, queueKmsKeyArn, clusterName, outputs]) =>
          JSON.stringify(
            taskRolePolicy({
              scope: s,
              inputBucketArn,
              inputPrefix: a.prefix,
              inputSuffix: a.suffix,
              queueArn,
              deadLetterQueueArn,
              queueKmsKeyArn,
              clusterName,
              outputs,
              runtimeSecrets: connectorSecrets(a.outputs),
            }),
          ),
        ),
    },
    opts,
  );
  const executionRole = new aws.iam.Role(
    `${name}-execution-role`,
    { description: `jobworker ${name}: image pull and container secrets`, assumeRolePolicy, tags },
    opts,
  );
  const uri = "uri" in inputs.image ? inputs.image.uri : undefined;
  const executionPolicy = new aws.iam.RolePolicy(
    `${name}-execution-policy`,
    {
      role: executionRole.id,
      policy: pulumi.all([scope, inputs.repositoryArn]).apply(([s, ownRepositoryArn]) => {
        // An image URI in another ECR repository is pulled from there; otherwise from the worker's own.
        const repositoryArn = (uri !== undefined ? ecrRepositoryArnOf(uri, s.partition) : undefined) ?? ownRepositoryArn;
        return JSON.stringify(executionRolePolicy({ scope: s, repositoryArn, secrets: Object.values(a.secrets) }));
      }),
    },
    opts,
  );
  return { taskRole, taskPolicy, executionRole, executionPolicy };
}
