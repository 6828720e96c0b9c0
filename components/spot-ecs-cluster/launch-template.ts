/**
 * The launch template: the stock ECS-optimized AL2023 AMI, IMDSv2 only with hop limit 1 (a
 * container in bridge mode is one hop further and cannot reach instance metadata or the instance
 * role's credentials), the instance profile, encrypted gp3 root volume, EBS-optimized, and user
 * data that only includes the cloud-config URL.
 *
 * The AMI: Spot Fleet requests of type `maintain` need a concrete AMI id in the launch template
 * (`resolve:ssm:` is only for EC2 Fleet type `instant`: EC2 API reference,
 * FleetLaunchTemplateOverridesRequest.ImageId), so the id is read from the public SSM parameter at
 * deploy time. A new AMI then makes a new version of this template; the fleet references the
 * template by id and `$Latest`, so none of the fleet's inputs change.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { renderUserData } from "../../bootstrap/user-data";
import type { Architecture } from "../instance-types";

/** Public SSM parameters holding the current ECS-optimized Amazon Linux 2023 AMI id. */
export const ECS_AMI_PARAMETERS: Readonly<Record<Architecture, string>> = {
  x86_64: "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
  arm64: "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
};

export interface LaunchTemplateArgs {
  readonly vpcId: pulumi.Input<string>;
  readonly architecture: Architecture;
  readonly instanceProfileArn: pulumi.Input<string>;
  readonly cloudConfigUrl: pulumi.Input<string>;
  readonly securityGroupIds: readonly pulumi.Input<string>[];
  readonly rootVolumeGiB: number;
  readonly tags: Readonly<Record<string, string>>;
}

export function createLaunchTemplate(name: string, args: LaunchTemplateArgs, parent: pulumi.Resource): aws.ec2.LaunchTemplate {
  const securityGroup = new aws.ec2.SecurityGroup(
    `${name}-instances`,
    {
      vpcId: args.vpcId,
      description: "jobworker container instances: no inbound, all outbound",
      egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"] }],
      tags: args.tags,
    },
    { parent },
  );
  const ami = aws.ssm.getParameterOutput({ name: ECS_AMI_PARAMETERS[args.architecture] }, { parent });
  const tagSpec = (resourceType: string) => ({ resourceType, tags: { ...args.tags, Name: name } });
  return new aws.ec2.LaunchTemplate(
    `${name}-lt`,
    {
      description: `jobworker ${name}: ECS-optimized AL2023, cloud-config from S3`,
      imageId: ami.value,
      iamInstanceProfile: { arn: args.instanceProfileArn },
      ebsOptimized: "true",
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
      vpcSecurityGroupIds: [securityGroup.id, ...args.securityGroupIds],
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: { volumeSize: args.rootVolumeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
        },
      ],
      userData: pulumi.output(args.cloudConfigUrl).apply((url) => Buffer.from(renderUserData(url)).toString("base64")),
      updateDefaultVersion: true,
      tagSpecifications: [tagSpec("instance"), tagSpec("volume")],
      tags: args.tags,
    },
    { parent },
  );
}
