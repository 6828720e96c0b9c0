/**
 * The worker's task definition (its one container, rendered by `containerDefinitions`) and its ECS
 * service on the shared cluster.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedOutputBinding } from "../../catalog/bindings";
import type { JobWorkerArgs, SettledArgs } from "./args";
import { JOB_WORKER_DEFAULTS } from "./args";
import { containerDefinitions, SCRATCH_VOLUME } from "./container";
import type { AwsScope } from "./policies";
import type { WorkerRoles } from "./roles";

export function createTaskDefinition(
  name: string,
  a: SettledArgs,
  inputs: {
    parent: pulumi.Resource;
    tags: Record<string, string>;
    scope: pulumi.Output<AwsScope>;
    roles: WorkerRoles;
    imageUri: pulumi.Output<string>;
    queueUrl: pulumi.Output<string>;
    outputs: pulumi.Output<Record<string, ResolvedOutputBinding>>;
    cluster: JobWorkerArgs["cluster"];
  },
): aws.ecs.TaskDefinition {
  return new aws.ecs.TaskDefinition(
    `${name}-task`,
    {
      family: `${pulumi.getProject()}-${pulumi.getStack()}-${name}`,
      requiresCompatibilities: ["EC2"],
      networkMode: a.networkMode,
      taskRoleArn: inputs.roles.taskRole.arn,
      executionRoleArn: inputs.roles.executionRole.arn,
      // A task-scoped Docker volume lives under Docker's data root (the instance store) and is
      // removed with the task; Docker seeds it from the image's /scratch, which the image owns as
      // the worker user, so the non-root worker can write to it.
      volumes: [{ name: SCRATCH_VOLUME, dockerVolumeConfiguration: { scope: "task", driver: "local" } }],
      containerDefinitions: pulumi
        .all([inputs.imageUri, inputs.queueUrl, inputs.outputs, inputs.scope])
        .apply(([imageUri, queueUrl, outputs, s]) =>
          JSON.stringify(
            containerDefinitions({
              worker: name,
              kind: a.definition.name,
              image: imageUri,
              cpu: a.cpu,
              memory: a.memory,
              queueUrl,
              outputs,
              concurrency: a.definition.concurrency,
              maxProcessingSeconds: a.definition.maxProcessingSeconds,
              stopTimeoutSeconds: a.stopTimeoutSeconds,
              shutdownSeconds: a.shutdownSeconds,
              scratchDir: JOB_WORKER_DEFAULTS.scratchDir,
              environment: a.environment,
              secrets: a.secrets,
              user: a.user,
              readonlyRootFilesystem: a.readonlyRootFilesystem,
              fluentdAddress: inputs.cluster.fluentdAddress,
              scope: s,
            }),
          ),
        ),
      tags: inputs.tags,
    },
    { parent: inputs.parent },
  );
}

/**
 * The service: auto-named (a replacement is created before the old one is deleted); the desired
 * count belongs to autoscaling, so `pulumi up` sets it only at creation.
 */
export function createService(
  name: string,
  a: SettledArgs,
  inputs: {
    parent: pulumi.Resource;
    tags: Record<string, string>;
    taskDefinition: aws.ecs.TaskDefinition;
    roles: WorkerRoles;
    cluster: JobWorkerArgs["cluster"];
  },
): aws.ecs.Service {
  return new aws.ecs.Service(
    `${name}-service`,
    {
      cluster: inputs.cluster.clusterArn,
      taskDefinition: inputs.taskDefinition.arn,
      launchType: "EC2",
      desiredCount: 0,
      deploymentMinimumHealthyPercent: a.deploymentMinimumHealthyPercent,
      deploymentMaximumPercent: a.deploymentMaximumPercent,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      // Pack tasks onto as few instances as possible (memory first: it is what runs out).
      orderedPlacementStrategies: [
        { type: "binpack", field: "memory" },
        { type: "binpack", field: "cpu" },
      ],
      ...(a.networkMode === "awsvpc" ? { networkConfiguration: { subnets: inputs.cluster.subnetIds!, assignPublicIp: false } } : {}),
      enableEcsManagedTags: true,
      propagateTags: "SERVICE",
      waitForSteadyState: false,
      tags: inputs.tags,
    },
    {
      parent: inputs.parent,
      ignoreChanges: ["desiredCount"],
      deleteBeforeReplace: false,
      dependsOn: [inputs.roles.taskPolicy, inputs.roles.executionPolicy],
    },
  );
}
