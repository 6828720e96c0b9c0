/** `loadClusterConfig`: the prod stack loads; each bad value fails naming its config key, the value and what is expected. */
import assert from "node:assert/strict";
import { loadClusterConfig, ConfigReader } from "../../../config/cluster";
import { StackConfigError } from "../../../config/errors";
import { readStackConfig } from "../../support/pulumi";

/** A `pulumi.Config("jobworker")` stand-in over a stack file's `config:` map (objects JSON-encoded, as the CLI passes them). */
function reader(config: Record<string, unknown>): ConfigReader {
  return {
    name: "jobworker",
    get: ((key: string) => {
      const v = config[`jobworker:${key}`];
      return v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
    }) as ConfigReader["get"],
  };
}

const prod = () => structuredClone(readStackConfig("prod"));

/** The prod config with one value changed at a dotted path (`fleet.instanceTypes.3`); undefined deletes it. */
function withValue(path: string, value: unknown): Record<string, unknown> {
  const cfg = prod();
  const [top, ...rest] = path.split(".");
  const key = `jobworker:${top}`;
  if (rest.length === 0) {
    if (value === undefined) delete cfg[key];
    else cfg[key] = value;
    return cfg;
  }
  let node = cfg[key] as any;
  for (const p of rest.slice(0, -1)) node = node[p];
  const last = rest[rest.length - 1];
  if (value === undefined) delete node[last];
  else node[last] = value;
  return cfg;
}

describe("loadClusterConfig", () => {
  it("loads the prod stack: 3 subnets in 3 AZs, 168 vCPUs over at least 7 types of at least 2 families, some with NVMe", () => {
    const { network, cluster: args } = loadClusterConfig(reader(prod()));
    assert.ok("given" in network, "prod names its VPC");
    assert.equal(network.given.subnets.length, 3);
    assert.equal(new Set(network.given.subnets.map((s) => s.availabilityZone)).size, 3);
    assert.equal(args.targetCapacity, 168);
    const types = args.instanceTypes as string[];
    assert.ok(types.length >= 7, `${types.length} types`);
    assert.ok(new Set(types.map((t) => t[0])).size >= 2, "at least two classes (c/m/r)");
    assert.ok(
      types.some((t) => /^[cmr]\d+[a-z]*d\./.test(t)),
      "some type with NVMe instance store",
    );
    assert.equal(readStackConfig("prod")["aws:region"], "ap-northeast-1");
    assert.deepEqual(args.scaling, {
      minCapacity: 48,
      maxCapacity: 336,
      cpuReservationTargetPercent: 75,
      memoryReservationTargetPercent: 75,
      scaleOutCooldownSeconds: 60,
      scaleInCooldownSeconds: 900,
    });
  });

  it("loads `network.create`: a new VPC in the zones given, NAT single by default, the cluster settings unchanged", () => {
    const cfg = withValue("network", {
      create: { availabilityZones: ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"], cidrBlock: "10.20.0.0/16" },
    });
    const { network, cluster } = loadClusterConfig(reader(cfg));
    assert.deepEqual(network, {
      create: {
        availabilityZones: ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"],
        cidrBlock: "10.20.0.0/16",
        natGateways: undefined,
      },
    });
    assert.equal(cluster.targetCapacity, 168);
  });

  const create = (c: Record<string, unknown>) => ({
    create: { availabilityZones: ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"], ...c },
  });
  const createCases: { why: string; network: unknown; key: string; message: RegExp }[] = [
    {
      why: "both forms",
      network: { ...(prod()["jobworker:network"] as object), ...create({}) },
      key: "jobworker:network.create",
      message:
        /cannot be combined with vpcId, subnets, routeTableIds: remove `create` to use that VPC, or remove vpcId, subnets, routeTableIds to build a new one/,
    },
    {
      why: "neither form",
      network: {},
      key: "jobworker:network",
      message: /is empty; expected either \{ vpcId, .*or \{ create: \{ availabilityZones/,
    },
    {
      why: "one zone to create",
      network: create({ availabilityZones: ["ap-northeast-1a"] }),
      key: "jobworker:network.create.availabilityZones",
      message: /fewer than two Availability Zones; give at least two/,
    },
    {
      why: "a zone listed twice",
      network: create({ availabilityZones: ["ap-northeast-1a", "ap-northeast-1a"] }),
      key: "jobworker:network.create.availabilityZones[1]",
      message: /listed twice/,
    },
    {
      why: "zones of two regions",
      network: create({ availabilityZones: ["ap-northeast-1a", "us-east-1a"] }),
      key: "jobworker:network.create.availabilityZones[1]",
      message: /not in ap-northeast-1 .*one region/,
    },
    {
      why: "a CIDR block that is not one",
      network: create({ cidrBlock: "10.0.0/16" }),
      key: "jobworker:network.create.cidrBlock",
      message: /"10\.0\.0\/16" is not an IPv4 CIDR block/,
    },
    {
      why: "a CIDR block larger than AWS allows",
      network: create({ cidrBlock: "10.0.0.0/12" }),
      key: "jobworker:network.create.cidrBlock",
      message: /must be \/16 to \/24 for 3 zones/,
    },
    {
      why: "a CIDR block too small for the subnets",
      network: create({ cidrBlock: "10.0.0.0/26" }),
      key: "jobworker:network.create.cidrBlock",
      message: /must be \/16 to \/24 for 3 zones/,
    },
    {
      why: "a CIDR block with host bits",
      network: create({ cidrBlock: "10.0.1.0/16" }),
      key: "jobworker:network.create.cidrBlock",
      message: /has host bits set/,
    },
    {
      why: "an unknown NAT strategy",
      network: create({ natGateways: "perAz" }),
      key: "jobworker:network.create.natGateways",
      message: /"perAz" is not one of none, single, onePerAz/,
    },
    {
      why: "a misspelt create key",
      network: create({ natGateway: "single" }),
      key: "jobworker:network.create.natGateway",
      message: /unknown setting/,
    },
    {
      why: "zones given as a string",
      network: create({ availabilityZones: "ap-northeast-1a" }),
      key: "jobworker:network.create.availabilityZones",
      message: /expected a list of Availability Zones/,
    },
  ];
  for (const c of createCases) {
    it(`fails on ${c.why} in \`network\`, naming \`${c.key}\``, () => {
      assert.throws(
        () => loadClusterConfig(reader(withValue("network", c.network))),
        (err: unknown) => {
          assert.ok(err instanceof StackConfigError, `a StackConfigError, got ${err}`);
          assert.equal(err.key, c.key, err.message);
          assert.match(err.message, c.message);
          return true;
        },
      );
    });
  }

  const cases: { why: string; path: string; value: unknown; key: string; message: RegExp }[] = [
    {
      why: "network missing",
      path: "network",
      value: undefined,
      key: "jobworker:network",
      message: /missing; expected either \{ vpcId, subnets.*or \{ create:/,
    },
    { why: "fleet missing", path: "fleet", value: undefined, key: "jobworker:fleet", message: /missing; expected \{ instanceTypes/ },
    {
      why: "a malformed VPC id",
      path: "network.vpcId",
      value: "vpc_1",
      key: "jobworker:network.vpcId",
      message: /expected a VPC id .*got "vpc_1"/,
    },
    {
      why: "one subnet",
      path: "network.subnets",
      value: [{ subnetId: "subnet-01", availabilityZone: "ap-northeast-1a" }],
      key: "jobworker:network.subnets",
      message: /at least two Availability Zones/,
    },
    {
      why: "a subnet without its AZ",
      path: "network.subnets.1.availabilityZone",
      value: undefined,
      key: "jobworker:network.subnets[1].availabilityZone",
      message: /expected an Availability Zone.*missing/,
    },
    {
      why: "subnets all in one AZ",
      path: "network.subnets",
      value: [
        { subnetId: "subnet-01", availabilityZone: "ap-northeast-1a" },
        { subnetId: "subnet-02", availabilityZone: "ap-northeast-1a" },
      ],
      key: "jobworker:network.subnets",
      message: /all subnets are in ap-northeast-1a/,
    },
    {
      why: "neither route tables nor an endpoint",
      path: "network.routeTableIds",
      value: undefined,
      key: "jobworker:network.routeTableIds",
      message: /give routeTableIds/,
    },
    {
      why: "a misspelt network key",
      path: "network.subnetIds",
      value: ["subnet-01"],
      key: "jobworker:network.subnetIds",
      message: /unknown setting/,
    },
    {
      why: "an unknown instance type",
      path: "fleet.instanceTypes.3",
      value: "q9x.4xlarge",
      key: "jobworker:fleet.instanceTypes[3]",
      message: /"q9x\.4xlarge" is not in the instance type table.*explicit weight/,
    },
    {
      why: "a duplicate instance type",
      path: "fleet.instanceTypes.3",
      value: "c6i.4xlarge",
      key: "jobworker:fleet.instanceTypes[3]",
      message: /listed twice \(also at instanceTypes\[0\]\)/,
    },
    {
      why: "a single family",
      path: "fleet.instanceTypes",
      value: ["c6i.2xlarge", "c6i.4xlarge"],
      key: "jobworker:fleet.instanceTypes",
      message: /one family "c6i"/,
    },
    {
      why: "a number as an instance type",
      path: "fleet.instanceTypes.2",
      value: 16,
      key: "jobworker:fleet.instanceTypes[2]",
      message: /expected an instance type name.*got 16/,
    },
    {
      why: "a string target capacity",
      path: "fleet.targetCapacity",
      value: "168",
      key: "jobworker:fleet.targetCapacity",
      message: /expected a whole number of vCPUs.*got "168"/,
    },
    {
      why: "an unknown allocation strategy",
      path: "fleet.allocationStrategy",
      value: "cheapest",
      key: "jobworker:fleet.allocationStrategy",
      message: /expected one of diversified, priceCapacityOptimized, capacityOptimized.*got "cheapest"/,
    },
    {
      why: "max below target",
      path: "fleet.scaling.maxCapacity",
      value: 100,
      key: "jobworker:fleet.scaling.maxCapacity",
      message: /100 is below targetCapacity 168/,
    },
    {
      why: "a misspelt scaling key",
      path: "fleet.scaling.minCapcity",
      value: 1,
      key: "jobworker:fleet.scaling.minCapcity",
      message: /unknown setting/,
    },
    {
      why: "a bad sysctl key",
      path: "bootstrap.sysctl",
      value: { "vm swappiness": 0 },
      key: 'jobworker:bootstrap.sysctl["vm swappiness"]',
      message: /not a kernel parameter name/,
    },
    {
      why: "a watcher interval of 60 s",
      path: "bootstrap.interruptionWatcher.intervalSeconds",
      value: 60,
      key: "jobworker:bootstrap.interruptionWatcher.intervalSeconds",
      message: /expected at most 30 seconds.*got 60/,
    },
    {
      why: "an unknown filesystem",
      path: "bootstrap.instanceStore.filesystem",
      value: "btrfs",
      key: "jobworker:bootstrap.instanceStore.filesystem",
      message: /expected "xfs" or "ext4".*got "btrfs"/,
    },
    {
      why: "a retention CloudWatch does not offer",
      path: "logging.retentionInDays",
      value: 10,
      key: "jobworker:logging.retentionInDays",
      message: /10 is not a CloudWatch Logs retention/,
    },
    { why: "a non-object fleet", path: "fleet", value: "big", key: "jobworker:fleet", message: /expected \{ instanceTypes.*got "big"/ },
  ];
  for (const c of cases) {
    it(`fails on ${c.why}, naming \`${c.key}\``, () => {
      assert.throws(
        () => loadClusterConfig(reader(withValue(c.path, c.value))),
        (err: unknown) => {
          assert.ok(err instanceof StackConfigError, `a StackConfigError, got ${err}`);
          assert.equal(err.key, c.key, err.message);
          assert.ok(err.message.startsWith(`stack config \`${c.key}\`: `), err.message);
          assert.match(err.message, c.message);
          return true;
        },
      );
    });
  }
});
