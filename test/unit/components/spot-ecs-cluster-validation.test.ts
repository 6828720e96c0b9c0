/** `settleSpotEcsClusterArgs` and the instance type resolution: each bad arg names its field, the value and the fix. */
import assert from "node:assert/strict";
import { INSTANCE_TYPES } from "../../../components/instance-types";
import type { SpotEcsClusterArgs } from "../../../components/spot-ecs-cluster/args";
import { SpotEcsClusterArgsError } from "../../../components/spot-ecs-cluster/errors";
import { largestInstanceOf, resolveFleetInstanceTypes } from "../../../components/spot-ecs-cluster/fleet-types";
import { settleSpotEcsClusterArgs } from "../../../components/spot-ecs-cluster/validation";
import { baseArgs } from "./spot-ecs-cluster.fixtures";

describe("SpotEcsCluster args validation", () => {
  const cases: { why: string; change: Partial<SpotEcsClusterArgs>; field: string; message: RegExp }[] = [
    {
      why: "an unknown type without a weight",
      change: { instanceTypes: ["c6i.4xlarge", "z1q.9xlarge"] },
      field: "instanceTypes[1]",
      message: /"z1q\.9xlarge" is not in the instance type table.*explicit weight/,
    },
    {
      why: "an unknown type with a weight but no memory",
      change: { instanceTypes: ["c6i.4xlarge", { instanceType: "z1q.9xlarge", weight: 36 }] },
      field: "instanceTypes[1].memoryMiB",
      message: /memory in MiB is required/,
    },
    {
      why: "a duplicate type",
      change: { instanceTypes: ["c6i.4xlarge", "m6i.4xlarge", "c6i.4xlarge"] },
      field: "instanceTypes[2]",
      message: /"c6i\.4xlarge" is listed twice \(also at instanceTypes\[0\]\)/,
    },
    {
      why: "a single family",
      change: { instanceTypes: ["m6i.2xlarge", "m6i.4xlarge"] },
      field: "instanceTypes",
      message: /one family "m6i".*at least two families/,
    },
    { why: "no types", change: { instanceTypes: [] }, field: "instanceTypes", message: /at least two instance types/ },
    {
      why: "a malformed type name",
      change: { instanceTypes: ["c6i.4xlarge", "C6I 4XL"] },
      field: "instanceTypes[1]",
      message: /"C6I 4XL" is not an instance type name/,
    },
    {
      why: "a zero weight",
      change: { instanceTypes: ["c6i.4xlarge", { instanceType: "m6i.4xlarge", weight: 0 }] },
      field: "instanceTypes[1].weight",
      message: /0 must be a positive integer/,
    },
    {
      why: "x86_64 and arm64 types mixed",
      change: { instanceTypes: ["c6i.4xlarge", "m7g.4xlarge"] },
      field: "instanceTypes",
      message: /mixes x86_64 and arm64 types \(arm64: m7g\.4xlarge\)/,
    },
    {
      why: "subnets in one AZ",
      change: {
        subnets: [
          { subnetId: "subnet-01", availabilityZone: "ap-northeast-1a" },
          { subnetId: "subnet-02", availabilityZone: "ap-northeast-1a" },
        ],
      },
      field: "subnets",
      message: /all subnets are in ap-northeast-1a/,
    },
    {
      why: "a duplicate subnet",
      change: {
        subnets: [
          { subnetId: "subnet-01", availabilityZone: "ap-northeast-1a" },
          { subnetId: "subnet-01", availabilityZone: "ap-northeast-1c" },
        ],
      },
      field: "subnets[1].subnetId",
      message: /listed twice/,
    },
    {
      why: "a malformed subnet id",
      change: {
        subnets: [
          { subnetId: "sn-1", availabilityZone: "ap-northeast-1a" },
          { subnetId: "subnet-02", availabilityZone: "ap-northeast-1c" },
        ],
      },
      field: "subnets[0].subnetId",
      message: /"sn-1" is not a subnet id/,
    },
    {
      why: "a malformed AZ",
      change: {
        subnets: [
          { subnetId: "subnet-01", availabilityZone: "tokyo" },
          { subnetId: "subnet-02", availabilityZone: "ap-northeast-1c" },
        ],
      },
      field: "subnets[0].availabilityZone",
      message: /"tokyo" is not an Availability Zone/,
    },
    {
      why: "neither route tables nor an endpoint",
      change: { routeTableIds: undefined },
      field: "routeTableIds",
      message: /give routeTableIds .* or s3VpcEndpointId/,
    },
    { why: "both route tables and an endpoint", change: { s3VpcEndpointId: "vpce-01" }, field: "s3VpcEndpointId", message: /not both/ },
    {
      why: "a fractional target capacity",
      change: { targetCapacity: 10.5 },
      field: "targetCapacity",
      message: /10\.5 must be a whole number of vCPUs/,
    },
    {
      why: "min above target",
      change: { scaling: { minCapacity: 100 } },
      field: "scaling.minCapacity",
      message: /100 is above targetCapacity 64/,
    },
    {
      why: "max below target",
      change: { scaling: { maxCapacity: 32 } },
      field: "scaling.maxCapacity",
      message: /32 is below targetCapacity 64/,
    },
    {
      why: "a zero min (nothing would report reservation)",
      change: { scaling: { minCapacity: 0 } },
      field: "scaling.minCapacity",
      message: /0 must be a whole number of vCPUs from 1 to 100000 \(at least one instance/,
    },
    {
      why: "on-demand base above target",
      change: { onDemandBaseCapacity: 65 },
      field: "onDemandBaseCapacity",
      message: /65 must be a whole number of vCPUs from 0 to 64 \(at most targetCapacity\)/,
    },
    {
      why: "an unknown allocation strategy",
      change: { allocationStrategy: "lowestPrice" as any },
      field: "allocationStrategy",
      message: /"lowestPrice" is not one of diversified, priceCapacityOptimized, capacityOptimized/,
    },
    {
      why: "a reservation target above 100",
      change: { scaling: { cpuReservationTargetPercent: 120 } },
      field: "scaling.cpuReservationTargetPercent",
      message: /120 must be a whole number of percent from 10 to 100/,
    },
    {
      why: "a small root volume",
      change: { rootVolumeGiB: 8 },
      field: "rootVolumeGiB",
      message: /8 must be a whole number of GiB from 30 to 16384/,
    },
    {
      why: "a bad sysctl key",
      change: { bootstrap: { sysctl: { "vm swappiness": 1 } } },
      field: 'bootstrap.sysctl["vm swappiness"]',
      message: /not a kernel parameter name/,
    },
    {
      why: "a multi-line sysctl value",
      change: { bootstrap: { sysctl: { "net.core.somaxconn": "1\nrm -rf /" } } },
      field: 'bootstrap.sysctl["net.core.somaxconn"]',
      message: /not a sysctl value/,
    },
    {
      why: "overriding ECS_CLUSTER",
      change: { bootstrap: { ecsConfig: { ECS_CLUSTER: "other" } } },
      field: "bootstrap.ecsConfig.ECS_CLUSTER",
      message: /set by SpotEcsCluster itself/,
    },
    {
      why: "a non-ECS agent key",
      change: { bootstrap: { ecsConfig: { DOCKER_HOST: "x" } } },
      field: "bootstrap.ecsConfig.DOCKER_HOST",
      message: /not an ECS agent setting/,
    },
    {
      why: "a stop timeout above 600 s",
      change: { bootstrap: { containerStopTimeoutSeconds: 900 } },
      field: "bootstrap.containerStopTimeoutSeconds",
      message: /900 must be a whole number of seconds from 1 to 600/,
    },
    {
      why: "mounting the instance store on /",
      change: { bootstrap: { instanceStore: { mountPoint: "/" } } },
      field: "bootstrap.instanceStore.mountPoint",
      message: /must be an absolute directory/,
    },
    {
      why: "a watcher interval of 0",
      change: { bootstrap: { interruptionWatcher: { intervalSeconds: 0 } } },
      field: "bootstrap.interruptionWatcher.intervalSeconds",
      message: /0 must be a whole number of seconds from 1 to 30/,
    },
    {
      why: "a log retention CloudWatch does not offer",
      change: { logCollector: { retentionInDays: 10 } },
      field: "logCollector.retentionInDays",
      message: /10 is not a CloudWatch Logs retention/,
    },
    {
      why: "a daemon named like the log collector",
      change: { daemons: [{ name: "log-collector", image: "x", cpu: 64, memoryMiB: 64 }] },
      field: "daemons[0].name",
      message: /"log-collector" is taken/,
    },
    {
      why: "a capacity metrics period the publisher cannot keep",
      change: { capacity: { metricsPeriodSeconds: 15 } },
      field: "capacity.metricsPeriodSeconds",
      message: /15 must be 10, 30 or 60/,
    },
    {
      why: "an AWS namespace for the capacity metrics",
      change: { capacity: { metricsNamespace: "AWS/ECS" } },
      field: "capacity.metricsNamespace",
      message: /custom CloudWatch namespace/,
    },
    {
      why: "a spot-short time under one 5-minute period",
      change: { capacity: { spotShortMinutes: 2 } },
      field: "capacity.spotShortMinutes",
      message: /from 5 to 1440 \(AWS\/EC2Spot is read in 5-minute periods\)/,
    },
    {
      why: "an alarm action that is no SNS topic",
      change: { alarmActions: ["arn:aws:lambda:ap-northeast-1:123456789012:function:x"] },
      field: "alarmActions[0]",
      message: /is not an SNS topic ARN/,
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.why}, naming \`${c.field}\``, () => {
      assert.throws(
        () => settleSpotEcsClusterArgs(baseArgs(c.change)),
        (err: unknown) => {
          assert.ok(err instanceof SpotEcsClusterArgsError, `a SpotEcsClusterArgsError, got ${err}`);
          assert.equal(err.field, c.field);
          assert.ok(err.message.startsWith(`SpotEcsCluster \`${c.field}\`: `), err.message);
          assert.match(err.detail, c.message);
          return true;
        },
      );
    });
  }

  it("settles the defaults: diversified, no on-demand, rebalance on, min = the largest weight, max = target", () => {
    const s = settleSpotEcsClusterArgs(baseArgs());
    assert.deepEqual(
      [
        s.allocationStrategy,
        s.onDemandBaseCapacity,
        s.capacityRebalance,
        s.minCapacity,
        s.maxCapacity,
        s.rootVolumeGiB,
        s.logRetentionInDays,
        s.architecture,
      ],
      ["diversified", 0, true, 32, 64, 30, 30, "x86_64"],
    );
    assert.deepEqual(s.scaling, {
      cpuReservationTargetPercent: 75,
      memoryReservationTargetPercent: 75,
      scaleOutCooldownSeconds: 60,
      scaleInCooldownSeconds: 900,
    });
    assert.equal(s.bootstrap.interruptionWatcher.intervalSeconds, 5);
  });

  it("keeps an explicit 0 on-demand base and explicit false rebalance (?? not ||)", () => {
    const s = settleSpotEcsClusterArgs(baseArgs({ onDemandBaseCapacity: 0, capacityRebalance: false }));
    assert.deepEqual([s.onDemandBaseCapacity, s.capacityRebalance], [0, false]);
  });
});

describe("fleet instance types", () => {
  it("weighs each known type by its vCPUs and takes explicit weights as given", () => {
    const r = resolveFleetInstanceTypes(["c6i.2xlarge", "m6id.4xlarge", { instanceType: "r7i.4xlarge", weight: 12 }]);
    assert.deepEqual(
      r.map((t) => [t.instanceType, t.weight, t.vcpu, t.memoryMiB, t.family, t.instanceStoreGB]),
      [
        ["c6i.2xlarge", 8, 8, 16384, "c6i", 0],
        ["m6id.4xlarge", 16, 16, 65536, "m6id", 950],
        ["r7i.4xlarge", 12, 16, 131072, "r7i", 0],
      ],
    );
  });

  it("picks the largest type by memory, then vCPUs", () => {
    const r = resolveFleetInstanceTypes(["c6i.4xlarge", "m6i.4xlarge", { instanceType: "u9.big", weight: 4, vcpu: 4, memoryMiB: 65536 }]);
    assert.deepEqual(largestInstanceOf(r), { instanceType: "m6i.4xlarge", vcpu: 16, memoryMiB: 65536 });
  });

  it("knows 2xlarge and 4xlarge of the c/m/r 6th and 7th generation families, with NVMe for the d variants", () => {
    const expected: [string, number, number, number][] = [
      ["c6i.2xlarge", 8, 16384, 0],
      ["c7i.4xlarge", 16, 32768, 0],
      ["m6i.4xlarge", 16, 65536, 0],
      ["m7i.2xlarge", 8, 32768, 0],
      ["r6i.4xlarge", 16, 131072, 0],
      ["r7i.2xlarge", 8, 65536, 0],
      ["c6a.4xlarge", 16, 32768, 0],
      ["m6a.2xlarge", 8, 32768, 0],
      ["c6id.2xlarge", 8, 16384, 474],
      ["m6id.4xlarge", 16, 65536, 950],
      ["r6id.4xlarge", 16, 131072, 950],
      ["c7gd.4xlarge", 16, 32768, 950],
    ];
    for (const [type, vcpu, mem, nvme] of expected) {
      const info = INSTANCE_TYPES[type];
      assert.ok(info, type);
      assert.deepEqual([info.vcpu, info.memoryMiB, info.instanceStoreGB], [vcpu, mem, nvme], type);
    }
    assert.equal(INSTANCE_TYPES["c7gd.4xlarge"].architecture, "arm64");
    assert.equal(INSTANCE_TYPES["m7a.4xlarge"].generation, 7);
  });
});
