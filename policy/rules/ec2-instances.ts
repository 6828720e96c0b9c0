/**
 * EC2 instances and launch templates as Security Hub judges them: IMDSv2 with a hop limit of 1 (so
 * containers cannot reach the instance's credentials), encrypted EBS, no public IP addresses.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forType } from "../support";
import { TYPES } from "../types";

/** The fields of instances, launch templates, subnets and services these policies read. */
interface Props {
  name?: unknown;
  metadataOptions?: { httpTokens?: string; httpPutResponseHopLimit?: unknown };
  blockDeviceMappings?: { deviceName?: string; ebs?: { encrypted?: unknown; snapshotId?: unknown } }[];
  rootBlockDevice?: { encrypted?: unknown };
  ebsBlockDevices?: { encrypted?: unknown }[];
  associatePublicIpAddress?: unknown;
  networkInterfaces?: { associatePublicIpAddress?: unknown }[];
  mapPublicIpOnLaunch?: unknown;
  networkConfiguration?: { assignPublicIp?: unknown };
  encrypted?: unknown;
}

function label(kind: string, props: Props, name: string): string {
  return `${kind} \`${typeof props.name === "string" && props.name !== "" ? props.name : name}\``;
}

export const instanceImdsv2: ResourceValidationPolicy = {
  name: "ec2-instance-imdsv2",
  description:
    'Checks whether every EC2 instance requires IMDSv2 (`metadataOptions.httpTokens` = "required") (Security Hub EC2.8, CKV_AWS_79).',
  enforcementLevel: "mandatory",
  validateResource: forType<Props>(TYPES.instance, (props, args, report) => {
    const tokens = props.metadataOptions?.httpTokens;
    if (tokens !== "required") {
      report(
        `${label("EC2 instance", props, args.name)} must require IMDSv2: set \`metadataOptions.httpTokens\` to "required" (found ${tokens === undefined ? "unset" : `"${tokens}"`}).`,
      );
    }
  }),
};

export const metadataHopLimit: ResourceValidationPolicy = {
  name: "ec2-metadata-hop-limit",
  description:
    "Checks whether every launch template and instance sets the IMDS response hop limit (`metadataOptions.httpPutResponseHopLimit`) to 1, so containers cannot read the instance role's credentials (CKV_AWS_341).",
  enforcementLevel: "mandatory",
  validateResource: [TYPES.launchTemplate, TYPES.instance].map((type) =>
    forType<Props>(type, (props, args, report) => {
      const limit = props.metadataOptions?.httpPutResponseHopLimit;
      if (Number(limit) !== 1) {
        report(
          `${label(type === TYPES.instance ? "EC2 instance" : "launch template", props, args.name)} must set \`metadataOptions.httpPutResponseHopLimit\` to 1 (found ${limit === undefined ? "unset, which is 2 on ECS-optimized AMIs" : String(limit)}).`,
        );
      }
    }),
  ),
};

function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

export const ebsEncrypted: ResourceValidationPolicy = {
  name: "ec2-ebs-encrypted",
  description:
    "Checks whether every EBS volume a launch template, instance or `aws.ebs.Volume` declares is encrypted (Security Hub EC2.3, CKV_AWS_3, CKV_AWS_8).",
  enforcementLevel: "mandatory",
  validateResource: [
    forType<Props>(TYPES.launchTemplate, (props, args, report) => {
      (Array.isArray(props.blockDeviceMappings) ? props.blockDeviceMappings : []).forEach((m, i) => {
        if (m.ebs !== undefined && !isTrue(m.ebs.encrypted) && m.ebs.snapshotId === undefined) {
          report(
            `${label("launch template", props, args.name)}: \`blockDeviceMappings[${i}].ebs.encrypted\` (${m.deviceName ?? "volume"}) must be true: set \`encrypted: "true"\`.`,
          );
        }
      });
    }),
    forType<Props>(TYPES.instance, (props, args, report) => {
      if (!isTrue(props.rootBlockDevice?.encrypted)) {
        report(`${label("EC2 instance", props, args.name)}: \`rootBlockDevice.encrypted\` must be true: set it.`);
      }
      (Array.isArray(props.ebsBlockDevices) ? props.ebsBlockDevices : []).forEach((d, i) => {
        if (!isTrue(d.encrypted))
          report(`${label("EC2 instance", props, args.name)}: \`ebsBlockDevices[${i}].encrypted\` must be true: set it.`);
      });
    }),
    forType<Props>(TYPES.ebsVolume, (props, args, report) => {
      if (!isTrue(props.encrypted)) report(`EBS volume \`${args.name}\` must be encrypted: set \`encrypted: true\`.`);
    }),
  ],
};

export const noPublicIp: ResourceValidationPolicy = {
  name: "ec2-no-public-ip",
  description:
    "Checks whether no instance, launch template network interface, subnet or ECS service assigns public IP addresses (Security Hub EC2.9, EC2.25, EC2.15, ECS.2, CKV_AWS_88).",
  enforcementLevel: "mandatory",
  validateResource: [
    forType<Props>(TYPES.instance, (props, args, report) => {
      if (isTrue(props.associatePublicIpAddress)) {
        report(
          `${label("EC2 instance", props, args.name)} sets \`associatePublicIpAddress\`: remove it; reach the internet through a NAT gateway.`,
        );
      }
    }),
    forType<Props>(TYPES.launchTemplate, (props, args, report) => {
      (Array.isArray(props.networkInterfaces) ? props.networkInterfaces : []).forEach((n, i) => {
        if (isTrue(n.associatePublicIpAddress)) {
          report(
            `${label("launch template", props, args.name)}: \`networkInterfaces[${i}].associatePublicIpAddress\` must not be true: remove it; use private subnets with a NAT gateway.`,
          );
        }
      });
    }),
    forType<Props>(TYPES.subnet, (props, args, report) => {
      if (isTrue(props.mapPublicIpOnLaunch)) {
        report(`subnet \`${args.name}\` sets \`mapPublicIpOnLaunch\`: remove it (instances get public addresses by default).`);
      }
    }),
    forType<Props>(TYPES.service, (props, args, report) => {
      if (isTrue(props.networkConfiguration?.assignPublicIp)) {
        report(
          `ECS service \`${typeof props.name === "string" ? props.name : args.name}\` sets \`networkConfiguration.assignPublicIp\`: remove it.`,
        );
      }
    }),
  ],
};
