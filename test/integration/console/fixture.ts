/**
 * A jobworker platform in moto server, as the console sees one on AWS: one ECS cluster with 28 worker
 * services (each with a task definition carrying JOBWORKER_QUEUE_URL, a queue and a DLQ), a Spot
 * Fleet whose three instances are registered as container instances (one draining, one whose EC2
 * instance is terminated), queues with backlog, a DLQ with messages, an alarm in ALARM, and running
 * tasks placed on the instances. `expected` is what the console must show, derived from what moto
 * returns (see the notes on moto's counts below).
 */
import { CloudWatchClient, PutMetricAlarmCommand, PutMetricDataCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeImagesCommand, EC2Client, RequestSpotFleetCommand, TerminateInstancesCommand, DescribeSpotFleetInstancesCommand } from "@aws-sdk/client-ec2";
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
export const SERVICE_COUNT = 28;

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
  readonly backlogIdleService: string;
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
}

function plans(): Plan[] {
  const out: Plan[] = [];
  for (let i = 1; i <= SERVICE_COUNT; i++) {
    const worker = `worker-${String(i).padStart(2, "0")}`;
    out.push({ worker, createDesired: 1, updateDesired: (i % 3) + 1, backlog: i % 5, inFlight: 0, dlq: 0 });
  }
  // Special rows (replacing the generic ones with the same index).
  out[0] = { worker: "feed-normalize", createDesired: 1, updateDesired: 3, backlog: 12, inFlight: 2, dlq: 0 };
  out[1] = { worker: "orders-webhook", createDesired: 1, updateDesired: 2, backlog: 1, inFlight: 0, dlq: 3 };
  out[2] = { worker: "partner-protobuf-sftp", createDesired: 0, backlog: 7, inFlight: 0, dlq: 0 };
  out[3] = { worker: "scaling-up", createDesired: 2, backlog: 4, inFlight: 0, dlq: 0 };
  out[4] = { worker: "tag-found", createDesired: 1, updateDesired: 1, backlog: 0, inFlight: 0, dlq: 0, viaTag: true };
  out[5] = { worker: "alarmed", createDesired: 1, updateDesired: 1, backlog: 2, inFlight: 0, dlq: 0 };
  return out;
}

async function sendMessages(sqs: SQSClient, url: string, n: number): Promise<void> {
  for (let sent = 0; sent < n; sent += 10) {
    const batch = Array.from({ length: Math.min(10, n - sent) }, (_, k) => ({ Id: `m${sent + k}`, MessageBody: `{"key":"in/${sent + k}.json"}` }));
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
    const ec2Ids = [...active.filter((i) => i.InstanceType === "m5.large"), ...active.filter((i) => i.InstanceType !== "m5.large")].map((i) => i.InstanceId as string);
    if (ec2Ids.length !== 3) throw new Error(`expected 3 fleet instances, moto launched ${ec2Ids.length}`);
    const containerInstanceArns: string[] = [];
    for (const instanceId of ec2Ids) {
      const ci = await ecs.send(
        new RegisterContainerInstanceCommand({ cluster: CLUSTER, instanceIdentityDocument: JSON.stringify({ instanceId, region: cfg.region }) }),
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
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:${cfg.region}:123456789012:${serviceName}-dlq`, maxReceiveCount: 5 }),
          },
        }),
      );
      const queueUrl = queue.QueueUrl as string;
      await sendMessages(sqs, queueUrl, plan.backlog + plan.inFlight);
      if (plan.inFlight > 0) {
        const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: plan.inFlight, VisibilityTimeout: 600 }));
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
              logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": `/jobworker/${plan.worker}`, "awslogs-region": cfg.region, "awslogs-stream-prefix": "worker" } },
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
          tags: plan.viaTag ? [{ key: "jobworker:worker", value: plan.worker }, { key: "jobworker:queue-url", value: queueUrl }] : [],
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
        const run = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition, count: 3, group: `service:${serviceName}`, startedBy: "ecs-svc/1", launchType: "EC2" }));
        taskArns = (run.tasks ?? []).map((t) => t.taskArn as string);
        if (taskArns.length !== 3) throw new Error(`RunTask placed ${taskArns.length} of 3 tasks`);
        tasksService = serviceName;
      }
      expected.push({
        serviceName,
        worker: plan.worker,
        desired,
        running,
        pending,
        visible: plan.backlog,
        inFlight: plan.inFlight,
        dlqDepth: plan.dlq,
        ...(plan.worker === "feed-normalize" ? { oldestMessageAgeSeconds: 420 } : {}),
        attention: plan.dlq > 0 || (plan.backlog > 0 && running === 0) || plan.worker === "alarmed",
      });
    }

    // The age of feed-normalize's oldest message, as SQS would publish it.
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: "AWS/SQS",
        MetricData: [{ MetricName: "ApproximateAgeOfOldestMessage", Dimensions: [{ Name: "QueueName", Value: "jw-feed-normalize" }], Value: 420, Unit: "Seconds", Timestamp: new Date() }],
      }),
    );
    // An alarm on one worker's queue, firing.
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: "jw-alarmed-backlog",
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: "jw-alarmed" }],
        Statistic: "Maximum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
      }),
    );
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: "jw-alarmed-backlog", StateValue: "ALARM", StateReason: "test" }));
    // An OK alarm on another queue: shown, not flagged.
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: "jw-orders-webhook-backlog",
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: "jw-orders-webhook" }],
        Statistic: "Maximum",
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 100,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
      }),
    );
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: "jw-orders-webhook-backlog", StateValue: "OK", StateReason: "test" }));

    // Cluster state: the second m5.large drains; the c5.xlarge's EC2 instance is reclaimed.
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: CLUSTER, containerInstances: [containerInstanceArns[1] as string], status: "DRAINING" }));
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
      fleetId,
      staleEc2Id,
    };
  } finally {
    ecs.destroy();
    sqs.destroy();
    ec2.destroy();
    cloudwatch.destroy();
  }
}
