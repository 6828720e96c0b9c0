/**
 * The capacity controller against moto server: a real Spot Fleet request, its instances registered
 * as container instances, daemon and worker tasks on them. One run terminates the DRAINING instance
 * whose only task is a daemon's, keeps the DRAINING one that still runs a worker task, lowers the
 * fleet's target (noTermination: EC2 terminates nothing) and drains the empty ACTIVE one; after the
 * last worker task stops, the next run terminates both drained instances.
 */
import assert from "node:assert/strict";
import { CloudWatchClient, PutMetricAlarmCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSpotFleetInstancesCommand,
  DescribeSpotFleetRequestsCommand,
  EC2Client,
  RequestSpotFleetCommand,
} from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  ECSClient,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  StartTaskCommand,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
} from "@aws-sdk/client-ecs";
import { type ControllerOptions, runController, SPARE_METRIC } from "../../../workers/capacity-controller/controller";
import { type MotoServer, startMoto, TEST_REGION } from "../../support/moto";

const CLUSTER = "jw";
const NAMESPACE = "Jobworker/Capacity";
const ALARM = "jw-spot-short";

describe("capacity controller (moto server)", function () {
  this.timeout(60_000);
  let moto: MotoServer;
  let ecs: ECSClient;
  let ec2: EC2Client;
  let cloudwatch: CloudWatchClient;

  before(async () => {
    moto = await startMoto();
    ecs = new ECSClient(moto.clientConfig);
    ec2 = new EC2Client(moto.clientConfig);
    cloudwatch = new CloudWatchClient(moto.clientConfig);
  });
  after(async () => {
    ecs?.destroy();
    ec2?.destroy();
    cloudwatch?.destroy();
    await moto?.stop();
  });

  /** moto registers every container instance with 4096 CPU units and 7482 MiB: a 4-vCPU type, weight 4. */
  const options = (fleetRequestId: string): ControllerOptions => ({
    clusterName: CLUSTER,
    fleetRequestId,
    weights: { "c6i.xlarge": 4 },
    spotShortAlarmName: ALARM,
    capacityNamespace: NAMESPACE,
    minCapacity: 4,
    maxCapacity: 16,
    onDemandBaseCapacity: 0,
    maxOnDemandCapacity: 16,
    spareThresholdVcpus: 1,
    scaleInWindowMinutes: 3,
    maxDrainsPerRun: 4,
  });

  async function fleetTarget(id: string): Promise<number> {
    const out = await ec2.send(new DescribeSpotFleetRequestsCommand({ SpotFleetRequestIds: [id] }));
    return out.SpotFleetRequestConfigs![0].SpotFleetRequestConfig!.TargetCapacity!;
  }
  async function instanceStates(ids: string[]): Promise<Record<string, string>> {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    return Object.fromEntries(out.Reservations!.flatMap((r) => r.Instances!).map((i) => [i.InstanceId!, i.State!.Name!]));
  }
  async function ecsStatus(arns: string[]): Promise<string[]> {
    const out = await ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: arns }));
    const byArn = new Map(out.containerInstances!.map((c) => [c.containerInstanceArn!, c.status!]));
    return arns.map((a) => byArn.get(a)!);
  }

  it("drains, waits and terminates only instances without a worker task", async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    const images = await ec2.send(new DescribeImagesCommand({}));
    const fleet = await ec2.send(
      new RequestSpotFleetCommand({
        SpotFleetRequestConfig: {
          IamFleetRole: "arn:aws:iam::123456789012:role/fleet",
          TargetCapacity: 16,
          AllocationStrategy: "diversified",
          LaunchSpecifications: [{ ImageId: images.Images![0].ImageId!, InstanceType: "c6i.xlarge", WeightedCapacity: 4 }],
        },
      }),
    );
    const fleetId = fleet.SpotFleetRequestId!;
    const launched = await ec2.send(new DescribeSpotFleetInstancesCommand({ SpotFleetRequestId: fleetId }));
    const ids = launched.ActiveInstances!.map((i) => i.InstanceId!).sort();
    assert.equal(ids.length, 4);
    const arns: string[] = [];
    for (const instanceId of ids) {
      const out = await ecs.send(
        new RegisterContainerInstanceCommand({
          cluster: CLUSTER,
          instanceIdentityDocument: JSON.stringify({ instanceId, region: TEST_REGION }),
        }),
      );
      arns.push(out.containerInstance!.containerInstanceArn!);
    }
    const [busy, drainingBusy, drainingEmpty, idle] = arns;

    const container = (name: string, cpu: number, memory: number) => ({ name, image: "worker:1", cpu, memory, essential: true });
    await ecs.send(new RegisterTaskDefinitionCommand({ family: "logs", containerDefinitions: [container("logs", 128, 128)] }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: "w", containerDefinitions: [container("w", 1024, 1024)] }));
    await ecs.send(
      new CreateServiceCommand({ cluster: CLUSTER, serviceName: "logs", taskDefinition: "logs", schedulingStrategy: "DAEMON" }),
    );
    await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: "w", taskDefinition: "w", desiredCount: 3 }));
    // A daemon task on every instance; worker tasks: two on `busy`, one on `drainingBusy`.
    await ecs.send(new StartTaskCommand({ cluster: CLUSTER, taskDefinition: "logs", containerInstances: arns, group: "service:logs" }));
    await ecs.send(new StartTaskCommand({ cluster: CLUSTER, taskDefinition: "w", containerInstances: [busy, busy], group: "service:w" }));
    const lastWorker = await ecs.send(
      new StartTaskCommand({ cluster: CLUSTER, taskDefinition: "w", containerInstances: [drainingBusy], group: "service:w" }),
    );
    // The watcher drained these two (a rebalance recommendation, say).
    await ecs.send(
      new UpdateContainerInstancesStateCommand({ cluster: CLUSTER, containerInstances: [drainingBusy, drainingEmpty], status: "DRAINING" }),
    );
    // Spot is not short; spare capacity stayed high for the window (what the publisher puts there).
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: ALARM,
        Namespace: "AWS/EC2Spot",
        MetricName: "FulfilledCapacity",
        Statistic: "Average",
        Period: 300,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: "LessThanThreshold",
      }),
    );
    const now = new Date();
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: NAMESPACE,
        MetricData: [1, 2, 3].map((minutesAgo) => ({
          MetricName: SPARE_METRIC,
          Dimensions: [{ Name: "ClusterName", Value: CLUSTER }],
          Timestamp: new Date(now.getTime() - minutesAgo * 60_000 + 1_000),
          Value: 6,
        })),
      }),
    );

    const first = await runController({ ecs, ec2, cloudwatch }, options(fleetId), now);
    assert.deepEqual(first.terminate, [ids[2]], "only the drained instance without a worker task is terminated");
    assert.deepEqual(first.drain, [idle], "the empty ACTIVE instance is drained");
    assert.equal(first.targetCapacity, 12);
    assert.equal(await fleetTarget(fleetId), 12, "the target was lowered before the drain");
    assert.deepEqual(await ecsStatus([busy, drainingBusy, idle]), ["ACTIVE", "DRAINING", "DRAINING"]);
    const afterFirst = await instanceStates(ids);
    assert.deepEqual(
      ids.map((id) => afterFirst[id]),
      ["running", "running", "terminated", "running"],
      "lowering the target with noTermination terminated nothing else",
    );

    // The last worker task on the drained instance finishes; the next run terminates it and the drained idle one.
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: lastWorker.tasks![0].taskArn!, reason: "job done" }));
    const second = await runController({ ecs, ec2, cloudwatch }, options(fleetId), now);
    assert.deepEqual([...second.terminate].sort(), [ids[1], ids[2], ids[3]].filter((id) => afterFirst[id] !== "terminated").sort());
    assert.equal(second.targetCapacity, undefined, "terminating a drained instance does not touch the target");
    const afterSecond = await instanceStates(ids);
    assert.deepEqual(
      ids.map((id) => afterSecond[id]),
      ["running", "terminated", "terminated", "terminated"],
    );
  });
});
