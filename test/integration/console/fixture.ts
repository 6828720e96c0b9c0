/**
 * A jobworker platform in moto server, as the console sees a realistic one on AWS: one ECS cluster
 * with 60 worker services (each with a task definition carrying JOBWORKER_QUEUE_URL, a queue, a DLQ,
 * a scalable target, and JobWorker's five alarms), a Spot Fleet whose three instances are registered
 * as container instances (one draining, one whose EC2 instance is terminated), and running tasks
 * placed on the instances. Most workers are idle (their `idle` alarm in ALARM: scaled in), a third
 * scale out on a backlog (their `backlog` alarms in ALARM), and a handful have real problems: DLQs
 * with messages (their `dlq-not-empty` alarm firing), a 40-minute-old backlog, a service alarm, a
 * worker at `maxTasks` whose backlog grows. `expected` is what the console must show, derived from
 * what moto returns (see the notes on moto's counts below), with the exact attention reasons.
 */
import { ApplicationAutoScalingClient, RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import {
  CloudWatchClient,
  MetricDataQuery,
  PutMetricAlarmCommand,
  PutMetricAlarmCommandInput,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import {
  DescribeImagesCommand,
  EC2Client,
  RequestSpotFleetCommand,
  TerminateInstancesCommand,
  DescribeSpotFleetInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createClients, ConsoleClients } from "../../../console/aws/clients";
import { MotoServer } from "../../support/moto";

export const CLUSTER = "jobworker-test";
export const SERVICE_COUNT = 60;
/** maxTasks of every worker but the ones that set their own. */
const DEFAULT_MAX_TASKS = 10;

export interface ExpectedRow {
  readonly serviceName: string;
  readonly worker: string;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  readonly visible: number;
  readonly inFlight: number;
  readonly dlqDepth: number;
  readonly oldestMessageAgeSeconds?: number;
  readonly scaling: "scaling out" | "idle" | "steady";
  /** The reasons the console must give, exactly; empty for a worker that needs no one. */
  readonly reasons: readonly string[];
  readonly attention: boolean;
}

export interface SeededPlatform {
  readonly clients: ConsoleClients;
  readonly expected: readonly ExpectedRow[];
  /** The service with three running tasks, for the stop-task tests. */
  readonly tasksService: string;
  readonly taskArns: readonly string[];
  readonly dlqService: string;
  readonly alarmService: string;
  /** The worker whose oldest message is 40 minutes old. */
  readonly backlogIdleService: string;
  /** The worker at maxTasks whose backlog grows. */
  readonly maxedService: string;
  readonly fleetId: string;
  /** EC2 id of the container instance whose instance was terminated. */
  readonly staleEc2Id: string;
}

/** moto advances a task's status one step per DescribeTasks (RUNNING → ... → STOPPED); freeze it. */
export async function freezeTaskStates(moto: MotoServer): Promise<void> {
  const res = await fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ model_name: "ecs::task", transition: { progression: "manual", times: 1_000_000 } }),
  });
  if (!res.ok) throw new Error(`moto set-transition failed: ${res.status}`);
}

interface Plan {
  readonly worker: string;
  /** Desired count at CreateService. moto then reports running 0, pending = desired. */
  readonly createDesired: number;
  /** UpdateService's desired count; moto then reports running = desired, pending 0. */
  readonly updateDesired?: number;
  readonly backlog: number;
  readonly inFlight: number;
  readonly dlq: number;
  /** Queue found through the service tag instead of the task definition. */
  readonly viaTag?: boolean;
  /** The scalable target's MaxCapacity. @default DEFAULT_MAX_TASKS */
  readonly maxTasks?: number;
  /** `ApproximateAgeOfOldestMessage` CloudWatch reports, seconds. */
  readonly oldestAge?: number;
  /** `ApproximateNumberOfMessagesVisible` CloudWatch reported 10 minutes ago and a minute ago. */
  readonly visibleTrend?: readonly [number, number];
  /** A notifying alarm on the ECS service (CPU), in ALARM. */
  readonly serviceAlarm?: boolean;
  /** The reasons the console must give. @default [] */
  readonly reasons?: readonly string[];
}

/** JobWorker's alarm names: `<worker>-<key>-<7 hex>` (Pulumi's auto-naming, components/job-worker/scaling.ts). */
export function alarmName(worker: string, key: string): string {
  let hash = 7;
  for (const c of `${worker}/${key}`) hash = (hash * 31 + c.charCodeAt(0)) % 0xfffffff;
  return `${worker}-${key}-${hash.toString(16).padStart(7, "0")}`;
}

function plans(): Plan[] {
  const out: Plan[] = [];
  for (let i = 1; i <= SERVICE_COUNT; i++) {
    const worker = `worker-${String(i).padStart(2, "0")}`;
    if (i % 15 === 0) {
      // A DLQ with a message: its dlq-not-empty alarm fires.
      out.push({
        worker,
        createDesired: 1,
        updateDesired: 0,
        backlog: 0,
        inFlight: 0,
        dlq: 1,
        reasons: [`alarm ${alarmName(worker, "dlq-not-empty")} is in ALARM`, "DLQ holds 1 message(s)"],
      });
    } else if (i % 3 === 0) {
      // Scaling out on a fresh backlog.
      out.push({ worker, createDesired: 1, updateDesired: (i % 4) + 1, backlog: (i % 5) + 1, inFlight: 0, dlq: 0, oldestAge: 30 + i });
    } else {
      // Idle, scaled in to zero.
      out.push({ worker, createDesired: 1, updateDesired: 0, backlog: 0, inFlight: 0, dlq: 0 });
    }
  }
  // Special rows (replacing the generic ones with the same index).
  out[0] = { worker: "feed-normalize", createDesired: 1, updateDesired: 3, backlog: 12, inFlight: 2, dlq: 0, oldestAge: 420 };
  out[1] = {
    worker: "orders-webhook",
    createDesired: 1,
    updateDesired: 2,
    backlog: 1,
    inFlight: 0,
    dlq: 3,
    reasons: [`alarm ${alarmName("orders-webhook", "dlq-not-empty")} is in ALARM`, "DLQ holds 3 message(s)"],
  };
  // A backlog nobody works on for 40 minutes: its scaling alarm fires (scaling out) and its oldest-message alarm too.
  out[2] = {
    worker: "partner-protobuf-sftp",
    createDesired: 0,
    backlog: 7,
    inFlight: 0,
    dlq: 0,
    oldestAge: 2_400,
    reasons: [`alarm ${alarmName("partner-protobuf-sftp", "oldest-message")} is in ALARM`, "oldest message is 40 min old (limit 30 min)"],
  };
  out[3] = { worker: "scaling-up", createDesired: 2, backlog: 4, inFlight: 0, dlq: 0, oldestAge: 20 };
  out[4] = { worker: "tag-found", createDesired: 1, updateDesired: 0, backlog: 0, inFlight: 0, dlq: 0, viaTag: true };
  out[5] = {
    worker: "alarmed",
    createDesired: 1,
    updateDesired: 1,
    backlog: 2,
    inFlight: 0,
    dlq: 0,
    oldestAge: 15,
    serviceAlarm: true,
    reasons: ["alarm alarmed-cpu-high is in ALARM"],
  };
  out[6] = {
    worker: "billing-export",
    createDesired: 1,
    updateDesired: 0,
    backlog: 0,
    inFlight: 0,
    dlq: 25,
    reasons: [`alarm ${alarmName("billing-export", "dlq-not-empty")} is in ALARM`, "DLQ holds 25 message(s)"],
  };
  out[7] = {
    worker: "maxed-out",
    createDesired: 1,
    updateDesired: 3,
    maxTasks: 3,
    backlog: 40,
    inFlight: 0,
    dlq: 0,
    oldestAge: 300,
    visibleTrend: [10, 40],
    reasons: ["at maxTasks (3) and the backlog grows (10 → 40)"],
  };
  // Growing too, but below its maxTasks: autoscaling at work.
  out[8] = {
    worker: "invoice-pdf",
    createDesired: 1,
    updateDesired: 2,
    maxTasks: 8,
    backlog: 20,
    inFlight: 0,
    dlq: 0,
    oldestAge: 90,
    visibleTrend: [5, 20],
  };
  return out;
}

/**
 * JobWorker's five alarms for one worker, as `components/job-worker/scaling.ts` specifies them:
 * `backlog-fast` and `backlog` scale out, `idle` (metric math ≤ 0) scales in, `dlq-not-empty` and
 * `oldest-message` notify. Each in the state it would be in for `plan`.
 */
function workerAlarms(plan: Plan, queueName: string, region: string): { input: PutMetricAlarmCommandInput; state: "OK" | "ALARM" }[] {
  const policy = (direction: string) =>
    `arn:aws:autoscaling:${region}:123456789012:scalingPolicy:0b8c4e2a-1f3d-4c5b-9a7e-6d2f1e0c9b8a:resource/ecs/service/${CLUSTER}/jw-${plan.worker}:policyName/${plan.worker}-${direction}-0a1b2c3`;
  const sns = `arn:aws:sns:${region}:123456789012:jobworker-ops`;
  const native = (metricName: string, queue: string) => ({
    Namespace: "AWS/SQS",
    MetricName: metricName,
    Dimensions: [{ Name: "QueueName", Value: queue }],
  });
  const busy = plan.backlog > 0;
  const idle = !busy && plan.inFlight === 0;
  const spec = (key: string, state: "OK" | "ALARM", rest: Omit<PutMetricAlarmCommandInput, "AlarmName" | "EvaluationPeriods">) => ({
    input: { AlarmName: alarmName(plan.worker, key), EvaluationPeriods: 1, ...rest },
    state,
  });
  const idleQueries: MetricDataQuery[] = [
    { Id: "busy", Expression: "MAX([nv, nf])", Label: "visible or in-flight messages", ReturnData: true },
    {
      Id: "nv",
      MetricStat: { Metric: native("ApproximateNumberOfMessagesVisible", queueName), Period: 60, Stat: "Maximum" },
      ReturnData: false,
    },
    {
      Id: "nf",
      MetricStat: { Metric: native("ApproximateNumberOfMessagesNotVisible", queueName), Period: 60, Stat: "Maximum" },
      ReturnData: false,
    },
  ];
  const dlqState = plan.dlq > 0 ? "ALARM" : "OK";
  const oldestState = (plan.oldestAge ?? 0) > 1_800 ? "ALARM" : "OK";
  return [
    spec("backlog-fast", busy ? "ALARM" : "OK", {
      ...native("ApproximateNumberOfMessagesVisible", queueName),
      Namespace: "JobWorker/Backlog",
      Statistic: "Maximum",
      Period: 10,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      AlarmActions: [policy("scale-out")],
    }),
    spec("backlog", busy ? "ALARM" : "OK", {
      ...native("ApproximateNumberOfMessagesVisible", queueName),
      Statistic: "Maximum",
      Period: 60,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      AlarmActions: [policy("scale-out")],
    }),
    spec("idle", idle ? "ALARM" : "OK", {
      Metrics: idleQueries,
      Threshold: 0,
      ComparisonOperator: "LessThanOrEqualToThreshold",
      AlarmActions: [policy("scale-in")],
    }),
    spec("dlq-not-empty", dlqState, {
      ...native("ApproximateNumberOfMessagesVisible", `${queueName}-dlq`),
      Statistic: "Maximum",
      Period: 60,
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      AlarmActions: [sns],
      OKActions: [sns],
    }),
    spec("oldest-message", oldestState, {
      ...native("ApproximateAgeOfOldestMessage", queueName),
      Statistic: "Maximum",
      Period: 60,
      Threshold: 1_800,
      ComparisonOperator: "GreaterThanThreshold",
      AlarmActions: [sns],
      OKActions: [sns],
    }),
  ];
}

async function sendMessages(sqs: SQSClient, url: string, n: number): Promise<void> {
  for (let sent = 0; sent < n; sent += 10) {
    const batch = Array.from({ length: Math.min(10, n - sent) }, (_, k) => ({
      Id: `m${sent + k}`,
      MessageBody: `{"key":"in/${sent + k}.json"}`,
    }));
    const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: batch }));
    if ((out.Failed ?? []).length > 0) throw new Error(`SendMessageBatch failed: ${JSON.stringify(out.Failed)}`);
  }
}

export async function seedPlatform(moto: MotoServer): Promise<SeededPlatform> {
  await freezeTaskStates(moto);
  const cfg = moto.clientConfig;
  const ecs = new ECSClient(cfg);
  const sqs = new SQSClient(cfg);
  const ec2 = new EC2Client(cfg);
  const cloudwatch = new CloudWatchClient(cfg);
  const autoscaling = new ApplicationAutoScalingClient(cfg);
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));

    // The Spot Fleet: weights are vCPUs; diversified over two types, target 8 vCPU → m5.large (2),
    // c5.xlarge (4), m5.large (2).
    const images = await ec2.send(new DescribeImagesCommand({}));
    const imageId = images.Images?.[0]?.ImageId;
    if (!imageId) throw new Error("moto returned no AMI");
    const fleet = await ec2.send(
      new RequestSpotFleetCommand({
        SpotFleetRequestConfig: {
          IamFleetRole: "arn:aws:iam::123456789012:role/spot-fleet",
          TargetCapacity: 8,
          AllocationStrategy: "diversified",
          LaunchSpecifications: [
            { ImageId: imageId, InstanceType: "m5.large", WeightedCapacity: 2 },
            { ImageId: imageId, InstanceType: "c5.xlarge", WeightedCapacity: 4 },
          ],
        },
      }),
    );
    const fleetId = fleet.SpotFleetRequestId as string;
    const fleetInstances = await ec2.send(new DescribeSpotFleetInstancesCommand({ SpotFleetRequestId: fleetId }));
    const active = fleetInstances.ActiveInstances ?? [];
    // Register the m5.large instances first, so RunTask places tasks on them.
    const ec2Ids = [...active.filter((i) => i.InstanceType === "m5.large"), ...active.filter((i) => i.InstanceType !== "m5.large")].map(
      (i) => i.InstanceId as string,
    );
    if (ec2Ids.length !== 3) throw new Error(`expected 3 fleet instances, moto launched ${ec2Ids.length}`);
    const containerInstanceArns: string[] = [];
    for (const instanceId of ec2Ids) {
      const ci = await ecs.send(
        new RegisterContainerInstanceCommand({
          cluster: CLUSTER,
          instanceIdentityDocument: JSON.stringify({ instanceId, region: cfg.region }),
        }),
      );
      containerInstanceArns.push(ci.containerInstance?.containerInstanceArn as string);
    }

    const expected: ExpectedRow[] = [];
    let tasksService = "";
    let taskArns: string[] = [];
    for (const [i, plan] of plans().entries()) {
      const serviceName = `jw-${plan.worker}`;
      const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${serviceName}-dlq` }));
      const queue = await sqs.send(
        new CreateQueueCommand({
          QueueName: serviceName,
          Attributes: {
            VisibilityTimeout: "300",
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: `arn:aws:sqs:${cfg.region}:123456789012:${serviceName}-dlq`,
              maxReceiveCount: 5,
            }),
          },
        }),
      );
      const queueUrl = queue.QueueUrl as string;
      await sendMessages(sqs, queueUrl, plan.backlog + plan.inFlight);
      if (plan.inFlight > 0) {
        const got = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: plan.inFlight, VisibilityTimeout: 600 }),
        );
        if ((got.Messages ?? []).length !== plan.inFlight) throw new Error(`received ${got.Messages?.length} of ${plan.inFlight}`);
      }
      await sendMessages(sqs, dlq.QueueUrl as string, plan.dlq);

      const environment = plan.viaTag
        ? []
        : [
            { name: "JOBWORKER_WORKER", value: plan.worker },
            { name: "JOBWORKER_QUEUE_URL", value: queueUrl },
          ];
      const td = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: serviceName,
          containerDefinitions: [
            {
              name: "worker",
              image: `123456789012.dkr.ecr.${cfg.region}.amazonaws.com/jobworker:${plan.worker}`,
              cpu: 256,
              memory: 512,
              environment,
              logConfiguration: {
                logDriver: "awslogs",
                options: { "awslogs-group": `/jobworker/${plan.worker}`, "awslogs-region": cfg.region, "awslogs-stream-prefix": "worker" },
              },
            },
          ],
        }),
      );
      const taskDefinition = td.taskDefinition?.taskDefinitionArn as string;
      await ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName,
          taskDefinition,
          desiredCount: plan.createDesired,
          launchType: "EC2",
          tags: plan.viaTag
            ? [
                { key: "jobworker:worker", value: plan.worker },
                { key: "jobworker:queue-url", value: queueUrl },
              ]
            : [],
        }),
      );
      if (plan.updateDesired !== undefined) {
        await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: serviceName, desiredCount: plan.updateDesired }));
      }
      // moto: CreateService reports running 0 / pending = desired; UpdateService(desiredCount)
      // reports running = desired / pending 0.
      const desired = plan.updateDesired ?? plan.createDesired;
      const running = plan.updateDesired ?? 0;
      const pending = plan.updateDesired === undefined ? plan.createDesired : 0;
      if (i === 0) {
        // Three real tasks for feed-normalize, started as its service would (group service:<name>).
        const run = await ecs.send(
          new RunTaskCommand({
            cluster: CLUSTER,
            taskDefinition,
            count: 3,
            group: `service:${serviceName}`,
            startedBy: "ecs-svc/1",
            launchType: "EC2",
          }),
        );
        taskArns = (run.tasks ?? []).map((t) => t.taskArn as string);
        if (taskArns.length !== 3) throw new Error(`RunTask placed ${taskArns.length} of 3 tasks`);
        tasksService = serviceName;
      }
      await autoscaling.send(
        new RegisterScalableTargetCommand({
          ServiceNamespace: "ecs",
          ResourceId: `service/${CLUSTER}/${serviceName}`,
          ScalableDimension: "ecs:service:DesiredCount",
          MinCapacity: 0,
          MaxCapacity: plan.maxTasks ?? DEFAULT_MAX_TASKS,
        }),
      );
      for (const { input, state } of workerAlarms(plan, serviceName, cfg.region)) {
        await cloudwatch.send(new PutMetricAlarmCommand(input));
        await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: input.AlarmName, StateValue: state, StateReason: "seeded" }));
      }
      if (plan.serviceAlarm) {
        // A team's own alarm on the ECS service, notifying: named as it is, not JobWorker's.
        const name = `${plan.worker}-cpu-high`;
        await cloudwatch.send(
          new PutMetricAlarmCommand({
            AlarmName: name,
            Namespace: "AWS/ECS",
            MetricName: "CPUUtilization",
            Dimensions: [
              { Name: "ClusterName", Value: CLUSTER },
              { Name: "ServiceName", Value: serviceName },
            ],
            Statistic: "Average",
            Period: 60,
            EvaluationPeriods: 3,
            Threshold: 90,
            ComparisonOperator: "GreaterThanThreshold",
            AlarmActions: [`arn:aws:sns:${cfg.region}:123456789012:jobworker-ops`],
          }),
        );
        await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: "ALARM", StateReason: "seeded" }));
      }
      // What SQS publishes to CloudWatch: the oldest message's age, and the backlog over time.
      const now = Date.now();
      const datum = (metricName: string, value: number, minutesAgo: number) => ({
        MetricName: metricName,
        Dimensions: [{ Name: "QueueName", Value: serviceName }],
        Value: value,
        Timestamp: new Date(now - minutesAgo * 60_000),
      });
      const data = [
        ...(plan.oldestAge !== undefined ? [datum("ApproximateAgeOfOldestMessage", plan.oldestAge, 1)] : []),
        ...(plan.visibleTrend
          ? [
              datum("ApproximateNumberOfMessagesVisible", plan.visibleTrend[0], 10),
              datum("ApproximateNumberOfMessagesVisible", plan.visibleTrend[1], 1),
            ]
          : []),
      ];
      if (data.length > 0) await cloudwatch.send(new PutMetricDataCommand({ Namespace: "AWS/SQS", MetricData: data }));

      const reasons = plan.reasons ?? [];
      expected.push({
        serviceName,
        worker: plan.worker,
        desired,
        running,
        pending,
        visible: plan.backlog,
        inFlight: plan.inFlight,
        dlqDepth: plan.dlq,
        ...(plan.oldestAge !== undefined ? { oldestMessageAgeSeconds: plan.oldestAge } : {}),
        scaling: plan.backlog > 0 ? "scaling out" : "idle",
        reasons,
        attention: reasons.length > 0,
      });
    }

    // Cluster state: the second m5.large drains; the c5.xlarge's EC2 instance is reclaimed.
    await ecs.send(
      new UpdateContainerInstancesStateCommand({
        cluster: CLUSTER,
        containerInstances: [containerInstanceArns[1] as string],
        status: "DRAINING",
      }),
    );
    const staleEc2Id = ec2Ids[2] as string;
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [staleEc2Id] }));

    return {
      clients: createClients({ ...cfg, maxAttempts: 1 }),
      expected,
      tasksService,
      taskArns,
      dlqService: "jw-orders-webhook",
      alarmService: "jw-alarmed",
      backlogIdleService: "jw-partner-protobuf-sftp",
      maxedService: "jw-maxed-out",
      fleetId,
      staleEc2Id,
    };
  } finally {
    ecs.destroy();
    sqs.destroy();
    ec2.destroy();
    cloudwatch.destroy();
    autoscaling.destroy();
  }
}
