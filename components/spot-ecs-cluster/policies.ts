/**
 * IAM and bucket policy documents of the cluster, as plain data built by pure functions (the
 * component turns them into JSON for the resources; the tests read them here).
 */
import {
  denyInsecureTransport,
  policyDocument,
  serviceTrustPolicy,
  type IdentityPolicy,
  type ResourcePolicy,
  type ResourceStatement,
  type TrustPolicy,
} from "../iam";

/** Trust policy letting an AWS service assume a role. */
export function assumeRolePolicy(service: "ec2.amazonaws.com" | "spotfleet.amazonaws.com" | "ecs-tasks.amazonaws.com"): TrustPolicy {
  return serviceTrustPolicy(service);
}

/** AWS managed policies (names under `arn:<partition>:iam::aws:policy/`). */
export const MANAGED_POLICIES = {
  /** What the ECS agent needs on an instance: register, poll, UpdateContainerInstancesState, ECR pulls, awslogs. */
  ecsInstance: "service-role/AmazonEC2ContainerServiceforEC2Role",
  /** What Spot Fleet needs to launch, tag and terminate instances (and pass the instance role). */
  spotFleet: "service-role/AmazonEC2SpotFleetTaggingRole",
} as const;

/** The instance role's one addition to the ECS instance policy: read the cloud-config object, nothing else. */
export function cloudConfigReadPolicy(objectArn: string): IdentityPolicy {
  return policyDocument({ Sid: "ReadCloudConfig", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: objectArn });
}

/**
 * The cloud-config bucket's policy. cloud-init fetches an `#include` URL with a plain unsigned GET
 * (it does not sign with the instance role), so the object is readable without credentials, but
 * only through the VPC's S3 gateway endpoint (`aws:SourceVpce`), which keeps the policy non-public
 * for S3 Block Public Access. Everything else needs TLS.
 */
export function cloudConfigBucketPolicy(bucketArn: string, objectArn: string, vpcEndpointId: string): ResourcePolicy {
  return policyDocument<ResourceStatement>(
    {
      Sid: "InstancesReadCloudConfigThroughVpcEndpoint",
      Effect: "Allow",
      Principal: "*",
      Action: "s3:GetObject",
      Resource: objectArn,
      Condition: { StringEquals: { "aws:SourceVpce": vpcEndpointId } },
    },
    denyInsecureTransport("s3", [bucketArn, `${bucketArn}/*`]),
  );
}

/** The log collector's task role: write to its one log group. */
export function logCollectorPolicy(logGroupArn: string): IdentityPolicy {
  return policyDocument({
    Sid: "WriteContainerLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
    Resource: [logGroupArn, `${logGroupArn}:*`],
  });
}

/** Where a cluster lives, for ARNs. */
export interface ClusterScope {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly clusterName: string;
}

/**
 * Read a cluster's state (container instances, services, tasks, task definitions): what the
 * capacity metrics and the controller need (`workers/capacity/cluster-state.ts`). ListServices and
 * DescribeTaskDefinition take no resource (IAM service authorization reference for ECS); the first
 * is scoped by `ecs:cluster`.
 */
export function clusterReadStatements(c: ClusterScope): IdentityPolicy["Statement"] {
  const arn = (type: string, rest: string) => `arn:${c.partition}:ecs:${c.region}:${c.accountId}:${type}/${rest}`;
  const cluster = arn("cluster", c.clusterName);
  return [
    { Sid: "ListContainerInstances", Effect: "Allow", Action: "ecs:ListContainerInstances", Resource: cluster },
    {
      Sid: "ReadInstancesAndTasks",
      Effect: "Allow",
      Action: ["ecs:DescribeContainerInstances", "ecs:ListTasks"],
      Resource: arn("container-instance", `${c.clusterName}/*`),
    },
    {
      Sid: "ListServices",
      Effect: "Allow",
      Action: "ecs:ListServices",
      Resource: "*",
      Condition: { ArnEquals: { "ecs:cluster": cluster } },
    },
    { Sid: "DescribeServices", Effect: "Allow", Action: "ecs:DescribeServices", Resource: arn("service", `${c.clusterName}/*`) },
    { Sid: "DescribeTasks", Effect: "Allow", Action: "ecs:DescribeTasks", Resource: arn("task", `${c.clusterName}/*`) },
    { Sid: "DescribeTaskDefinitions", Effect: "Allow", Action: "ecs:DescribeTaskDefinition", Resource: "*" },
  ];
}

/**
 * The capacity controller's role: read the cluster, the fleet and its instances, the spot-short
 * alarm and the spare-capacity metric; change the fleet's targets, drain the cluster's container
 * instances, terminate only instances tagged with this cluster; write its own logs.
 */
export function capacityControllerPolicy(
  i: ClusterScope & { clusterTag: string; fleetRequestId: string; spotShortAlarmName: string; logGroupArn: string },
): IdentityPolicy {
  const ec2 = (rest: string) => `arn:${i.partition}:ec2:${i.region}:${i.accountId}:${rest}`;
  return policyDocument(
    ...clusterReadStatements(i),
    {
      Sid: "DrainContainerInstances",
      Effect: "Allow",
      Action: "ecs:UpdateContainerInstancesState",
      Resource: `arn:${i.partition}:ecs:${i.region}:${i.accountId}:container-instance/${i.clusterName}/*`,
    },
    // EC2's Describe* calls take no resource.
    {
      Sid: "DescribeFleetAndInstances",
      Effect: "Allow",
      Action: ["ec2:DescribeSpotFleetRequests", "ec2:DescribeInstances"],
      Resource: "*",
    },
    {
      Sid: "ReadAndResizeFleet",
      Effect: "Allow",
      Action: ["ec2:DescribeSpotFleetInstances", "ec2:ModifySpotFleetRequest"],
      Resource: ec2(`spot-fleet-request/${i.fleetRequestId}`),
    },
    {
      Sid: "TerminateClusterInstances",
      Effect: "Allow",
      Action: "ec2:TerminateInstances",
      Resource: ec2("instance/*"),
      Condition: { StringEquals: { "aws:ResourceTag/jobworker:cluster": i.clusterTag } },
    },
    {
      Sid: "ReadSpotShortAlarm",
      Effect: "Allow",
      Action: "cloudwatch:DescribeAlarms",
      Resource: `arn:${i.partition}:cloudwatch:${i.region}:${i.accountId}:alarm:${i.spotShortAlarmName}`,
    },
    // GetMetricData has no resource-level scope for metrics.
    { Sid: "ReadSpareCapacity", Effect: "Allow", Action: "cloudwatch:GetMetricData", Resource: "*" },
    { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${i.logGroupArn}:*` },
  );
}
