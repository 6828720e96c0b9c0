/**
 * `SpotEcsCluster`: one ECS cluster whose EC2 capacity is a Spot Fleet (weights = vCPUs) booted
 * from the stock ECS-optimized AMI with an S3-hosted cloud-config. (Interface first; children are
 * filled in by the following commits.)
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FLUENTD_ADDRESS, SpotEcsClusterArgs } from "./args";
import { LargestInstance, largestInstanceOf, resolveFleetInstanceTypes } from "./fleet-types";

export class SpotEcsCluster extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  public readonly clusterArn: pulumi.Output<string>;
  public readonly fleetRequestId: pulumi.Output<string>;
  /** https URL of the cloud-config object the user data `#include`s. */
  public readonly cloudConfigUrl: pulumi.Output<string>;
  public readonly instanceRoleArn: pulumi.Output<string>;
  public readonly instanceRoleName: pulumi.Output<string>;
  public readonly vpcId: pulumi.Output<string>;
  public readonly subnetIds: pulumi.Output<string[]>;
  /** The fleet's largest type by memory, known at preview time (plain). */
  public readonly largestInstance: LargestInstance;
  /** Where the node-local fluentd-protocol collector listens (for the `fluentd` log driver). */
  public readonly fluentdAddress: typeof FLUENTD_ADDRESS = FLUENTD_ADDRESS;

  constructor(name: string, args: SpotEcsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jobworker:index:SpotEcsCluster", name, {}, opts);
    const types = resolveFleetInstanceTypes(args.instanceTypes);
    const cluster = new aws.ecs.Cluster(`${name}-cluster`, {}, { parent: this });
    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
    this.fleetRequestId = pulumi.output("");
    this.cloudConfigUrl = pulumi.output("");
    this.instanceRoleArn = pulumi.output("");
    this.instanceRoleName = pulumi.output("");
    this.vpcId = pulumi.output(args.vpcId);
    this.subnetIds = pulumi.output(args.subnets.map((s) => s.subnetId));
    this.largestInstance = largestInstanceOf(types);
    this.registerOutputs({ clusterName: this.clusterName, clusterArn: this.clusterArn });
  }
}
