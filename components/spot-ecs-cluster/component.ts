/**
 * `SpotEcsCluster`: one ECS cluster whose EC2 capacity is a Spot Fleet weighted by vCPU, booted
 * from the stock ECS-optimized AMI with a cloud-config kept in S3, scaled out on what cannot be
 * placed (and on reservation), scaled in drain first by the capacity controller, with an on-demand
 * fallback and a node-local log collector on every instance.
 */

/** Where the backlog publisher puts this cluster's capacity metrics (`BacklogPublisherArgs.capacity`). */
export interface CapacityMetricsRef {
  readonly clusterName: pulumi.Output<string>;
  readonly namespace: string;
  readonly periodSeconds: number;
}
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { renderCloudConfig } from "../../bootstrap/cloud-config";
import { FLUENTD_ADDRESS, SpotEcsClusterArgs } from "./args";
import { createCapacityController } from "./capacity-controller";
import { createCapacityScaling } from "./capacity-scaling";
import { createCloudConfigObject } from "./cloud-config-object";
import { createDaemon } from "./daemons";
import { createFleet } from "./fleet";
import type { LargestInstance } from "./fleet-types";
import { createLaunchTemplate } from "./launch-template";
import { daemonImage } from "./daemon-image";
import { logCollectorDaemon } from "./log-collector-spec";
import { logCollectorPolicy } from "./policies";
import { createFleetRole, createInstanceRole } from "./roles";
import { settleSpotEcsClusterArgs } from "./validation";

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
  /** CloudWatch log group the node-local collector ships container logs to. */
  public readonly logGroupName: pulumi.Output<string>;
  /** The fleet's largest type by memory, known at preview time (plain). */
  public readonly largestInstance: LargestInstance;
  /** Where the node-local fluentd-protocol collector listens (for the `fluentd` log driver). */
  public readonly fluentdAddress: typeof FLUENTD_ADDRESS = FLUENTD_ADDRESS;
  /** Host directory for task scratch volumes: on the NVMe instance store when the type has one. */
  public readonly scratchHostPath: string;
  /** What the backlog publisher needs to publish the capacity metrics the fleet scales on. */
  public readonly capacityMetrics: CapacityMetricsRef;
  /** The capacity controller's Lambda function. */
  public readonly capacityControllerName: pulumi.Output<string>;
  /** The alarm that is in ALARM while Spot cannot fill the target (the on-demand fallback is on). */
  public readonly spotShortAlarmName: pulumi.Output<string>;

  constructor(name: string, args: SpotEcsClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("jobworker:index:SpotEcsCluster", name, {}, opts);

    // Validate and settle defaults first: a wrong arg fails preview before anything is registered.
    const settled = settleSpotEcsClusterArgs(args);
    const tags = { ...settled.tags, "jobworker:cluster": name };

    // Container Insights: per-service running/pending task counts (the dashboard, the tasks-pending alarm).
    const cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      { settings: [{ name: "containerInsights", value: "enabled" }], tags },
      { parent: this },
    );
    const region = aws.getRegionOutput({}, { parent: this }).region;
    const scope = pulumi
      .all([aws.getCallerIdentityOutput({}, { parent: this }).accountId, region, aws.getPartitionOutput({}, { parent: this }).partition])
      .apply(([accountId, r, partition]) => ({ accountId, region: r, partition }));
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-containers`,
      { name: `/jobworker/${pulumi.getStack()}/${name}/containers`, retentionInDays: settled.logRetentionInDays, tags },
      { parent: this },
    );

    const cloudConfig = createCloudConfigObject(
      name,
      {
        vpcId: args.vpcId,
        routeTableIds: args.routeTableIds,
        s3VpcEndpointId: args.s3VpcEndpointId,
        content: cluster.name.apply((clusterName) => renderCloudConfig({ clusterName, settings: settled.bootstrap })),
        tags,
      },
      this,
    );
    const instanceRole = createInstanceRole(name, cloudConfig.objectArn, tags, this);
    const launchTemplate = createLaunchTemplate(
      name,
      {
        vpcId: args.vpcId,
        architecture: settled.architecture,
        instanceProfileArn: instanceRole.profile.arn,
        cloudConfigUrl: cloudConfig.url,
        securityGroupIds: args.securityGroupIds ?? [],
        rootVolumeGiB: settled.rootVolumeGiB,
        tags,
      },
      this,
    );
    const fleetRole = createFleetRole(name, tags, this);
    const fleet = createFleet(
      name,
      {
        settled: { ...settled, tags },
        launchTemplateId: launchTemplate.id,
        fleetRoleArn: fleetRole.role.arn,
        dependsOn: [...fleetRole.ready, ...instanceRole.ready, cloudConfig.object],
      },
      this,
    );
    createCapacityScaling(name, fleet.id, cluster.name, { ...settled, tags }, this);
    const controller = createCapacityController(
      name,
      { settled, clusterName: cluster.name, fleetRequestId: fleet.id, clusterTag: name, tags },
      this,
    );

    const collector = logCollectorDaemon(args.logCollector ?? {});
    // Daemon images by tag are mirrored into the cluster's ECR and run by digest (daemon-image.ts).
    const mirror = { parent: this, tags, platform: settled.architecture === "arm64" ? ("linux/arm64" as const) : ("linux/amd64" as const) };
    createDaemon(
      name,
      {
        spec: collector,
        image: daemonImage(`${name}-${collector.name}`, collector.image, mirror),
        clusterArn: cluster.arn,
        logGroupName: logGroup.name,
        logGroupArn: logGroup.arn,
        region,
        scope,
        taskPolicy: logGroup.arn.apply((arn) => JSON.stringify(logCollectorPolicy(arn))),
        tags,
      },
      this,
    );
    for (const spec of settled.daemons) {
      createDaemon(
        name,
        {
          spec,
          image: daemonImage(`${name}-${spec.name}`, spec.image, mirror),
          clusterArn: cluster.arn,
          logGroupName: logGroup.name,
          logGroupArn: logGroup.arn,
          region,
          scope,
          tags,
        },
        this,
      );
    }

    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
    this.fleetRequestId = fleet.id;
    this.cloudConfigUrl = cloudConfig.url;
    this.instanceRoleArn = instanceRole.role.arn;
    this.instanceRoleName = instanceRole.role.name;
    this.vpcId = pulumi.output(args.vpcId);
    this.subnetIds = pulumi.output(settled.subnets.map((s) => s.subnetId));
    this.logGroupName = logGroup.name;
    this.largestInstance = settled.largestInstance;
    this.scratchHostPath = `${settled.bootstrap.instanceStore.mountPoint}/scratch`;
    this.capacityMetrics = {
      clusterName: cluster.name,
      namespace: settled.capacity.metricsNamespace,
      periodSeconds: settled.capacity.metricsPeriodSeconds,
    };
    this.capacityControllerName = controller.function.name;
    this.spotShortAlarmName = controller.spotShortAlarm.name;
    this.registerOutputs({
      clusterName: this.clusterName,
      clusterArn: this.clusterArn,
      fleetRequestId: this.fleetRequestId,
      cloudConfigUrl: this.cloudConfigUrl,
      instanceRoleArn: this.instanceRoleArn,
      instanceRoleName: this.instanceRoleName,
      vpcId: this.vpcId,
      subnetIds: this.subnetIds,
      logGroupName: this.logGroupName,
      capacityControllerName: this.capacityControllerName,
      spotShortAlarmName: this.spotShortAlarmName,
    });
  }
}
