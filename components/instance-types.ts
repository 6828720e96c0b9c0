/**
 * The EC2 instance types the fleet knows without an explicit weight: vCPUs, memory, family,
 * generation, architecture and NVMe instance store, from the EC2 instance type pages
 * (https://aws.amazon.com/ec2/instance-types/). The fleet's weight of a type is its vCPU count, so
 * target capacity reads as "vCPUs". A type missing here can still be used with an explicit weight.
 */

export type Architecture = "x86_64" | "arm64";

export interface InstanceTypeInfo {
  /** e.g. `c6id.4xlarge`. */
  readonly instanceType: string;
  /** AWS's instance family: the part before the dot (`c6id`). */
  readonly family: string;
  /** The class letter: `c` compute, `m` general purpose, `r` memory. */
  readonly instanceClass: "c" | "m" | "r";
  /** Processor generation (6 for `c6i`). */
  readonly generation: number;
  readonly architecture: Architecture;
  readonly vcpu: number;
  /** Memory in MiB as EC2 reports it (`MemoryInfo.SizeInMiB`). */
  readonly memoryMiB: number;
  /** NVMe instance store, total GB; 0 when the type has none (EBS only). */
  readonly instanceStoreGB: number;
}

/** Sizes listed, with their vCPU count (the same across these families). */
const SIZES = { large: 2, xlarge: 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32 } as const;
type Size = keyof typeof SIZES;

/** NVMe instance store per size for the `d` variants of 6th/7th gen (one device each). */
const NVME_GB: Record<Size, number> = { large: 118, xlarge: 237, "2xlarge": 474, "4xlarge": 950, "8xlarge": 1900 };

/** Memory per vCPU in GiB by class: c 2, m 4, r 8. */
const GIB_PER_VCPU = { c: 2, m: 4, r: 8 } as const;

interface FamilySpec {
  readonly family: string;
  readonly architecture: Architecture;
  readonly instanceStore: boolean;
}

const FAMILIES: readonly FamilySpec[] = [
  // Intel, 6th and 7th generation.
  { family: "c6i", architecture: "x86_64", instanceStore: false },
  { family: "m6i", architecture: "x86_64", instanceStore: false },
  { family: "r6i", architecture: "x86_64", instanceStore: false },
  { family: "c6id", architecture: "x86_64", instanceStore: true },
  { family: "m6id", architecture: "x86_64", instanceStore: true },
  { family: "r6id", architecture: "x86_64", instanceStore: true },
  { family: "c7i", architecture: "x86_64", instanceStore: false },
  { family: "m7i", architecture: "x86_64", instanceStore: false },
  { family: "r7i", architecture: "x86_64", instanceStore: false },
  // AMD.
  { family: "c6a", architecture: "x86_64", instanceStore: false },
  { family: "m6a", architecture: "x86_64", instanceStore: false },
  { family: "r6a", architecture: "x86_64", instanceStore: false },
  { family: "c7a", architecture: "x86_64", instanceStore: false },
  { family: "m7a", architecture: "x86_64", instanceStore: false },
  { family: "r7a", architecture: "x86_64", instanceStore: false },
  // Graviton (arm64: needs the arm64 ECS-optimized AMI, so it cannot share a fleet with x86_64).
  { family: "c7g", architecture: "arm64", instanceStore: false },
  { family: "m7g", architecture: "arm64", instanceStore: false },
  { family: "r7g", architecture: "arm64", instanceStore: false },
  { family: "c7gd", architecture: "arm64", instanceStore: true },
  { family: "m7gd", architecture: "arm64", instanceStore: true },
  { family: "r7gd", architecture: "arm64", instanceStore: true },
];

function build(): Record<string, InstanceTypeInfo> {
  const table: Record<string, InstanceTypeInfo> = {};
  for (const spec of FAMILIES) {
    const instanceClass = spec.family[0] as "c" | "m" | "r";
    const generation = Number(spec.family[1]);
    for (const [size, vcpu] of Object.entries(SIZES) as [Size, number][]) {
      const instanceType = `${spec.family}.${size}`;
      table[instanceType] = {
        instanceType,
        family: spec.family,
        instanceClass,
        generation,
        architecture: spec.architecture,
        vcpu,
        memoryMiB: vcpu * GIB_PER_VCPU[instanceClass] * 1024,
        instanceStoreGB: spec.instanceStore ? NVME_GB[size] : 0,
      };
    }
  }
  return table;
}

/** Every known type by name (`c6i.4xlarge` → its facts). */
export const INSTANCE_TYPES: Readonly<Record<string, InstanceTypeInfo>> = Object.freeze(build());

/** The facts of a known type, or undefined. */
export function lookupInstanceType(instanceType: string): InstanceTypeInfo | undefined {
  return Object.prototype.hasOwnProperty.call(INSTANCE_TYPES, instanceType) ? INSTANCE_TYPES[instanceType] : undefined;
}

/** The family of any type name (`c6id.4xlarge` → `c6id`), known or not. */
export function familyOf(instanceType: string): string {
  return instanceType.split(".")[0];
}
