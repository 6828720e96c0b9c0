/**
 * Checks `NetworkArgs` and settles every default, synchronously at construction (so `pulumi preview`
 * fails with the field, the value and the fix). Plain function: testable without Pulumi.
 */
import { NAT_GATEWAY_CHOICES, NatGatewayChoice, NETWORK_DEFAULTS, NetworkArgs } from "./args";
import { NetworkArgsError } from "./errors";

/** Everything the component builds from, defaults applied and the subnet masks worked out. */
export interface SettledNetworkArgs {
  readonly availabilityZones: readonly string[];
  /** The region the zones belong to (`ap-northeast-1a` → `ap-northeast-1`). */
  readonly region: string;
  readonly cidrBlock: string;
  /** Prefix length of each AZ's private subnet (half of the AZ's share of the VPC). */
  readonly privateSubnetMask: number;
  /** Prefix length of each AZ's public subnet (a quarter of the AZ's share; it holds NAT gateways only). */
  readonly publicSubnetMask: number;
  readonly natGateways: NatGatewayChoice;
  readonly tags: Readonly<Record<string, string>>;
}

const AZ = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
/** AWS allows VPC blocks from /16 to /28 and subnets of at most /28 (16 addresses). */
const VPC_LARGEST_PREFIX = 16;
const SUBNET_SMALLEST_PREFIX = 28;

function fail(field: string, detail: string): never {
  throw new NetworkArgsError(field, detail);
}

function validateAvailabilityZones(zones: readonly string[]): string {
  if (!Array.isArray(zones) || zones.length < 2) {
    fail(
      "availabilityZones",
      `${JSON.stringify(zones)} names fewer than two Availability Zones; give at least two (e.g. ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]) so one zone's Spot shortage cannot empty the cluster`,
    );
  }
  zones.forEach((zone, i) => {
    if (typeof zone !== "string" || !AZ.test(zone))
      fail(`availabilityZones[${i}]`, `${JSON.stringify(zone)} is not an Availability Zone name; expected e.g. "ap-northeast-1a"`);
    const first = zones.indexOf(zone);
    if (first !== i)
      fail(`availabilityZones[${i}]`, `"${zone}" is listed twice (also at availabilityZones[${first}]); list each zone once`);
  });
  const region = zones[0].slice(0, -1);
  zones.forEach((zone, i) => {
    if (zone.slice(0, -1) !== region)
      fail(`availabilityZones[${i}]`, `"${zone}" is not in ${region} like availabilityZones[0]; a VPC lives in one region`);
  });
  return region;
}

/** Prefix lengths of the subnets; each AZ gets an equal power-of-two share of the block (as awsx's "Auto" layout does). */
function subnetMasks(cidrBlock: string, zoneCount: number): { privateSubnetMask: number; publicSubnetMask: number } {
  const m = CIDR.exec(cidrBlock);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  if (!m || octets.some((o) => o > 255) || Number(m[5]) > 32)
    fail("cidrBlock", `${JSON.stringify(cidrBlock)} is not an IPv4 CIDR block; expected e.g. "10.0.0.0/16"`);
  const prefix = Number(m[5]);
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const hostBits = 32 - prefix;
  if (address % 2 ** hostBits !== 0)
    fail("cidrBlock", `"${cidrBlock}" has host bits set; the block starts at a multiple of its size (e.g. "10.0.0.0/${prefix}")`);
  const azMask = prefix + Math.ceil(Math.log2(zoneCount));
  const publicSubnetMask = azMask + 2;
  if (prefix < VPC_LARGEST_PREFIX || publicSubnetMask > SUBNET_SMALLEST_PREFIX) {
    const largestPrefix = SUBNET_SMALLEST_PREFIX - 2 - Math.ceil(Math.log2(zoneCount));
    fail(
      "cidrBlock",
      `"${cidrBlock}" must be /${VPC_LARGEST_PREFIX} to /${largestPrefix} for ${zoneCount} zones (AWS allows VPCs of at most /16, and subnets of at least /28)`,
    );
  }
  return { privateSubnetMask: azMask + 1, publicSubnetMask };
}

/** Validates and settles the args; throws `NetworkArgsError` naming the first wrong field. */
export function settleNetworkArgs(args: NetworkArgs): SettledNetworkArgs {
  const region = validateAvailabilityZones(args.availabilityZones);
  const cidrBlock = args.cidrBlock ?? NETWORK_DEFAULTS.cidrBlock;
  const masks = subnetMasks(cidrBlock, args.availabilityZones.length);
  const natGateways = args.natGateways ?? NETWORK_DEFAULTS.natGateways;
  if (!NAT_GATEWAY_CHOICES.includes(natGateways))
    fail("natGateways", `${JSON.stringify(natGateways)} is not one of ${NAT_GATEWAY_CHOICES.join(", ")}`);
  return { availabilityZones: [...args.availabilityZones], region, cidrBlock, ...masks, natGateways, tags: { ...(args.tags ?? {}) } };
}
