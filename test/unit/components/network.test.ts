/**
 * Network: the awsx Vpc's inputs (plain data from `vpcArgsFor`), and under Pulumi mocks the wiring of
 * the program with `jobworker:network.create`: the cluster's subnets, VPC and S3 endpoint come from
 * the Vpc's outputs. awsx's Vpc is a remote component, so the mocks see it as one resource.
 */
import assert from "node:assert/strict";
import { settleNetworkArgs } from "../../../components/network/validation";
import { vpcArgsFor } from "../../../components/network/vpc-spec";
import { readStackConfig, runProgram } from "../../support/pulumi";

const ZONES = ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"];

describe("Network", () => {
  describe("vpcArgsFor", () => {
    const cases = [
      { natGateways: undefined, strategy: "Single" },
      { natGateways: "none", strategy: "None" },
      { natGateways: "single", strategy: "Single" },
      { natGateways: "onePerAz", strategy: "OnePerAz" },
    ] as const;
    for (const c of cases) {
      it(`maps natGateways ${c.natGateways ?? "(default)"} to awsx's ${c.strategy} and keeps the same subnets`, () => {
        const args = vpcArgsFor(settleNetworkArgs({ availabilityZones: ZONES, natGateways: c.natGateways }));
        assert.deepEqual(args.natGateways, { strategy: c.strategy });
        assert.deepEqual(args.subnetSpecs, [
          { type: "Private", name: "private", cidrMask: 19 },
          { type: "Public", name: "public", cidrMask: 20 },
        ]);
      });
    }

    it("puts a private subnet in each stated zone of 10.0.0.0/16 and the S3 gateway endpoint on the Vpc's route tables", () => {
      const args = vpcArgsFor(settleNetworkArgs({ availabilityZones: ZONES, tags: { team: "files" } }));
      assert.equal(args.cidrBlock, "10.0.0.0/16");
      assert.deepEqual(args.availabilityZoneNames, ZONES);
      assert.equal(args.numberOfAvailabilityZones, undefined);
      assert.equal(args.subnetStrategy, "Auto");
      assert.equal(args.vpcEndpointStrategy, "Auto");
      assert.deepEqual(args.vpcEndpointSpecs, [{ serviceName: "com.amazonaws.ap-northeast-1.s3", vpcEndpointType: "Gateway" }]);
      assert.deepEqual(args.tags, { team: "files" });
    });

    it("sizes the subnets from the block and the zone count: a /24 over 2 zones gives /26 private and /27 public", () => {
      const args = vpcArgsFor(settleNetworkArgs({ availabilityZones: ZONES.slice(0, 2), cidrBlock: "192.168.4.0/24" }));
      assert.deepEqual(
        args.subnetSpecs?.map((s) => s.cidrMask),
        [26, 27],
      );
    });
  });

  describe("in the program with `jobworker:network.create`", () => {
    it("builds one awsx Vpc and gives the cluster its private subnets (zone order), VPC id and S3 endpoint", async () => {
      const config = { ...readStackConfig("prod"), "jobworker:network": { create: { availabilityZones: ZONES, natGateways: "onePerAz" } } };
      const r = await runProgram(config);

      const network = r.one("jobworker:index:Network");
      const vpc = r.one("awsx:ec2:Vpc");
      assert.equal(vpc.parent, network.urn, "the Vpc is the Network's child");
      assert.deepEqual(vpc.inputs.availabilityZoneNames, ZONES);
      assert.deepEqual(vpc.inputs.natGateways, { strategy: "OnePerAz" });
      assert.deepEqual(
        vpc.inputs.subnetSpecs.map((s: { type: string }) => s.type),
        ["Private", "Public"],
      );
      assert.deepEqual(vpc.inputs.vpcEndpointSpecs, [{ serviceName: "com.amazonaws.ap-northeast-1.s3", vpcEndpointType: "Gateway" }]);

      const privateIds = vpc.state.privateSubnetIds as string[];
      const fleet = r.one("aws:ec2/spotFleetRequest:SpotFleetRequest").inputs;
      const overrides = fleet.launchTemplateConfigs[0].overrides as { subnetId: string }[];
      assert.deepEqual([...new Set(overrides.map((o) => o.subnetId))], privateIds);
      assert.deepEqual(r.outputs.subnetIds, privateIds);
      assert.equal(r.outputs.vpcId, vpc.state.vpcId);
      assert.equal(r.one("aws:ec2/securityGroup:SecurityGroup").inputs.vpcId, vpc.state.vpcId);

      // The endpoint is the Vpc's: the cluster creates none, and the bucket policy admits reads through it.
      assert.equal(r.ofType("aws:ec2/vpcEndpoint:VpcEndpoint").length, 0);
      const policy = JSON.parse(r.one("aws:s3/bucketPolicy:BucketPolicy", "jobworker-boot").inputs.policy);
      const endpoints = policy.Statement.flatMap((s: any) =>
        s.Condition?.StringEquals?.["aws:SourceVpce"] ? [s.Condition.StringEquals["aws:SourceVpce"]] : [],
      );
      assert.deepEqual(endpoints, [vpc.state.vpcEndpoints[0].id]);
    });

    it("is absent with the given-ids network (the prod stack): no Vpc, the configured subnets", async () => {
      const r = await runProgram(readStackConfig("prod"));
      assert.equal(r.ofType("awsx:ec2:Vpc").length, 0);
      assert.equal(r.ofType("jobworker:index:Network").length, 0);
      assert.deepEqual(r.outputs.subnetIds, ["subnet-0a1b2c3d4e5f60a01", "subnet-0a1b2c3d4e5f60c01", "subnet-0a1b2c3d4e5f60d01"]);
    });
  });
});
