/** Shared args for the SpotEcsCluster tests: a valid cluster each test changes one thing of. */
import type { SpotEcsClusterArgs } from "../../../components/spot-ecs-cluster/args";

/** Three subnets in three AZs, four types (one unknown to the table, with an explicit weight). */
export function baseArgs(overrides: Partial<SpotEcsClusterArgs> = {}): SpotEcsClusterArgs {
  return {
    vpcId: "vpc-0abc",
    subnets: [
      { subnetId: "subnet-0a", availabilityZone: "ap-northeast-1a" },
      { subnetId: "subnet-0c", availabilityZone: "ap-northeast-1c" },
      { subnetId: "subnet-0d", availabilityZone: "ap-northeast-1d" },
    ],
    routeTableIds: ["rtb-0a", "rtb-0c"],
    instanceTypes: ["c6i.4xlarge", "m6i.2xlarge", "r6id.4xlarge", { instanceType: "x9z.8xlarge", weight: 32, memoryMiB: 65536 }],
    targetCapacity: 64,
    ...overrides,
  };
}
