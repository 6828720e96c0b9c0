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
