/**
 * `JobWorker` (`jobworker:index:JobWorker`): one worker kind on the shared cluster.
 * S3 input → ObjectCreated notification → SQS queue (+DLQ) → alarms → autoscaled ECS service (0..N).
 *
 * Order, as every component here: validate, settle defaults, create children, assign outputs,
 * register outputs. Rendering (policies, container definitions, alarm specs) is in plain functions.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { secretRefsOf, type ResolvedOutputBinding } from "../../catalog/bindings";
import type { SecretRef } from "../../catalog/secret-ref";
import type { ChainTarget, InputLocation, JobWorkerArgs, SettledArgs } from "./args";
import { JOB_WORKER_DEFAULTS, settleDefaults } from "./args";
import { containerDefinitions, SCRATCH_VOLUME } from "./container";
import { createImage, ecrRepositoryArnOf, settleImage } from "./image";
import type { AwsScope, WriteTarget } from "./policies";
import { ecsTasksAssumeRolePolicy, executionRolePolicy, scopeOfArn, taskRolePolicy } from "./policies";
import { createQueues } from "./queues";
import type { AlarmSpec, MetricRef } from "./scaling";
import { alarmSpecs, SCALE_IN_STEPS, scaleOutSteps } from "./scaling";
import { createSecureBucket } from "../secure-bucket";
import { validateJobWorkerArgs } from "./validation";

/**
 * Secrets the runtime itself resolves: every secret field of every output binding, as the binding
 * schema marks them (`catalog/bindings.ts`), so a new secret field is granted without a change here.
 */
function connectorSecrets(outputs: SettledArgs["outputs"]): SecretRef[] {
  return Object.values(outputs).flatMap((o) => (o.type === "worker" ? [] : secretRefsOf(o)));
}

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
  readonly serviceName: pulumi.Output<string>;
  readonly repositoryUrl: pulumi.Output<string>;
  readonly taskRoleArn: pulumi.Output<string>;
  /** Where each output slot delivers, as the container sees it (`worker` bindings resolved to the next worker's bucket and prefix). */
  readonly outputBindings: pulumi.Output<Record<string, ResolvedOutputBinding>>;

  constructor(name: string, args: JobWorkerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jobworker:index:JobWorker", name, {}, opts);
    const a = settleDefaults(name, args);
    validateJobWorkerArgs(a, args.cluster);
    const settledImage = settleImage(name, a.definition.name, args.image);
    const parent = { parent: this };
    const tags = { ...a.tags, "jobworker:worker": name };

    // --- input: own bucket or a route on a shared one
    let bucketName: pulumi.Output<string>;
    let bucketArn: pulumi.Output<string>;
    let ownBucket: ReturnType<typeof createSecureBucket> | undefined;
    if (a.input.type === "own") {
      ownBucket = createSecureBucket(`${name}-input`, { parent: this, forceDestroy: a.input.forceDestroy, tags });
      bucketName = ownBucket.bucket.bucket;
      bucketArn = ownBucket.bucket.arn;
    } else {
      bucketName = a.input.bucket.bucketName;
      bucketArn = a.input.bucket.bucketArn;
    }
    this.input = {
      worker: name,
      bucketName,
      bucketArn,
      sharedBucket: a.input.type === "shared" ? a.input.bucket : undefined,
      prefix: a.prefix,
      suffix: a.suffix,
    };

    // --- queues and the notification that feeds them
    const queues = createQueues(a, { parent: this, bucketArn, queueNamePrefix: args.backlogMetrics?.queueNamePrefix });
    const scope: pulumi.Output<AwsScope> = queues.queue.arn.apply(scopeOfArn);
    if (ownBucket) {
      new aws.s3.BucketNotification(`${name}-notification`, {
        bucket: ownBucket.bucket.id,
        queues: [{
          id: name,
          queueArn: queues.queue.arn,
          events: ["s3:ObjectCreated:*"],
          filterPrefix: a.prefix || undefined,
          filterSuffix: a.suffix || undefined,
        }],
      }, { parent: this, dependsOn: [queues.queuePolicy, ...ownBucket.ready] });
    } else if (a.input.type === "shared") {
      a.input.bucket.addRoute({ worker: name, queueArn: queues.queue.arn, prefix: a.prefix, suffix: a.suffix, dependsOn: [queues.queuePolicy] });
    }

    // --- outputs: chained workers become S3 bindings into their input
    const bindings: Record<string, pulumi.Input<ResolvedOutputBinding>> = {};
    const writeTargets: pulumi.Input<WriteTarget>[] = [];
    for (const [slot, output] of Object.entries(a.outputs)) {
      if (output.type === "worker") {
        const target = output.worker.input;
        bindings[slot] = target.bucketName.apply((bucket) => ({ type: "s3" as const, bucket, prefix: target.prefix }));
        writeTargets.push(target.bucketArn.apply((arn) => ({ bucketArn: arn, prefix: target.prefix })));
      } else {
        bindings[slot] = output;
        if (output.type === "s3") {
          writeTargets.push(scope.apply((s) => ({
            bucketArn: `arn:${s.partition ?? "aws"}:s3:::${output.bucket}`,
            prefix: output.prefix ?? "",
            kmsKeyArn: output.kmsKeyId,
            bucketOwnerFullControl: output.bucketOwnerFullControl,
          })));
        }
      }
    }
    const resolvedOutputs = pulumi.output(bindings) as pulumi.Output<Record<string, ResolvedOutputBinding>>;

    // --- image
    const image = createImage(name, settledImage, { parent: this, keepImages: a.keepImages, tags });

    // --- roles
    const assumeRolePolicy = scope.apply((s) => JSON.stringify(ecsTasksAssumeRolePolicy(s)));
    const taskRole = new aws.iam.Role(`${name}-task-role`, { description: `jobworker ${name}: the worker's own permissions`, assumeRolePolicy, tags }, parent);
    const taskPolicy = new aws.iam.RolePolicy(`${name}-task-policy`, {
      role: taskRole.id,
      policy: pulumi
        .all([scope, bucketArn, queues.queue.arn, queues.deadLetterQueue.arn, queues.kmsKeyArn, args.cluster.clusterName, pulumi.all(writeTargets)])
        .apply(([s, inputBucketArn, queueArn, deadLetterQueueArn, queueKmsKeyArn, clusterName, outputs]) =>
          JSON.stringify(taskRolePolicy({
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
          })),
        ),
    }, parent);
    const executionRole = new aws.iam.Role(`${name}-execution-role`, { description: `jobworker ${name}: image pull and container secrets`, assumeRolePolicy, tags }, parent);
    const uri = "uri" in args.image ? args.image.uri : undefined;
    const executionPolicy = new aws.iam.RolePolicy(`${name}-execution-policy`, {
      role: executionRole.id,
      policy: pulumi.all([scope, image.repository.arn]).apply(([s, ownRepositoryArn]) => {
        // An image URI in another ECR repository is pulled from there; otherwise from the worker's own.
        const repositoryArn = (uri !== undefined ? ecrRepositoryArnOf(uri, s.partition) : undefined) ?? ownRepositoryArn;
        return JSON.stringify(executionRolePolicy({ scope: s, repositoryArn, secrets: Object.values(a.secrets) }));
      }),
    }, parent);

    // --- task definition
    const taskDefinition = new aws.ecs.TaskDefinition(`${name}-task`, {
      family: `${pulumi.getProject()}-${pulumi.getStack()}-${name}`,
      requiresCompatibilities: ["EC2"],
      networkMode: a.networkMode,
      taskRoleArn: taskRole.arn,
      executionRoleArn: executionRole.arn,
      // A task-scoped Docker volume lives under Docker's data root (the instance store) and is
      // removed with the task; Docker seeds it from the image's /scratch, which the image owns as
      // the worker user, so the non-root worker can write to it.
      volumes: [{ name: SCRATCH_VOLUME, dockerVolumeConfiguration: { scope: "task", driver: "local" } }],
      containerDefinitions: pulumi
        .all([image.imageUri, queues.queue.url, resolvedOutputs, scope])
        .apply(([imageUri, queueUrl, outputs, s]) =>
          JSON.stringify(containerDefinitions({
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
            fluentdAddress: args.cluster.fluentdAddress,
            scope: s,
          })),
        ),
      tags,
    }, parent);

    // --- service: auto-named (a replacement is created before the old one is deleted); the
    // desired count belongs to autoscaling, so `pulumi up` sets it only at creation.
    const service = new aws.ecs.Service(`${name}-service`, {
      cluster: args.cluster.clusterArn,
      taskDefinition: taskDefinition.arn,
      launchType: "EC2",
      desiredCount: 0,
      deploymentMinimumHealthyPercent: a.deploymentMinimumHealthyPercent,
      deploymentMaximumPercent: a.deploymentMaximumPercent,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      // Pack tasks onto as few instances as possible (memory first: it is what runs out).
      orderedPlacementStrategies: [{ type: "binpack", field: "memory" }, { type: "binpack", field: "cpu" }],
      ...(a.networkMode === "awsvpc" ? { networkConfiguration: { subnets: args.cluster.subnetIds!, assignPublicIp: false } } : {}),
      enableEcsManagedTags: true,
      propagateTags: "SERVICE",
      waitForSteadyState: false,
      tags,
    }, { parent: this, ignoreChanges: ["desiredCount"], deleteBeforeReplace: false, dependsOn: [taskPolicy, executionPolicy] });

    // --- autoscaling from zero
    const target = new aws.appautoscaling.Target(`${name}-scaling-target`, {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: pulumi.interpolate`service/${args.cluster.clusterName}/${service.name}`,
      minCapacity: 0,
      maxCapacity: a.maxTasks,
    }, parent);
    const policyBase = { serviceNamespace: target.serviceNamespace, scalableDimension: target.scalableDimension, resourceId: target.resourceId, policyType: "StepScaling" };
    const scaleOut = new aws.appautoscaling.Policy(`${name}-scale-out`, {
      ...policyBase,
      stepScalingPolicyConfiguration: {
        adjustmentType: "ChangeInCapacity",
        cooldown: 60,
        metricAggregationType: "Maximum",
        stepAdjustments: scaleOutSteps(a.backlogPerTask, a.maxTasks),
      },
    }, parent);
    const scaleIn = new aws.appautoscaling.Policy(`${name}-scale-in`, {
      ...policyBase,
      stepScalingPolicyConfiguration: {
        adjustmentType: "ExactCapacity",
        cooldown: 60,
        metricAggregationType: "Maximum",
        stepAdjustments: SCALE_IN_STEPS,
      },
    }, parent);
    const specs = alarmSpecs<pulumi.Output<string>>({
      worker: name,
      queueName: queues.queue.name,
      deadLetterQueueName: queues.deadLetterQueue.name,
      scaleInIdleSeconds: a.scaleInIdleSeconds,
      oldestMessageAlarmSeconds: a.oldestMessageAlarmSeconds,
      backlogMetrics: args.backlogMetrics,
    });
    for (const spec of specs) this.createAlarm(name, spec, { "scale-out": [scaleOut.arn], "scale-in": [scaleIn.arn], notify: [...a.alarmActions] }, tags);

    this.bucketName = bucketName;
    this.bucketArn = bucketArn;
    this.queueUrl = queues.queue.url;
    this.queueArn = queues.queue.arn;
    this.queueName = queues.queue.name;
    this.deadLetterQueueUrl = queues.deadLetterQueue.url;
    this.deadLetterQueueArn = queues.deadLetterQueue.arn;
    this.serviceName = service.name;
    this.repositoryUrl = image.repository.repositoryUrl;
    this.taskRoleArn = taskRole.arn;
    this.outputBindings = resolvedOutputs;
    this.registerOutputs({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      queueUrl: this.queueUrl,
      queueArn: this.queueArn,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
      deadLetterQueueArn: this.deadLetterQueueArn,
      serviceName: this.serviceName,
      repositoryUrl: this.repositoryUrl,
      outputBindings: this.outputBindings,
    });
  }

  private createAlarm(
    name: string,
    spec: AlarmSpec<pulumi.Output<string>>,
    actions: Record<AlarmSpec["action"], pulumi.Input<string>[]>,
    tags: Record<string, string>,
  ): aws.cloudwatch.MetricAlarm {
    const metric = (m: MetricRef<pulumi.Output<string>>) => ({ namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, stat: m.stat, period: m.period });
    const notify = spec.action === "notify";
    return new aws.cloudwatch.MetricAlarm(`${name}-${spec.key}`, {
      alarmDescription: spec.description,
      comparisonOperator: spec.comparisonOperator,
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods,
      datapointsToAlarm: spec.datapointsToAlarm,
      treatMissingData: spec.treatMissingData,
      ...(spec.metric
        ? { namespace: spec.metric.namespace, metricName: spec.metric.metricName, dimensions: spec.metric.dimensions, statistic: spec.metric.stat, period: spec.metric.period }
        : {}),
      ...(spec.expression
        ? {
            metricQueries: [
              { id: spec.expression.id, expression: spec.expression.expression, label: spec.expression.label, returnData: true },
              ...Object.entries(spec.expression.metrics).map(([id, m]) => ({ id, metric: metric(m), returnData: false })),
            ],
          }
        : {}),
      alarmActions: actions[spec.action],
      okActions: notify ? actions.notify : [],
      actionsEnabled: true,
      tags,
    }, { parent: this });
  }
}
