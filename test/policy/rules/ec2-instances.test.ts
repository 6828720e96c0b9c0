import { ebsEncrypted, instanceImdsv2, metadataHopLimit, noPublicIp } from "../../../policy/rules/ec2-instances";
import { securityGroupIngress } from "../../../policy/rules/security-groups";
import { TYPES } from "../../../policy/types";
import { policyTable, resource, withInputs } from "../fixtures";

const launchTemplate = (inputs: Record<string, any> = {}) =>
  resource(TYPES.launchTemplate, "jobworker-lt", {
    name: "jobworker-lt",
    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", volumeSize: 40, volumeType: "gp3" } }],
    ...inputs,
  });
const instance = (inputs: Record<string, any> = {}) =>
  resource(TYPES.instance, "bastion", {
    metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
    rootBlockDevice: { encrypted: true },
    associatePublicIpAddress: false,
    ...inputs,
  });

describe("policy ec2-instance-imdsv2", () => {
  policyTable(instanceImdsv2, [
    { title: "required tokens pass", resources: [instance()], expected: [] },
    {
      title: "optional tokens (IMDSv1 on)",
      resources: [instance({ metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 1 } })],
      expected: [/^EC2 instance `bastion` must require IMDSv2: set `metadataOptions.httpTokens` to "required" \(found "optional"\)/],
    },
  ]);
});

describe("policy ec2-metadata-hop-limit", () => {
  policyTable(metadataHopLimit, [
    { title: "hop limit 1 passes", resources: [launchTemplate(), instance()], expected: [] },
    {
      title: "hop limit 2 on a launch template (containers reach IMDS)",
      resources: [launchTemplate({ metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 } })],
      expected: [/^launch template `jobworker-lt` must set `metadataOptions.httpPutResponseHopLimit` to 1 \(found 2\)/],
    },
    {
      title: "unset on an instance",
      resources: [instance({ metadataOptions: { httpTokens: "required" } })],
      expected: [/^EC2 instance `bastion` must set .* \(found unset, which is 2 on ECS-optimized AMIs\)/],
    },
  ]);
});

describe("policy ec2-ebs-encrypted", () => {
  policyTable(ebsEncrypted, [
    {
      title: "encrypted volumes pass",
      resources: [launchTemplate(), instance(), resource(TYPES.ebsVolume, "data", { encrypted: true, size: 10 })],
      expected: [],
    },
    {
      title: "an unencrypted launch template volume",
      resources: [launchTemplate({ blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 40 } }] })],
      expected: [/^launch template `jobworker-lt`: `blockDeviceMappings\[0\].ebs.encrypted` \(\/dev\/xvda\) must be true/],
    },
    {
      title: "an unencrypted instance root",
      resources: [instance({ rootBlockDevice: {} })],
      expected: [/`rootBlockDevice.encrypted` must be true/],
    },
    {
      title: "an unencrypted EBS volume",
      resources: [resource(TYPES.ebsVolume, "data", { size: 10 })],
      expected: [/^EBS volume `data` must be encrypted/],
    },
  ]);
});

describe("policy ec2-no-public-ip", () => {
  policyTable(noPublicIp, [
    { title: "private instances pass", resources: [instance(), launchTemplate()], expected: [] },
    {
      title: "an instance with a public IP",
      resources: [instance({ associatePublicIpAddress: true })],
      expected: [/^EC2 instance `bastion` sets `associatePublicIpAddress`/],
    },
    {
      title: "a launch template interface with a public IP",
      resources: [launchTemplate({ networkInterfaces: [{ associatePublicIpAddress: "true" }] })],
      expected: [/`networkInterfaces\[0\].associatePublicIpAddress` must not be true/],
    },
    {
      title: "a subnet that maps public IPs",
      resources: [resource(TYPES.subnet, "public-a", { mapPublicIpOnLaunch: true })],
      expected: [/^subnet `public-a` sets `mapPublicIpOnLaunch`/],
    },
    {
      title: "an ECS service that assigns public IPs",
      resources: [resource(TYPES.service, "web", { name: "web", networkConfiguration: { assignPublicIp: true, subnets: ["s"] } })],
      expected: [/^ECS service `web` sets `networkConfiguration.assignPublicIp`/],
    },
  ]);
});

describe("policy ec2-security-group-no-public-ingress", () => {
  const group = (ingress: Record<string, any>[]) =>
    resource(TYPES.securityGroup, "jobworker-instances", {
      description: "instances",
      ingress,
      egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
    });
  const sg = group([]);
  policyTable(securityGroupIngress, [
    { title: "egress only passes", resources: [sg], expected: [] },
    {
      title: "SSH from a private range passes",
      resources: [group([{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] }])],
      expected: [],
    },
    {
      title: "SSH from anywhere",
      resources: [group([{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }])],
      expected: [
        /^security group `jobworker-instances`: `ingress\[0\]` opens 22 \(remote administration or high-risk ports\) to 0.0.0.0\/0/,
      ],
    },
    {
      title: "RDP from anywhere over IPv6",
      resources: [group([{ protocol: "tcp", fromPort: 3389, toPort: 3389, ipv6CidrBlocks: ["::/0"] }])],
      expected: [/opens 3389 .* to ::\/0/],
    },
    {
      title: "all traffic from anywhere",
      resources: [group([{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }])],
      expected: [/opens 20, 21, 22, 23, 25, 110, … \(remote administration or high-risk ports\)/],
    },
    {
      title: "HTTPS from anywhere, not allow-listed",
      resources: [group([{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }])],
      expected: [/opens port 443 to 0.0.0.0\/0, and `allowedPublicPorts` does not list it/],
    },
    {
      title: "HTTPS from anywhere, allow-listed",
      resources: [group([{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }])],
      config: { "ec2-security-group-no-public-ingress": { allowedPublicPorts: [443] } },
      expected: [],
    },
    {
      title: "an allow-list never opens an admin port",
      resources: [
        resource(TYPES.securityGroupRule, "ssh", {
          type: "ingress",
          protocol: "tcp",
          fromPort: 22,
          toPort: 22,
          cidrBlocks: ["0.0.0.0/0"],
          securityGroupId: "sg-1",
        }),
      ],
      config: { "ec2-security-group-no-public-ingress": { allowedPublicPorts: [22] } },
      expected: [/^security group rule `ssh` opens 22/],
    },
    {
      title: "a vpc.SecurityGroupIngressRule for Postgres",
      resources: [
        resource(TYPES.securityGroupIngressRule, "pg", {
          ipProtocol: "tcp",
          fromPort: 5432,
          toPort: 5432,
          cidrIpv4: "0.0.0.0/0",
          securityGroupId: "sg-1",
        }),
      ],
      expected: [/^security group ingress rule `pg` opens 5432/],
    },
    {
      title: "an egress rule is not ingress",
      resources: [
        resource(TYPES.securityGroupRule, "out", { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }),
      ],
      expected: [],
    },
  ]);
  void withInputs;
});
