/**
 * One worker of a jobworker stack on moto server, built as the staging stack builds `feed-normalize`:
 * its own input bucket (prefix `feeds/`, suffix `.csv`) notifying its queue (+DLQ, redrive after 5
 * receives), an S3 results prefix, an ECS cluster with one container instance and the worker's
 * service at desired 0, and the worker's alarms from `alarmSpecs()` (components/job-worker/scaling.ts)
 * with the scale-out ones acting on an App Auto Scaling policy ARN. `outputs` is what
 * `pulumi stack output --json` prints for such a stack.
 *
 * moto stores all of that but performs none of AWS's own work: no backlog publisher evaluates the
 * alarm, no App Auto Scaling raises the desired count, no ECS scheduler starts a task, no container
 * runs. `ControlPlaneStandIn` plays those parts, each one only when the state AWS would react to is
 * there (a visible message → the alarm goes to ALARM → the desired count rises → a task is placed →
 * the worker runs, here the real `jobworker run feed-normalize` on the queue), so a test can leave
 * any part out and see the smoke check name the step that did not happen.
 */
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  ListTasksCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ResolvedOutputBinding } from "../../../catalog/contract";
import { workerKinds } from "../../../catalog/kinds";
import { alarmSpecs } from "../../../components/job-worker/scaling";
import type { MotoServer } from "../../support/moto";
import { runKind, stopKind } from "../kinds/helpers";
import { ensureStopped, type ChildWorker } from "../runtime/helpers";
import { freezeTaskStates } from "./fixture";

export const WORKER = "feed-normalize";
export const RESULTS_BUCKET = "jobworker-staging-results-123456789012";
const ACCOUNT = "123456789012";

/** Pulumi's auto-naming: the logical name and 7 random hex characters. */
const autoName = (name: string) => `${name}-${randomBytes(4).toString("hex").slice(0, 7)}`;

export interface DeployedWorker {
  readonly inputBucket: string;
  readonly prefix: string;
  readonly suffix: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly clusterName: string;
  readonly serviceName: string;
  readonly taskDefinitionArn: string;
  /** Names of the alarms whose action scales out, fast one first. */
  readonly scaleOutAlarms: readonly string[];
  readonly bindings: Record<string, ResolvedOutputBinding>;
  /** `pulumi stack output --json` of the stack. */
  readonly outputs: Record<string, unknown>;
}

/** Creates the worker's resources on moto, as `pulumi up` of the staging stack would. */
export async function deployWorker(moto: MotoServer): Promise<DeployedWorker> {
  await freezeTaskStates(moto);
  const cfg = moto.clientConfig;
  const s3 = new S3Client(cfg);
  const sqs = new SQSClient(cfg);
  const ecs = new ECSClient(cfg);
  const ec2 = new EC2Client(cfg);
  const cloudwatch = new CloudWatchClient(cfg);
  try {
    const prefix = "feeds/";
    const suffix = ".csv";
    const inputBucket = autoName(`${WORKER}-input`);
    for (const Bucket of [inputBucket, RESULTS_BUCKET]) {
      try {
        await s3.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: cfg.region as never } }));
      } catch (err) {
        // The results bucket exists before the stack and outlives it: one per moto server.
        if (!(Bucket === RESULTS_BUCKET && (err as Error).name === "BucketAlreadyOwnedByYou")) throw err;
      }
    }
    const unique = () => `${Date.now()}${randomBytes(6).toString("hex")}`.slice(0, 26);
    const dlq = await sqs.send(
      new CreateQueueCommand({ QueueName: `jw-staging-${WORKER}-dlq-${unique()}`, Attributes: { MessageRetentionPeriod: "1209600" } }),
    );
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes!
      .QueueArn!;
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: `jw-staging-${WORKER}-${unique()}`,
        Attributes: {
          VisibilityTimeout: String(workerKinds[WORKER]!.maxProcessingSeconds + 60),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
        },
      }),
    );
    const queueUrl = queue.QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes!
      .QueueArn!;
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: inputBucket,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              Id: WORKER,
              QueueArn: queueArn,
              Events: ["s3:ObjectCreated:*"],
              Filter: {
                Key: {
                  FilterRules: [
                    { Name: "prefix", Value: prefix },
                    { Name: "suffix", Value: suffix },
                  ],
                },
              },
            },
          ],
        },
      }),
    );
    // S3 sends an s3:TestEvent when the notification is configured; on AWS the first task acknowledges it.
    await drainTestEvent(sqs, queueUrl);

    const clusterName = autoName("jobworker-cluster");
    await ecs.send(new CreateClusterCommand({ clusterName }));
    // moto launches any AMI id (listing its 1,300 built-in images takes seconds).
    const instance = await ec2.send(
      new RunInstancesCommand({ ImageId: "ami-0123456789abcdef0", MinCount: 1, MaxCount: 1, InstanceType: "c6i.large" }),
    );
    await ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: clusterName,
        instanceIdentityDocument: JSON.stringify({ instanceId: instance.Instances![0]!.InstanceId, region: cfg.region }),
      }),
    );
    const bindings: Record<string, ResolvedOutputBinding> = { records: { type: "s3", bucket: RESULTS_BUCKET, prefix: `${WORKER}/` } };
    const td = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `jobworker-staging-${WORKER}`,
        containerDefinitions: [
          {
            name: "worker",
            image: `${ACCOUNT}.dkr.ecr.${cfg.region}.amazonaws.com/${WORKER}:abc`,
            cpu: 256,
            memory: 512,
            environment: [
              { name: "JOBWORKER_WORKER", value: WORKER },
              { name: "JOBWORKER_QUEUE_URL", value: queueUrl },
              { name: "JOBWORKER_OUTPUTS", value: JSON.stringify(bindings) },
            ],
          },
        ],
      }),
    );
    const serviceName = autoName(`${WORKER}-service`);
    await ecs.send(
      new CreateServiceCommand({
        cluster: clusterName,
        serviceName,
        taskDefinition: td.taskDefinition!.taskDefinitionArn,
        desiredCount: 0,
        launchType: "EC2",
      }),
    );

    const scaleOutPolicy = `arn:aws:autoscaling:${cfg.region}:${ACCOUNT}:scalingPolicy:${randomBytes(8).toString("hex")}:resource/ecs/service/${clusterName}/${serviceName}:policyName/${autoName(`${WORKER}-scale-out`)}`;
    const scaleInPolicy = scaleOutPolicy.replace("-scale-out-", "-scale-in-");
    const scaleToNeededPolicy = scaleOutPolicy.replace("-scale-out-", "-scale-to-needed-");
    const queueName = queueUrl.split("/").pop()!;
    const scaleOutAlarms: string[] = [];
    for (const spec of alarmSpecs({
      worker: WORKER,
      queueName,
      deadLetterQueueName: dlqArn.split(":").pop()!,
      scaleInIdleSeconds: 600,
      oldestMessageAlarmSeconds: 900,
      maxTasks: 10,
      backlogMetrics: { namespace: "Jobworker/SQS", periodSeconds: 10 },
    })) {
      const AlarmName = autoName(`${WORKER}-${spec.key}`);
      const metric = spec.metric
        ? {
            Namespace: spec.metric.namespace,
            MetricName: spec.metric.metricName,
            Dimensions: Object.entries(spec.metric.dimensions).map(([Name, Value]) => ({ Name, Value })),
            Statistic: spec.metric.stat,
            Period: spec.metric.period,
          }
        : {
            Metrics: [
              { Id: spec.expression!.id, Expression: spec.expression!.expression, Label: spec.expression!.label, ReturnData: true },
              ...Object.entries(spec.expression!.metrics).map(([Id, m]) => ({
                Id,
                ReturnData: false,
                MetricStat: {
                  Metric: {
                    Namespace: m.namespace,
                    MetricName: m.metricName,
                    Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
                  },
                  Period: m.period,
                  Stat: m.stat,
                },
              })),
            ],
          };
      await cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName,
          ComparisonOperator: spec.comparisonOperator,
          Threshold: spec.threshold,
          EvaluationPeriods: spec.evaluationPeriods,
          DatapointsToAlarm: spec.datapointsToAlarm,
          TreatMissingData: spec.treatMissingData,
          AlarmActions:
            spec.action === "scale-out"
              ? [scaleOutPolicy]
              : spec.action === "scale-in"
                ? [scaleInPolicy]
                : spec.action === "scale-to-needed"
                  ? [scaleToNeededPolicy]
                  : [],
          ...metric,
        }),
      );
      if (spec.action === "scale-out") scaleOutAlarms.push(AlarmName);
    }
    const repositoryUrl = `${ACCOUNT}.dkr.ecr.${cfg.region}.amazonaws.com/${WORKER}-repo-1a2b3c4`;
    const outputs = {
      clusterName,
      clusterArn: `arn:aws:ecs:${cfg.region}:${ACCOUNT}:cluster/${clusterName}`,
      backlogPublisherFunction: "backlog-publisher-5e6f7a8",
      workers: {
        [WORKER]: {
          bucket: inputBucket,
          prefix,
          suffix,
          queueUrl,
          queueArn,
          deadLetterQueueUrl: dlq.QueueUrl!,
          deadLetterQueueArn: dlqArn,
          serviceName,
          repositoryUrl,
          outputs: bindings,
        },
      },
    };
    return {
      inputBucket,
      prefix,
      suffix,
      queueUrl,
      deadLetterQueueUrl: dlq.QueueUrl!,
      clusterName,
      serviceName,
      taskDefinitionArn: td.taskDefinition!.taskDefinitionArn!,
      scaleOutAlarms,
      bindings,
      outputs,
    };
  } finally {
    s3.destroy();
    sqs.destroy();
    ecs.destroy();
    ec2.destroy();
    cloudwatch.destroy();
  }
}

async function drainTestEvent(sqs: SQSClient, queueUrl: string): Promise<void> {
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  for (const m of got.Messages ?? []) {
    if (!m.Body?.includes("s3:TestEvent")) throw new Error(`expected only S3's test event in a new queue, got ${m.Body}`);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
  }
}

/** Writes the stack outputs where `--outputs` (or a fake `pulumi`) reads them. */
export function writeOutputs(dir: string, deployed: DeployedWorker): string {
  const file = join(dir, "outputs.json");
  writeFileSync(file, JSON.stringify(deployed.outputs, null, 2));
  return file;
}

/** The parts of AWS the stand-in plays; leave one out to see the smoke check fail there. */
export interface Parts {
  /** CloudWatch (fed by the backlog publisher): a scale-out alarm goes to ALARM while messages are visible. */
  readonly alarm: boolean;
  /** App Auto Scaling: the alarm's action raises the desired count to 1. */
  readonly scale: boolean;
  /** ECS: a task is placed for the desired count (RUNNING at once). */
  readonly task: boolean;
  /** The container: `jobworker run feed-normalize` on the queue, delivering to the results prefix. */
  readonly worker: boolean;
}

export interface StandInAction {
  readonly what: "alarm" | "scale" | "task" | "worker";
  readonly atMs: number;
}

/** Plays AWS's own reactions on moto, each when the state it reacts to is there. */
export class ControlPlaneStandIn {
  readonly actions: StandInAction[] = [];
  private readonly sqs: SQSClient;
  private readonly ecs: ECSClient;
  private readonly cloudwatch: CloudWatchClient;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private worker: ChildWorker | undefined;
  private readonly startedAt = Date.now();

  constructor(
    private readonly moto: MotoServer,
    private readonly deployed: DeployedWorker,
    private readonly parts: Parts,
    private readonly intervalMs = 200,
  ) {
    this.sqs = new SQSClient(moto.clientConfig);
    this.ecs = new ECSClient(moto.clientConfig);
    this.cloudwatch = new CloudWatchClient(moto.clientConfig);
  }

  /** The worker process, once started (its JSON log lines). */
  get workerProcess(): ChildWorker | undefined {
    return this.worker;
  }

  start(): this {
    this.loop = this.run();
    return this;
  }

  /** Stops reacting and the worker process; rethrows what went wrong in the loop. */
  async stop(): Promise<void> {
    this.stopping.abort();
    try {
      await this.loop;
    } finally {
      if (this.worker) {
        await stopKind(this.worker);
        await ensureStopped(this.worker);
      }
      this.sqs.destroy();
      this.ecs.destroy();
      this.cloudwatch.destroy();
    }
  }

  private did(what: StandInAction["what"]): boolean {
    return this.actions.some((a) => a.what === what);
  }

  private async run(): Promise<void> {
    const d = this.deployed;
    while (!this.stopping.signal.aborted) {
      if (this.parts.alarm && !this.did("alarm")) {
        const q = await this.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: d.queueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
        );
        if (Number(q.Attributes?.ApproximateNumberOfMessages ?? 0) > 0) {
          await this.cloudwatch.send(
            new SetAlarmStateCommand({
              AlarmName: d.scaleOutAlarms[0],
              StateValue: "ALARM",
              StateReason: "Threshold Crossed: 1 datapoint [1.0] was greater than the threshold (0.0).",
            }),
          );
          this.actions.push({ what: "alarm", atMs: Date.now() - this.startedAt });
        }
      }
      if (this.parts.scale && this.did("alarm") && !this.did("scale")) {
        await this.ecs.send(new UpdateServiceCommand({ cluster: d.clusterName, service: d.serviceName, desiredCount: 1 }));
        this.actions.push({ what: "scale", atMs: Date.now() - this.startedAt });
      }
      if (this.parts.task && !this.did("task")) {
        const s = await this.ecs.send(new DescribeServicesCommand({ cluster: d.clusterName, services: [d.serviceName] }));
        if ((s.services?.[0]?.desiredCount ?? 0) > 0) {
          await this.ecs.send(
            new RunTaskCommand({
              cluster: d.clusterName,
              taskDefinition: d.taskDefinitionArn,
              count: 1,
              group: `service:${d.serviceName}`,
              startedBy: "ecs-svc/1",
              launchType: "EC2",
            }),
          );
          this.actions.push({ what: "task", atMs: Date.now() - this.startedAt });
        }
      }
      if (this.parts.worker && !this.did("worker")) {
        const tasks = await this.ecs.send(new ListTasksCommand({ cluster: d.clusterName, desiredStatus: "RUNNING" }));
        if ((tasks.taskArns ?? []).length > 0) {
          this.worker = await runKind(
            this.moto,
            WORKER,
            {
              inputBucket: d.inputBucket,
              outputBucket: RESULTS_BUCKET,
              queueUrl: d.queueUrl,
              dlqUrl: d.deadLetterQueueUrl,
              maxReceiveCount: 5,
            },
            d.bindings,
          );
          this.actions.push({ what: "worker", atMs: Date.now() - this.startedAt });
        }
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.intervalMs);
        this.stopping.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }
}
