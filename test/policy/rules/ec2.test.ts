import assert from "node:assert/strict";
import { instanceFamily, launchTemplateImdsv2, spotFleetDiversified, spotFleetNoMaxPrice } from "../../../policy/rules/ec2";
import { TYPES, type SpotFleetOverride } from "../../../policy/types";
import { policyTable, resource } from "../fixtures";

const launchTemplate = (metadataOptions?: Record<string, unknown>) =>
  resource(TYPES.launchTemplate, "cluster-lt", {
    name: "jobworker-ecs",
    imageId: "ami-0123",
    ...(metadataOptions ? { metadataOptions } : {}),
  });

const override = (instanceType: string, subnetId: string, extra: Partial<SpotFleetOverride> = {}): SpotFleetOverride => ({
  instanceType,
  subnetId,
  ...extra,
});

/** A diversified fleet: 4 types, 3 families, 2 subnets, no max price. */
const happyOverrides = (): SpotFleetOverride[] =>
  ["m5.large", "m5a.large", "c5.large", "r5.large"].flatMap((t) => [override(t, "subnet-a"), override(t, "subnet-b")]);

function fleet(inputs: Record<string, unknown> = {}, overrides: SpotFleetOverride[] = happyOverrides()) {
  return resource(TYPES.spotFleetRequest, "cluster-fleet", {
    iamFleetRole: "arn:aws:iam::123456789012:role/fleet",
    allocationStrategy: "priceCapacityOptimized",
    targetCapacity: 0,
    launchTemplateConfigs: [{ launchTemplateSpecification: { id: "lt-1", version: "$Latest" }, overrides }],
    ...inputs,
  });
}

describe("policy ec2-launch-template-imdsv2", () => {
  policyTable(launchTemplateImdsv2, [
    { title: "httpTokens required passes", resources: [launchTemplate({ httpTokens: "required", httpEndpoint: "enabled" })], expected: [] },
    {
      title: "httpTokens optional",
      resources: [launchTemplate({ httpTokens: "optional" })],
      expected: [
        /^launch template `jobworker-ecs` must require IMDSv2: set `metadataOptions.httpTokens` to "required" \(found "optional"\)\.$/,
      ],
    },
    { title: "no metadataOptions", resources: [launchTemplate()], expected: [/must require IMDSv2: .*\(found unset\)/] },
  ]);
});

describe("policy spot-fleet-no-max-price", () => {
  policyTable(spotFleetNoMaxPrice, [
    { title: "no spotPrice anywhere passes", resources: [fleet()], expected: [] },
    {
      title: "a fleet-wide spotPrice",
      resources: [fleet({ spotPrice: "0.05" })],
      expected: [/^Spot Fleet request `cluster-fleet` sets `spotPrice` "0.05": remove it/],
    },
    {
      title: "a spotPrice on one override",
      resources: [fleet({}, [...happyOverrides().slice(0, 7), override("r5.large", "subnet-b", { spotPrice: "0.1" })])],
      expected: [/^Spot Fleet request `cluster-fleet` sets `launchTemplateConfigs\[0\]\.overrides\[7\]\.spotPrice` "0.1": remove it\.$/],
    },
    {
      title: "a spotPrice on a launch specification",
      resources: [
        fleet({ launchTemplateConfigs: undefined, launchSpecifications: [{ instanceType: "m5.large", ami: "ami-1", spotPrice: "0.2" }] }),
      ],
      expected: [/sets `launchSpecifications\[0\]\.spotPrice` "0.2"/],
    },
  ]);
});

describe("policy spot-fleet-diversified", () => {
  const two = ["m5.large", "m5a.large"].flatMap((t) => [override(t, "subnet-a"), override(t, "subnet-b")]);
  policyTable(spotFleetDiversified, [
    { title: "4 types, 3 families, 2 subnets pass", resources: [fleet()], expected: [] },
    {
      title: "2 types",
      resources: [fleet({}, two)],
      expected: [/^Spot Fleet request `cluster-fleet` lists 2 instance type\(s\) \(m5.large, m5a.large\): list at least 3/],
    },
    {
      title: "3 types of one family",
      resources: [
        fleet(
          {},
          ["m5.large", "m5.xlarge", "m5.2xlarge"].flatMap((t) => [override(t, "subnet-a"), override(t, "subnet-b")]),
        ),
      ],
      expected: [/^Spot Fleet request `cluster-fleet` uses 1 instance family\(ies\) \(m5\): add types from at least 2 families\.$/],
    },
    {
      title: "one subnet",
      resources: [
        fleet(
          {},
          ["m5.large", "c5.large", "r5.large"].map((t) => override(t, "subnet-a")),
        ),
      ],
      expected: [/^Spot Fleet request `cluster-fleet` uses 1 subnet\(s\): give overrides `subnetId`s in at least 2 subnets/],
    },
    {
      title: "comma-separated subnets of a launch specification count separately",
      resources: [
        fleet({
          launchTemplateConfigs: undefined,
          launchSpecifications: ["m5.large", "c5.large", "r5.large"].map((t) => ({ instanceType: t, subnetId: "subnet-a, subnet-b" })),
        }),
      ],
      expected: [],
    },
    {
      title: "attribute-based selection satisfies the type counts",
      resources: [
        fleet({}, [
          override("", "subnet-a", { instanceType: undefined, instanceRequirements: { vcpuCount: { min: 2 } } }),
          override("", "subnet-b", { instanceType: undefined, instanceRequirements: { vcpuCount: { min: 2 } } }),
        ]),
      ],
      expected: [],
    },
    {
      title: "configured minimums",
      resources: [fleet()],
      config: { "spot-fleet-diversified": { minInstanceTypes: 6, minSubnets: 3 } },
      expected: [/lists 4 instance type\(s\).*at least 6/, /uses 2 subnet\(s\).*at least 3 subnets/],
    },
  ]);

  it("reads the family from the instance type", () => {
    assert.equal(instanceFamily("c6gn.16xlarge"), "c6gn");
    assert.equal(instanceFamily("m5a.large"), "m5a");
  });
});
