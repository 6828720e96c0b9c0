/**
 * Resolves the fleet's instance types into plain facts (weight, vCPUs, memory, family, instance
 * store) from the table or explicit weights, and checks them: a type the table does not know needs
 * a weight and its memory, a type may appear once, and the fleet needs at least two families of
 * one architecture. Pure, so it runs (and fails) at preview time.
 */
import { Architecture, familyOf, lookupInstanceType } from "../instance-types";
import type { FleetInstanceType } from "./args";
import { SpotEcsClusterArgsError } from "./errors";

export interface ResolvedInstanceType {
  readonly instanceType: string;
  /** Capacity units (vCPUs by default). */
  readonly weight: number;
  readonly vcpu: number;
  readonly memoryMiB: number;
  readonly family: string;
  /** undefined for types not in the table. */
  readonly architecture?: Architecture;
  /** NVMe instance store GB; undefined when the table does not know the type. */
  readonly instanceStoreGB?: number;
}

/** The largest type of the fleet by memory, for checking container limits at preview time. */
export interface LargestInstance {
  readonly instanceType: string;
  readonly vcpu: number;
  readonly memoryMiB: number;
}

const TYPE_NAME = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

function positiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}

/** Resolves one entry; `field` is how errors name it (`instanceTypes[2]`). */
export function resolveInstanceType(entry: FleetInstanceType, field: string): ResolvedInstanceType {
  const spec = typeof entry === "string" ? { instanceType: entry } : entry;
  const name = spec.instanceType;
  if (typeof name !== "string" || !TYPE_NAME.test(name)) {
    throw new SpotEcsClusterArgsError(field, `${JSON.stringify(name)} is not an instance type name; expected e.g. "c6i.4xlarge"`);
  }
  const known = lookupInstanceType(name);
  if (spec.weight !== undefined && !positiveInteger(spec.weight)) {
    throw new SpotEcsClusterArgsError(
      `${field}.weight`,
      `${JSON.stringify(spec.weight)} must be a positive integer (capacity units, normally its vCPUs)`,
    );
  }
  if (known) {
    return {
      instanceType: name,
      weight: spec.weight ?? known.vcpu,
      vcpu: spec.vcpu ?? known.vcpu,
      memoryMiB: spec.memoryMiB ?? known.memoryMiB,
      family: known.family,
      architecture: known.architecture,
      instanceStoreGB: known.instanceStoreGB,
    };
  }
  if (spec.weight === undefined) {
    throw new SpotEcsClusterArgsError(
      field,
      `"${name}" is not in the instance type table (components/instance-types.ts); give it an explicit weight and memory: { instanceType: "${name}", weight: <vCPUs>, memoryMiB: <MiB> }`,
    );
  }
  if (!positiveInteger(spec.memoryMiB)) {
    throw new SpotEcsClusterArgsError(
      `${field}.memoryMiB`,
      `"${name}" is not in the instance type table, so its memory in MiB is required (got ${JSON.stringify(spec.memoryMiB)})`,
    );
  }
  if (spec.vcpu !== undefined && !positiveInteger(spec.vcpu)) {
    throw new SpotEcsClusterArgsError(`${field}.vcpu`, `${JSON.stringify(spec.vcpu)} must be a positive integer`);
  }
  return { instanceType: name, weight: spec.weight, vcpu: spec.vcpu ?? spec.weight, memoryMiB: spec.memoryMiB, family: familyOf(name) };
}

/** Resolves and checks the whole list (`field` names the list, e.g. `instanceTypes`). */
export function resolveFleetInstanceTypes(entries: readonly FleetInstanceType[], field = "instanceTypes"): ResolvedInstanceType[] {
  if (!Array.isArray(entries) || entries.length === 0) {
    throw new SpotEcsClusterArgsError(
      field,
      'needs at least two instance types from at least two families, e.g. ["c6i.4xlarge", "m6i.4xlarge"]',
    );
  }
  const resolved = entries.map((e, i) => resolveInstanceType(e, `${field}[${i}]`));
  const seen = new Map<string, number>();
  resolved.forEach((r, i) => {
    const first = seen.get(r.instanceType);
    if (first !== undefined) {
      throw new SpotEcsClusterArgsError(
        `${field}[${i}]`,
        `"${r.instanceType}" is listed twice (also at ${field}[${first}]); list each type once`,
      );
    }
    seen.set(r.instanceType, i);
  });
  const families = new Set(resolved.map((r) => r.family));
  if (families.size < 2) {
    throw new SpotEcsClusterArgsError(
      field,
      `all types are of the one family "${[...families][0]}"; a Spot fleet needs at least two families (e.g. add "m6i" or "c7i" types) so one pool's price spike or capacity shortage cannot take the whole cluster`,
    );
  }
  const architectures = new Set(resolved.map((r) => r.architecture).filter((a) => a !== undefined));
  if (architectures.size > 1) {
    const arm = resolved.filter((r) => r.architecture === "arm64").map((r) => r.instanceType);
    throw new SpotEcsClusterArgsError(
      field,
      `mixes x86_64 and arm64 types (arm64: ${arm.join(", ")}); one launch template has one AMI, so use types of one architecture`,
    );
  }
  return resolved;
}

/** The architecture of the resolved fleet (x86_64 when the table knows none of the types). */
export function fleetArchitecture(types: readonly ResolvedInstanceType[]): Architecture {
  return types.find((t) => t.architecture !== undefined)?.architecture ?? "x86_64";
}

/** The largest type by memory (ties: more vCPUs, then name). */
export function largestInstanceOf(types: readonly ResolvedInstanceType[]): LargestInstance {
  const sorted = [...types].sort((a, b) => b.memoryMiB - a.memoryMiB || b.vcpu - a.vcpu || a.instanceType.localeCompare(b.instanceType));
  const top = sorted[0];
  return { instanceType: top.instanceType, vcpu: top.vcpu, memoryMiB: top.memoryMiB };
}
