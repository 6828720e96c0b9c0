/**
 * EC2 capacity policies: IMDSv2 on launch templates, and a Spot Fleet that bids at the Spot price
 * (no max price) across enough capacity pools that one pool's interruptions do not empty the cluster.
 */
import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configWithDefaults, forType } from "../support";
import { TYPES, type LaunchTemplateProps, type SpotFleetRequestProps } from "../types";

export const launchTemplateImdsv2: ResourceValidationPolicy = {
  name: "ec2-launch-template-imdsv2",
  description:
    'Checks whether every EC2 launch template requires IMDSv2 (`metadataOptions.httpTokens` = "required") (Security Hub EC2.170, CKV_AWS_79).',
  enforcementLevel: "mandatory",
  validateResource: forType<LaunchTemplateProps>(TYPES.launchTemplate, (props, args, report) => {
    const tokens = props.metadataOptions?.httpTokens;
    if (tokens !== "required") {
      report(
        `launch template \`${props.name ?? args.name}\` must require IMDSv2: set \`metadataOptions.httpTokens\` to "required" (found ${tokens === undefined ? "unset" : `"${tokens}"`}).`,
      );
    }
  }),
};

export const spotFleetNoMaxPrice: ResourceValidationPolicy = {
  name: "spot-fleet-no-max-price",
  description:
    "Checks whether a Spot Fleet request sets no maximum price (`spotPrice`) anywhere, so it pays the current Spot price and is not interrupted for price.",
  enforcementLevel: "mandatory",
  validateResource: forType<SpotFleetRequestProps>(TYPES.spotFleetRequest, (props, args, report) => {
    const where = `Spot Fleet request \`${args.name}\``;
    if (props.spotPrice !== undefined && props.spotPrice !== "") {
      report(`${where} sets \`spotPrice\` "${props.spotPrice}": remove it (the default max price is the On-Demand price).`);
    }
    (props.launchTemplateConfigs ?? []).forEach((config, c) =>
      (config.overrides ?? []).forEach((o, i) => {
        if (o.spotPrice !== undefined && o.spotPrice !== "") {
          report(`${where} sets \`launchTemplateConfigs[${c}].overrides[${i}].spotPrice\` "${o.spotPrice}": remove it.`);
        }
      }),
    );
    (props.launchSpecifications ?? []).forEach((spec, i) => {
      if (spec.spotPrice !== undefined && spec.spotPrice !== "") {
        report(`${where} sets \`launchSpecifications[${i}].spotPrice\` "${spec.spotPrice}": remove it.`);
      }
    });
  }),
};

const diversitySchema: PolicyConfigSchema = {
  properties: {
    minInstanceTypes: { type: "integer", minimum: 1, default: 3, description: "Fewest distinct instance types." },
    minFamilies: { type: "integer", minimum: 1, default: 2, description: "Fewest distinct instance families (`m5`, `c6i`, …)." },
    minSubnets: { type: "integer", minimum: 1, default: 2, description: "Fewest distinct subnets (Availability Zones)." },
  },
};

/** `m5.large` → `m5`; `c6gn.xlarge` → `c6gn`. */
export function instanceFamily(instanceType: string): string {
  return instanceType.split(".")[0] ?? instanceType;
}

export const spotFleetDiversified: ResourceValidationPolicy = {
  name: "spot-fleet-diversified",
  description:
    "Checks whether a Spot Fleet request spreads over enough capacity pools: at least 3 instance types from at least 2 families, in at least 2 subnets (limits configurable).",
  enforcementLevel: "mandatory",
  configSchema: diversitySchema,
  validateResource: forType<SpotFleetRequestProps>(TYPES.spotFleetRequest, (props, args, report) => {
    const { minInstanceTypes, minFamilies, minSubnets } = configWithDefaults<{
      minInstanceTypes: number;
      minFamilies: number;
      minSubnets: number;
    }>(diversitySchema, args);
    const overrides = (props.launchTemplateConfigs ?? []).flatMap((c) => c.overrides ?? []);
    const specs = props.launchSpecifications ?? [];
    const pools = [...overrides, ...specs];
    const types = new Set(pools.map((p) => p.instanceType).filter((t): t is string => typeof t === "string" && t !== ""));
    // Subnet ids of a launch specification may be a comma-separated list.
    const subnets = new Set(
      pools
        .flatMap((p) => (p.subnetId ?? "").split(","))
        .map((s) => s.trim())
        .filter(Boolean),
    );
    // Attribute-based selection (instanceRequirements) lets EC2 pick from every matching type: the
    // listed-type counts do not apply to it.
    const attributeBased = overrides.some((o) => o.instanceRequirements !== undefined);
    const where = `Spot Fleet request \`${args.name}\``;
    if (!attributeBased) {
      const families = new Set([...types].map(instanceFamily));
      if (types.size < minInstanceTypes) {
        report(
          `${where} lists ${types.size} instance type(s) (${[...types].join(", ") || "none"}): list at least ${minInstanceTypes} in \`launchTemplateConfigs[].overrides[].instanceType\`.`,
        );
      }
      if (families.size < minFamilies) {
        report(
          `${where} uses ${families.size} instance family(ies) (${[...families].join(", ") || "none"}): add types from at least ${minFamilies} families.`,
        );
      }
    }
    if (subnets.size < minSubnets) {
      report(
        `${where} uses ${subnets.size} subnet(s): give overrides \`subnetId\`s in at least ${minSubnets} subnets (Availability Zones).`,
      );
    }
  }),
};
