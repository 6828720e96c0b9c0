/**
 * The zod schemas of the cluster's stack configuration: `jobworker:network` (an existing VPC's ids,
 * or `create`), `jobworker:fleet`, `jobworker:bootstrap`, `jobworker:logging`. Shapes and ranges here; the checks that need the
 * instance type table (unknown type, duplicate, one family) run in the component's own validation
 * and are reported under the same keys by `loadClusterConfig`.
 */
import { z } from "zod";
import { logArchiveSchema } from "./log-archive-schema";

const wholeNumber = (min: number, max: number, unit: string) =>
  z
    .number({ error: `expected a whole number of ${unit}` })
    .int(`expected a whole number of ${unit}`)
    .min(min, `expected at least ${min} ${unit}`)
    .max(max, `expected at most ${max} ${unit}`);

export const networkSchema = z.strictObject({
  vpcId: z.string({ error: 'expected a VPC id like "vpc-0abc…"' }).regex(/^vpc-[0-9a-z]+$/, 'expected a VPC id like "vpc-0abc…"'),
  subnets: z
    .array(
      z.strictObject({
        subnetId: z
          .string({ error: 'expected a subnet id like "subnet-0abc…"' })
          .regex(/^subnet-[0-9a-z]+$/, 'expected a subnet id like "subnet-0abc…"'),
        availabilityZone: z
          .string({ error: 'expected an Availability Zone like "ap-northeast-1a"' })
          .regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'expected an Availability Zone like "ap-northeast-1a"'),
      }),
      { error: "expected a list of { subnetId, availabilityZone }" },
    )
    .min(2, "expected subnets in at least two Availability Zones"),
  routeTableIds: z
    .array(z.string().regex(/^rtb-[0-9a-z]+$/, 'expected a route table id like "rtb-0abc…"'))
    .min(1, "expected at least one route table id")
    .optional(),
  s3VpcEndpointId: z
    .string()
    .regex(/^vpce-[0-9a-z]+$/, 'expected a VPC endpoint id like "vpce-0abc…"')
    .optional(),
});

/**
 * `jobworker:network.create`: a new VPC instead of the ids above. Shapes only; the zone count, the
 * CIDR block's size and the NAT choice are checked by the `Network` component's own validation.
 */
export const networkCreateSchema = z.strictObject({
  create: z.strictObject(
    {
      availabilityZones: z.array(z.string({ error: 'expected an Availability Zone like "ap-northeast-1a"' }), {
        error: 'expected a list of Availability Zones like ["ap-northeast-1a", "ap-northeast-1c"]',
      }),
      cidrBlock: z.string({ error: 'expected an IPv4 CIDR block like "10.0.0.0/16"' }).optional(),
      natGateways: z.string({ error: "expected one of none, single, onePerAz" }).optional(),
    },
    { error: "expected { availabilityZones, cidrBlock?, natGateways? }" },
  ),
});

const instanceTypeEntry = z.union(
  [
    z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'expected an instance type like "c6i.4xlarge"'),
    z.strictObject({
      instanceType: z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'expected an instance type like "c6i.4xlarge"'),
      weight: wholeNumber(1, 1024, "capacity units").optional(),
      vcpu: wholeNumber(1, 1024, "vCPUs").optional(),
      memoryMiB: wholeNumber(512, 33554432, "MiB").optional(),
    }),
  ],
  { error: 'expected an instance type name like "c6i.4xlarge" or { instanceType, weight, memoryMiB }' },
);

export const fleetSchema = z.strictObject({
  instanceTypes: z
    .array(instanceTypeEntry, { error: "expected a list of instance types" })
    .min(2, "expected at least two instance types from at least two families"),
  targetCapacity: wholeNumber(1, 100000, "vCPUs"),
  allocationStrategy: z
    .enum(["diversified", "priceCapacityOptimized", "capacityOptimized"], {
      error: "expected one of diversified, priceCapacityOptimized, capacityOptimized",
    })
    .optional(),
  onDemandBaseCapacity: wholeNumber(0, 100000, "vCPUs").optional(),
  capacityRebalance: z.boolean({ error: "expected true or false" }).optional(),
  rootVolumeGiB: wholeNumber(30, 16384, "GiB").optional(),
  scaling: z
    .strictObject({
      minCapacity: wholeNumber(1, 100000, "vCPUs").optional(),
      maxCapacity: wholeNumber(1, 100000, "vCPUs").optional(),
      cpuReservationTargetPercent: wholeNumber(10, 100, "percent").optional(),
      memoryReservationTargetPercent: wholeNumber(10, 100, "percent").optional(),
      scaleOutCooldownSeconds: wholeNumber(0, 3600, "seconds").optional(),
      scaleInCooldownSeconds: wholeNumber(0, 3600, "seconds").optional(),
    })
    .optional(),
});

export const bootstrapSchema = z.strictObject({
  sysctl: z.record(z.string(), z.union([z.string(), z.number()], { error: "expected a number or a one-line string" })).optional(),
  containerStopTimeoutSeconds: wholeNumber(1, 600, "seconds").optional(),
  ecsConfig: z.record(z.string(), z.string({ error: "expected a string value" })).optional(),
  instanceStore: z
    .strictObject({
      enabled: z.boolean({ error: "expected true or false" }).optional(),
      mountPoint: z
        .string()
        .regex(/^\/[A-Za-z0-9._\/-]+$/, 'expected an absolute directory like "/mnt/instance-store"')
        .optional(),
      filesystem: z.enum(["xfs", "ext4"], { error: 'expected "xfs" or "ext4"' }).optional(),
    })
    .optional(),
  interruptionWatcher: z
    .strictObject({
      intervalSeconds: wholeNumber(1, 30, "seconds").optional(),
      drainOnRebalance: z.boolean({ error: "expected true or false" }).optional(),
    })
    .optional(),
  packages: z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, "expected a package name")).optional(),
});

export const loggingSchema = z.strictObject({
  retentionInDays: wholeNumber(1, 3653, "days").optional(),
  image: z.string().min(1, "expected a container image").optional(),
  config: z.string().min(1, "expected the collector's config text").optional(),
  configPath: z
    .string()
    .regex(/^\/[A-Za-z0-9._\/-]+$/, "expected an absolute path")
    .optional(),
  cpu: wholeNumber(1, 10240, "CPU units").optional(),
  memoryMiB: wholeNumber(6, 1048576, "MiB").optional(),
  /** The long-term archive (`config/log-archive-schema.ts`); not a collector setting. */
  archive: logArchiveSchema.optional(),
});

export type NetworkConfig = z.infer<typeof networkSchema>;
export type NetworkCreateConfig = z.infer<typeof networkCreateSchema>;
export type FleetConfig = z.infer<typeof fleetSchema>;
export type BootstrapConfig = z.infer<typeof bootstrapSchema>;
export type LoggingConfig = z.infer<typeof loggingSchema>;
