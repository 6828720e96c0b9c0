/**
 * What a `Network` is made from, and every default in one place: a new VPC for teams without one,
 * private subnets in the Availability Zones given, the S3 gateway endpoint the cloud-config fetch
 * needs, and a NAT choice.
 */

/**
 * How private subnets reach the internet (the ECS, ECR, SQS and CloudWatch Logs APIs, and the
 * workers' REST/FTP/SFTP destinations). S3 traffic never needs NAT: it takes the gateway endpoint.
 * - `none`: no NAT gateway, no route out; only S3 is reachable (add interface endpoints yourself).
 * - `single`: one NAT gateway in the first AZ; the other AZs lose egress when that AZ fails.
 * - `onePerAz`: a NAT gateway in every AZ; each AZ keeps its own egress.
 */
export type NatGatewayChoice = "none" | "single" | "onePerAz";
export const NAT_GATEWAY_CHOICES: readonly NatGatewayChoice[] = ["none", "single", "onePerAz"];

export interface NetworkArgs {
  /**
   * Availability Zone names, in order (`["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]`):
   * one private subnet (and one small public subnet) in each. Stated, not discovered, so the cluster's
   * spread across at least two AZs is checked at preview. At least two, all of one region.
   */
  readonly availabilityZones: readonly string[];
  /** The VPC's IPv4 block, `/16` to `/24` (smaller leaves no room for the subnets). @default "10.0.0.0/16" */
  readonly cidrBlock?: string;
  /** NAT gateways: `none`, `single` or `onePerAz` (cost and availability in docs/cluster.md). @default "single" */
  readonly natGateways?: NatGatewayChoice;
  /** Tags on the VPC and everything in it. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

export const NETWORK_DEFAULTS = {
  cidrBlock: "10.0.0.0/16",
  natGateways: "single" as NatGatewayChoice,
} as const;
