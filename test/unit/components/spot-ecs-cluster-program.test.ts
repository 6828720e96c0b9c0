/** index.ts with Pulumi.prod.yaml under mocks: the prod cluster as the stack declares it. */
import assert from "node:assert/strict";
import { readStackConfig, runProgram } from "../../support/pulumi";

describe("the prod stack's SpotEcsCluster", () => {
  it("builds under mocks: 168 vCPUs of Spot over 10 types × 3 subnets, scaled 48..336, stack outputs exported", async () => {
    const r = await runProgram(readStackConfig("prod"));
    const clusters = r.ofType("jobworker:index:SpotEcsCluster");
    assert.equal(clusters.length, 1);
    const fleet = r.one("aws:ec2/spotFleetRequest:SpotFleetRequest").inputs;
    assert.equal(fleet.targetCapacity, 168);
    assert.equal(fleet.allocationStrategy, "diversified");
    const overrides = fleet.launchTemplateConfigs[0].overrides as { instanceType: string; subnetId: string; weightedCapacity: number }[];
    assert.equal(overrides.length, 30);
    assert.deepEqual(new Set(overrides.map((o) => o.weightedCapacity)), new Set([16]));
    assert.deepEqual(
      [...new Set(overrides.map((o) => o.subnetId))],
      ["subnet-0a1b2c3d4e5f60a01", "subnet-0a1b2c3d4e5f60c01", "subnet-0a1b2c3d4e5f60d01"],
    );
    const target = r.one("aws:appautoscaling/target:Target", "jobworker-capacity").inputs;
    assert.deepEqual([target.minCapacity, target.maxCapacity], [48, 336]);
    assert.equal(fleet.excessCapacityTerminationPolicy, "NoTermination");
    assert.match(String(r.outputs.cloudConfigUrl), /^https:\/\/.+\.s3\.ap-northeast-1\.amazonaws\.com\/cloud-config\/cloud-config\.yaml$/);
    assert.equal(typeof r.outputs.clusterName, "string");
    assert.equal(typeof r.outputs.fleetRequestId, "string");
  });
});
