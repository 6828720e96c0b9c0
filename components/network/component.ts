/**
 * `Network`: a new VPC for the cluster, built with `awsx.ec2.Vpc` (a remote component: its subnets,
 * route tables, NAT gateways and the S3 gateway endpoint are its children). For teams without a VPC;
 * stacks with one give its ids to `SpotEcsCluster` directly.
 */
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterNetworkArgs, SubnetRef } from "../spot-ecs-cluster/args";
import type { NatGatewayChoice, NetworkArgs } from "./args";
import { settleNetworkArgs } from "./validation";
import { vpcArgsFor } from "./vpc-spec";

export class Network extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  /** One private subnet per zone, in the order of `availabilityZones`. */
  public readonly privateSubnetIds: pulumi.Output<string[]>;
  public readonly s3VpcEndpointId: pulumi.Output<string>;
  /** The private subnets with their zones (plain, known at preview). */
  public readonly subnets: readonly SubnetRef[];
  public readonly natGateways: NatGatewayChoice;
  /** What `SpotEcsCluster` takes: the VPC, its private subnets and the S3 gateway endpoint. */
  public readonly clusterNetwork: ClusterNetworkArgs;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jobworker:index:Network", name, {}, opts);

    const settled = settleNetworkArgs(args);
    const vpc = new awsx.ec2.Vpc(`${name}-vpc`, vpcArgsFor(settled), { parent: this });

    this.vpcId = vpc.vpcId;
    // awsx creates the subnets zone by zone, in the order of availabilityZoneNames, one private each.
    this.privateSubnetIds = vpc.privateSubnetIds;
    this.subnets = settled.availabilityZones.map((availabilityZone, i) => ({
      availabilityZone,
      subnetId: vpc.privateSubnetIds.apply((ids) => {
        if (ids.length !== settled.availabilityZones.length)
          throw new Error(`Network ${name}: awsx returned ${ids.length} private subnets for ${settled.availabilityZones.length} zones`);
        return ids[i];
      }),
    }));
    this.s3VpcEndpointId = vpc.vpcEndpoints.apply((endpoints) =>
      endpoints.length === 1
        ? endpoints[0].id
        : // Some awsx versions leave the `vpcEndpoints` output empty (pulumi/pulumi-awsx#1194): find it instead.
          aws.ec2.getVpcEndpointOutput({ vpcId: vpc.vpcId, serviceName: `com.amazonaws.${settled.region}.s3` }, { parent: this }).id,
    );
    this.natGateways = settled.natGateways;
    this.clusterNetwork = { vpcId: this.vpcId, subnets: this.subnets, s3VpcEndpointId: this.s3VpcEndpointId };
    this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, s3VpcEndpointId: this.s3VpcEndpointId });
  }
}
