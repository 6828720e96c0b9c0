/**
 * The `awsx.ec2.Vpc` arguments, as plain data: private subnets in the zones given (and small public
 * subnets for the NAT gateways), the S3 gateway endpoint on the VPC's route tables, the NAT choice.
 */
import type * as awsx from "@pulumi/awsx";
import type { NatGatewayChoice } from "./args";
import type { SettledNetworkArgs } from "./validation";

const NAT_STRATEGY: Record<NatGatewayChoice, awsx.types.enums.ec2.NatGatewayStrategy> = {
  none: "None",
  single: "Single",
  onePerAz: "OnePerAz",
};

export function vpcArgsFor(s: SettledNetworkArgs): awsx.ec2.VpcArgs {
  return {
    cidrBlock: s.cidrBlock,
    availabilityZoneNames: [...s.availabilityZones],
    // "Auto": each AZ gets an equal share, subnets laid out in the order given. The public subnets
    // exist whatever the NAT choice, so switching it never moves (and replaces) a private subnet,
    // which would replace the fleet. Public subnets cost nothing.
    subnetStrategy: "Auto",
    subnetSpecs: [
      { type: "Private", name: "private", cidrMask: s.privateSubnetMask },
      { type: "Public", name: "public", cidrMask: s.publicSubnetMask },
    ],
    natGateways: { strategy: NAT_STRATEGY[s.natGateways] },
    // Instances read their cloud-config only through this endpoint (the bucket policy checks
    // aws:SourceVpce). "Auto" puts a gateway endpoint on the route tables the Vpc creates; with the
    // default "Legacy" the endpoint is attached to no route table (pulumi/pulumi-awsx#1627).
    vpcEndpointStrategy: "Auto",
    vpcEndpointSpecs: [{ serviceName: `com.amazonaws.${s.region}.s3`, vpcEndpointType: "Gateway" }],
    // Private DNS of interface endpoints (which a `none` stack adds for ECS, ECR, Logs) needs both.
    enableDnsSupport: true,
    enableDnsHostnames: true,
    tags: { ...s.tags },
  };
}
