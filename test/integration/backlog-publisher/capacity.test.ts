/**
 * The publisher's capacity and TasksNeeded metrics against moto server: a real cluster state
 * (container instances, one DRAINING, daemon and worker tasks, a service wanting more tasks than
 * fit) gives the shortfall and the spare ACTIVE capacity; tagged worker queues give TasksNeeded.
 */
import assert from "node:assert/strict";
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeImagesCommand, EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  StartTaskCommand,
  UpdateContainerInstancesStateCommand,
} from "@aws-sdk/client-ecs";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { publishOnce } from "../../../workers/backlog-publisher/publisher";
import { SCALING_TAGS } from "../../../workers/backlog-publisher/tasks-needed";
import { type MotoServer, startMoto, TEST_REGION } from "../../support/moto";

const PREFIX = "jw-cap-";
const SQS_NAMESPACE = "Jobworker/SQS";
const CAPACITY_NAMESPACE = "Jobworker/Capacity";
const CLUSTER = "jw";

describe("backlog publisher: capacity and TasksNeeded (moto server)", function () {
  this.timeout(60_000);
  let moto: MotoServer;
  let sqs: SQSClient;
  let ecs: ECSClient;
  let ec2: EC2Client;
  let cloudwatch: CloudWatchClient;

  before(async () => {
    moto = await startMoto();
    sqs = new SQSClient(moto.clientConfig);
    ecs = new ECSClient(moto.clientConfig);
    ec2 = new EC2Client(moto.clientConfig);
    cloudwatch = new CloudWatchClient(moto.clientConfig);
  });
  after(async () => {
    for (const c of [sqs, ecs, ec2, cloudwatch]) c?.destroy();
    await moto?.stop();
  });
  beforeEach(() => moto.reset());

  async function maximum(namespace: string, metricName: string, name: string, value: string, at: Date): Promise<number | undefined> {
    const out = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: namespace,
        MetricName: metricName,
        Dimensions: [{ Name: name, Value: value }],
        StartTime: new Date(at.getTime() - 60_000),
        EndTime: new Date(at.getTime() + 60_000),
        Period: 60,
        Statistics: ["Maximum"],
      }),
    );
    return out.Datapoints?.[0]?.Maximum;
  }

  it("publishes TasksNeeded = ceil((visible + in flight) / concurrency), clamped to maxTasks, for tagged queues only", async () => {
    const make = async (name: string, tags?: Record<string, string>, messages = 0) => {
      const url = (await sqs.send(new CreateQueueCommand({ QueueName: `${PREFIX}${name}`, tags }))).QueueUrl!;
      for (let i = 0; i < messages; i++) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }));
      return url;
    };
    const clamped = await make("clamped", { [SCALING_TAGS.concurrency]: "4", [SCALING_TAGS.maxTasks]: "2" }, 13);
    await make("five", { [SCALING_TAGS.concurrency]: "4", [SCALING_TAGS.maxTasks]: "10" }, 5);
    await make("idle", { [SCALING_TAGS.concurrency]: "4", [SCALING_TAGS.maxTasks]: "10" });
    await make("untagged-dlq", undefined, 3);
    // Two in flight on `clamped`: they count as much as visible ones.
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: clamped, MaxNumberOfMessages: 2, VisibilityTimeout: 300 }));

    const at = new Date();
    const result = await publishOnce({ sqs, cloudwatch }, { queueNamePrefix: PREFIX, namespace: SQS_NAMESPACE }, () => at);
    const needed = Object.fromEntries(result.published.map((b) => [b.queueName.slice(PREFIX.length), b.tasksNeeded]));
    assert.deepEqual(needed, { clamped: 2, five: 2, idle: 0, "untagged-dlq": undefined });
    assert.equal(await maximum(SQS_NAMESPACE, "TasksNeeded", "QueueName", `${PREFIX}five`, at), 2);
    const listed = await cloudwatch.send(new ListMetricsCommand({ Namespace: SQS_NAMESPACE, MetricName: "TasksNeeded" }));
    assert.deepEqual(listed.Metrics!.map((m) => m.Dimensions![0].Value).sort(), [`${PREFIX}clamped`, `${PREFIX}five`, `${PREFIX}idle`]);
  });

  it("publishes the shortfall and the spare ACTIVE capacity of a real cluster state, DRAINING excluded", async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    const image = (await ec2.send(new DescribeImagesCommand({}))).Images![0].ImageId!;
    const arns: string[] = [];
    for (let i = 0; i < 2; i++) {
      const launched = await ec2.send(new RunInstancesCommand({ ImageId: image, InstanceType: "c6i.xlarge", MinCount: 1, MaxCount: 1 }));
      const instanceId = launched.Instances![0].InstanceId!;
      const out = await ecs.send(
        new RegisterContainerInstanceCommand({
          cluster: CLUSTER,
          instanceIdentityDocument: JSON.stringify({ instanceId, region: TEST_REGION }),
        }),
      );
      arns.push(out.containerInstance!.containerInstanceArn!);
    }
    const [active, draining] = arns;
    // moto registers 4096 CPU units and 7482 MiB per instance.
    const container = (name: string, cpu: number, memory: number) => ({ name, image: `${name}:1`, cpu, memory, essential: true });
    await ecs.send(new RegisterTaskDefinitionCommand({ family: "logs", containerDefinitions: [container("logs", 128, 128)] }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: "w", containerDefinitions: [container("w", 1024, 1024)] }));
    await ecs.send(
      new CreateServiceCommand({ cluster: CLUSTER, serviceName: "logs", taskDefinition: "logs", schedulingStrategy: "DAEMON" }),
    );
    await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: "w", taskDefinition: "w", desiredCount: 5 }));
    await ecs.send(new StartTaskCommand({ cluster: CLUSTER, taskDefinition: "logs", containerInstances: arns, group: "service:logs" }));
    await ecs.send(
      new StartTaskCommand({ cluster: CLUSTER, taskDefinition: "w", containerInstances: [active, active], group: "service:w" }),
    );
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: CLUSTER, containerInstances: [draining], status: "DRAINING" }));

    const at = new Date();
    const result = await publishOnce(
      { sqs, cloudwatch, ecs },
      { queueNamePrefix: PREFIX, namespace: SQS_NAMESPACE, capacity: { clusterName: CLUSTER, namespace: CAPACITY_NAMESPACE } },
      () => at,
    );
    // w wants 5, 2 placed: 3 unplaced × 1024 CPU. The ACTIVE instance has 4096 − 128 − 2 × 1024 = 1920 left: one fits,
    // two do not (the DRAINING instance's 3968 free units do not count).
    assert.deepEqual(result.capacity, {
      unplaceableTasks: 2,
      shortfallVcpus: 2,
      shortfallMemoryMiB: 2048,
      spareActiveVcpus: 0.88,
      spareActiveMemoryMiB: 7482 - 128 - 3 * 1024,
      activeInstances: 1,
      drainingInstances: 1,
    });
    assert.equal(await maximum(CAPACITY_NAMESPACE, "ShortfallVcpus", "ClusterName", CLUSTER, at), 2);
    assert.equal(await maximum(CAPACITY_NAMESPACE, "SpareActiveVcpus", "ClusterName", CLUSTER, at), 0.88);
    assert.equal(await maximum(CAPACITY_NAMESPACE, "DrainingInstances", "ClusterName", CLUSTER, at), 1);
  });
});
