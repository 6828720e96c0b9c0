/**
 * `JobWorker` (`jobworker:index:JobWorker`): one worker kind on the shared cluster.
 * S3 input → ObjectCreated notification → SQS queue (+DLQ) → alarms → autoscaled ECS service (0..N).
 *
 * Order, as every component here: validate, settle defaults, create children, assign outputs,
 * register outputs. The children come from named steps, one file each: input (`input.ts`), queues
 * (`queues.ts`), output bindings (`output-bindings.ts`), image (`image.ts`), roles (`roles.ts`),
 * task definition and service (`service.ts`), scaling (`autoscaling.ts`). Rendering (policies,
 * container definitions, alarm specs) is in plain functions.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedOutputBinding } from "../../catalog/bindings";
import type { ChainTarget, InputLocation, JobWorkerArgs } from "./args";
import { settleDefaults } from "./args";
import { createAutoscaling } from "./autoscaling";
import { createImage, settleImage } from "./image";
import { connectInputToQueue, createInput } from "./input";
import { resolveOutputs } from "./output-bindings";
import type { AwsScope } from "./policies";
import { scopeOfArn } from "./policies";
import { createQueues } from "./queues";
import { createRoles } from "./roles";
import { createService, createTaskDefinition } from "./service";
import { validateJobWorkerArgs } from "./validation";

export class JobWorker extends pulumi.ComponentResource implements ChainTarget {
  /** Where this worker reads from; another worker chaining into it writes here. */
  readonly input: InputLocation;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly queueUrl: pulumi.Output<string>;
  readonly queueArn: pulumi.Output<string>;
  readonly queueName: pulumi.Output<string>;
  readonly deadLetterQueueUrl: pulumi.Output<string>;
  readonly deadLetterQueueArn: pulumi.Output<string>;
  readonly deadLetterQueueName: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  /** The ECS service's ARN (its EventBridge events name it). */
  readonly serviceArn: pulumi.Output<string>;
  readonly repositoryUrl: pulumi.Output<string>;
  readonly taskRoleArn: pulumi.Output<string>;
  /** Where each output slot delivers, as the container sees it (`worker` bindings resolved to the next worker's bucket and prefix). */
  readonly outputBindings: pulumi.Output<Record<string, ResolvedOutputBinding>>;

  constructor(name: string, args: JobWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jobworker:index:JobWorker", name, {}, opts);
    const a = settleDefaults(name, args);
    validateJobWorkerArgs(a, args.cluster);
    const settledImage = settleImage(name, a.definition.name, args.image);
    const tags = { ...a.tags, "jobworker:worker": name };

    const input = createInput(name, a, { parent: this, tags });
    const queues = createQueues(a, {
      parent: this,
      bucketArn: input.location.bucketArn,
      queueNamePrefix: args.backlogMetrics?.queueNamePrefix,
    });
    connectInputToQueue(name, a, input, queues, this);
    // Account, region and partition come off the queue's ARN: no per-worker invokes.
    const scope: pulumi.Output<AwsScope> = queues.queue.arn.apply(scopeOfArn);
    const outputs = resolveOutputs(a, scope);
    const image = createImage(name, settledImage, { parent: this, keepImages: a.keepImages, tags });
    const roles = createRoles(name, a, {
      parent: this,
      tags,
      scope,
      inputBucketArn: input.location.bucketArn,
      queues,
      writeTargets: outputs.writeTargets,
      cluster: args.cluster,
      image: args.image,
      repositoryArn: image.repository.arn,
    });
    const taskDefinition = createTaskDefinition(name, a, {
      parent: this,
      tags,
      scope,
      roles,
      imageUri: image.imageUri,
      queueUrl: queues.queue.url,
      outputs: outputs.bindings,
      cluster: args.cluster,
    });
    const service = createService(name, a, { parent: this, tags, taskDefinition, roles, cluster: args.cluster });
    createAutoscaling(name, a, { parent: this, tags, service, queues, cluster: args.cluster, backlogMetrics: args.backlogMetrics });

    this.input = input.location;
    this.bucketName = input.location.bucketName;
    this.bucketArn = input.location.bucketArn;
    this.queueUrl = queues.queue.url;
    this.queueArn = queues.queue.arn;
    this.queueName = queues.queue.name;
    this.deadLetterQueueUrl = queues.deadLetterQueue.url;
    this.deadLetterQueueArn = queues.deadLetterQueue.arn;
    this.deadLetterQueueName = queues.deadLetterQueue.name;
    this.serviceName = service.name;
    this.serviceArn = service.arn;
    this.repositoryUrl = image.repository.repositoryUrl;
    this.taskRoleArn = roles.taskRole.arn;
    this.outputBindings = outputs.bindings;
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      queueUrl: this.queueUrl,
      queueArn: this.queueArn,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
      deadLetterQueueArn: this.deadLetterQueueArn,
      serviceName: this.serviceName,
      serviceArn: this.serviceArn,
      repositoryUrl: this.repositoryUrl,
      outputBindings: this.outputBindings,
    });
  }
}
