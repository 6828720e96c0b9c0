import assert from "node:assert/strict";
import { buildClusterPanel, clusterCapacity, staleReason } from "../../../console/cluster";

describe("console/cluster", () => {
  const cases: [string, boolean, string | undefined, { instanceId: string; state: string } | undefined, string | undefined][] = [
    ["agent connected, instance running: healthy", true, "i-1", { instanceId: "i-1", state: "running" }, undefined],
    ["instance still booting is not stale", true, "i-1", { instanceId: "i-1", state: "pending" }, undefined],
    ["agent disconnected", false, "i-1", { instanceId: "i-1", state: "running" }, "ECS agent disconnected"],
    ["EC2 instance terminated (reclaimed Spot)", true, "i-1", { instanceId: "i-1", state: "terminated" }, "EC2 instance i-1 is terminated"],
    ["EC2 instance shutting down", true, "i-1", { instanceId: "i-1", state: "shutting-down" }, "EC2 instance i-1 is shutting-down"],
    ["EC2 no longer knows the instance", true, "i-1", undefined, "EC2 instance i-1 not found"],
  ];
  for (const [title, agent, id, ec2, expected] of cases) {
    it(`staleReason: ${title}`, () => assert.equal(staleReason(agent, id, ec2), expected));
  }

  it("keeps only the fleets whose instances joined the cluster (or named ones), and counts types of healthy instances", () => {
    const ci = (id: string, ec2: string, status: string, type: string) => ({
      containerInstanceArn: `arn:aws:ecs:r:1:container-instance/c/${id}`,
      ec2InstanceId: ec2,
      status,
      agentConnected: true,
      attributes: [{ name: "ecs.instance-type", value: type }],
    });
    const panel = buildClusterPanel({
      cluster: "c",
      containerInstances: [
        ci("a", "i-a", "ACTIVE", "m5.large"),
        ci("b", "i-b", "DRAINING", "m5.large"),
        ci("c", "i-c", "ACTIVE", "c5.xlarge"),
      ],
      ec2States: new Map([
        ["i-a", { instanceId: "i-a", state: "running" }],
        ["i-b", { instanceId: "i-b", state: "running" }],
        ["i-c", { instanceId: "i-c", state: "terminated" }],
      ]),
      fleets: [
        {
          config: {
            SpotFleetRequestId: "sfr-ours",
            SpotFleetRequestState: "active",
            SpotFleetRequestConfig: {
              TargetCapacity: 8,
              FulfilledCapacity: 6,
              OnDemandTargetCapacity: 4,
              OnDemandFulfilledCapacity: 2,
              IamFleetRole: "r",
            },
          },
          instanceIds: ["i-a"],
        },
        {
          config: {
            SpotFleetRequestId: "sfr-other",
            SpotFleetRequestState: "active",
            SpotFleetRequestConfig: { TargetCapacity: 4, IamFleetRole: "r" },
          },
          instanceIds: ["i-z"],
        },
        {
          config: {
            SpotFleetRequestId: "sfr-named",
            SpotFleetRequestState: "active",
            SpotFleetRequestConfig: { TargetCapacity: 2, FulfilledCapacity: 0, IamFleetRole: "r" },
          },
          instanceIds: [],
        },
      ],
      namedFleetIds: ["sfr-named"],
    });
    assert.deepEqual(panel.fleets, [
      { id: "sfr-ours", state: "active", targetVcpus: 8, fulfilledVcpus: 6, onDemandTargetVcpus: 4, onDemandFulfilledVcpus: 2 },
      { id: "sfr-named", state: "active", targetVcpus: 2, fulfilledVcpus: 0 },
    ]);
    assert.deepEqual(
      { active: panel.active, draining: panel.draining, types: panel.instanceTypes },
      { active: 2, draining: 1, types: { "m5.large": 2 } },
    );
    assert.deepEqual(
      panel.stale.map((s) => s.id),
      ["c"],
    );
  });

  it("counts CPU and memory reserved vs registered over the usable instances only (registered − remaining)", () => {
    const res = (cpu: number, memory: number) => [
      { name: "CPU", integerValue: cpu },
      { name: "MEMORY", integerValue: memory },
    ];
    const instances = [
      { containerInstanceArn: "a", registeredResources: res(2048, 7680), remainingResources: res(1024, 4096) },
      { containerInstanceArn: "b", registeredResources: res(4096, 15360), remainingResources: res(4096, 15360) },
      { containerInstanceArn: "draining", registeredResources: res(2048, 7680), remainingResources: res(0, 0) },
    ];
    assert.deepEqual(
      clusterCapacity(instances, (ci) => ci.containerInstanceArn !== "draining"),
      {
        cpu: { registered: 6144, reserved: 1024 },
        memory: { registered: 23040, reserved: 3584 },
      },
    );
  });
});
