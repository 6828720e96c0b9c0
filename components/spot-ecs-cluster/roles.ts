/** The instance role and profile, and the Spot Fleet's role. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy, cloudConfigReadPolicy, MANAGED_POLICIES } from "./policies";

export interface InstanceRole {
  readonly role: aws.iam.Role;
  readonly profile: aws.iam.InstanceProfile;
  /** Attachments the fleet must wait for, or its first instances boot without permissions. */
  readonly ready: pulumi.Resource[];
}

function managedPolicyArn(policy: string, parent: pulumi.Resource): pulumi.Output<string> {
  return aws.getPartitionOutput({}, { parent }).partition.apply((p) => `arn:${p}:iam::aws:policy/${policy}`);
}

export function createInstanceRole(
  name: string,
  cloudConfigObjectArn: pulumi.Input<string>,
  tags: Record<string, string>,
  parent: pulumi.Resource,
): InstanceRole {
  const role = new aws.iam.Role(
    `${name}-instance`,
    { assumeRolePolicy: JSON.stringify(assumeRolePolicy("ec2.amazonaws.com")), tags },
    { parent },
  );
  const ecs = new aws.iam.RolePolicyAttachment(
    `${name}-instance-ecs`,
    { role: role.name, policyArn: managedPolicyArn(MANAGED_POLICIES.ecsInstance, parent) },
    { parent },
  );
  const read = new aws.iam.RolePolicy(
    `${name}-instance-cloud-config`,
    { role: role.id, policy: pulumi.output(cloudConfigObjectArn).apply((arn) => JSON.stringify(cloudConfigReadPolicy(arn))) },
    { parent },
  );
  const profile = new aws.iam.InstanceProfile(`${name}-instance`, { role: role.name, tags }, { parent });
  return { role, profile, ready: [ecs, read] };
}

export interface FleetRole {
  readonly role: aws.iam.Role;
  readonly ready: pulumi.Resource[];
}

export function createFleetRole(name: string, tags: Record<string, string>, parent: pulumi.Resource): FleetRole {
  const role = new aws.iam.Role(
    `${name}-fleet`,
    { assumeRolePolicy: JSON.stringify(assumeRolePolicy("spotfleet.amazonaws.com")), tags },
    { parent },
  );
  const attachment = new aws.iam.RolePolicyAttachment(
    `${name}-fleet-tagging`,
    { role: role.name, policyArn: managedPolicyArn(MANAGED_POLICIES.spotFleet, parent) },
    { parent },
  );
  return { role, ready: [attachment] };
}
