/**
 * Small helpers the policies share: type filtering that the engine can short-cut, config with the
 * schema's defaults applied, and reading a task definition's container definitions.
 */
import type {
  PolicyConfigSchema,
  PolicyResource,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import type { ContainerDefinition, TaskDefinitionProps } from "./types";

/**
 * A resource validation that runs only for one type token. Like `validateResourceOfType`, it carries
 * `__pulumiType` so the engine skips other types without deserialising them, but it needs no
 * @pulumi/aws class: the pack stays independent of the provider SDK version the program uses.
 */
export function forType<TProps>(
  type: string,
  validate: (props: TProps, args: ResourceValidationArgs, reportViolation: ReportViolation) => void | Promise<void>,
): ResourceValidation {
  // The promise of an async check is returned, so the engine waits for it (and sees its errors).
  const validation: ResourceValidation = (args, reportViolation) => {
    if (args.type !== type) return;
    return validate(args.props as TProps, args, reportViolation);
  };
  return Object.assign(validation, { __pulumiType: type });
}

/**
 * The policy's configuration with the schema's defaults filled in. The CLI applies schema defaults
 * itself, but direct callers (the offline check, tests) pass only what is configured.
 */
export function configWithDefaults<T extends object>(schema: PolicyConfigSchema, args: ResourceValidationArgs | StackValidationArgs): T {
  const defaults: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(schema.properties)) {
    if (property.default !== undefined) defaults[key] = property.default;
  }
  return { ...defaults, ...args.getConfig<Record<string, unknown>>() } as T;
}

/** How a task definition is called in messages: its family, else its Pulumi name. */
export function taskDefinitionLabel(props: TaskDefinitionProps, resourceName: string): string {
  return props.family ?? resourceName;
}

export type ParsedContainers = { ok: true; containers: ContainerDefinition[] } | { ok: false; reason: string };

/** Parses `containerDefinitions` (a JSON string in @pulumi/aws inputs and outputs). */
export function parseContainers(props: TaskDefinitionProps): ParsedContainers {
  const text = props.containerDefinitions;
  if (typeof text !== "string" || text.trim() === "") {
    return { ok: false, reason: "`containerDefinitions` is missing" };
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) return { ok: false, reason: "`containerDefinitions` is not a JSON array" };
    return { ok: true, containers: parsed as ContainerDefinition[] };
  } catch (err) {
    return { ok: false, reason: `\`containerDefinitions\` is not valid JSON (${(err as Error).message})` };
  }
}

/** Every container of a task definition, with the label messages use; nothing when unparseable. */
export function containersOf(props: TaskDefinitionProps): { label: string; container: ContainerDefinition }[] {
  const parsed = parseContainers(props);
  if (!parsed.ok) return [];
  return parsed.containers.map((container, index) => ({ label: container.name ?? `#${index}`, container }));
}

/** Parses a JSON-string property (SQS `redrivePolicy`), or returns undefined. */
export function parseJsonObject(text: unknown): Record<string, unknown> | undefined {
  if (typeof text !== "string") return typeof text === "object" && text !== null ? (text as Record<string, unknown>) : undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    // Not JSON: callers report the property as missing or malformed.
    return undefined;
  }
}

/** Resources of one type token. */
export function ofType(resources: readonly PolicyResource[], ...types: string[]): PolicyResource[] {
  return resources.filter((r) => types.includes(r.type));
}

// The SDK's unknown-value error (exported at run time, internal to its typings): see policy/evaluate.ts.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UnknownValueError } = require("@pulumi/policy") as { UnknownValueError: new (...args: never[]) => Error };

/**
 * `props[key]`, or undefined when the value is unknown (a preview of a resource not yet created). The
 * engine's props throw `UnknownValueError` when an unknown is read; stack policies that link resources
 * read identities through this, and follow the engine's dependency information instead.
 */
export function peek(props: Record<string, unknown> | undefined, key: string): unknown {
  if (props === undefined || props === null) return undefined;
  try {
    return props[key];
  } catch (err) {
    if (err instanceof UnknownValueError) return undefined;
    throw err;
  }
}

/** A known non-empty string at `props[key]`, else undefined (absent, empty, other type or unknown). */
export function knownString(props: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = peek(props, key);
  return typeof value === "string" && value !== "" ? value : undefined;
}

/**
 * The values other resources use to point at `target` (its id, ARN, URL, name, bucket name). Stack
 * policies see resource outputs, so a reference like `bucket: myBucket.id` arrives as the value.
 * Values unknown at preview are skipped.
 */
export function identitiesOf(target: PolicyResource): Set<string> {
  const ids = new Set<string>();
  for (const key of ["id", "arn", "url", "name", "bucket"]) {
    const value = knownString(target.props, key);
    if (value !== undefined) ids.add(value);
  }
  return ids;
}

/** Whether the engine's dependency information says `resource.props[property]` was made from `target`. */
export function dependsOn(resource: PolicyResource, property: string, target: PolicyResource): boolean {
  return resource.propertyDependencies?.[property]?.some((d) => d.urn === target.urn) ?? false;
}

/**
 * Whether `resource.props[property]` refers to `target`: by the engine's property dependencies when it
 * has them (known even while values are not, as at the first preview of a stack), else by value.
 */
export function refersTo(resource: PolicyResource, property: string, target: PolicyResource): boolean {
  if (dependsOn(resource, property, target)) return true;
  const value = knownString(resource.props, property);
  return value !== undefined && identitiesOf(target).has(value);
}

/** A resource's name for messages: its `name` (or another naming property) when known, else its Pulumi name. */
export function labelOf(resource: { name: string; props: Record<string, unknown> }, key = "name"): string {
  return knownString(resource.props, key) ?? resource.name;
}

/**
 * The AWS Security Hub and Checkov control ids a policy's description cites ("(Security Hub ECS.17,
 * CKV_AWS_341)"): the one place they are written, read back for `npm run policy:check` and the README.
 */
export function controlIdsOf(description: string): string[] {
  const ids = description.match(/\b(?:[A-Z][A-Za-z0-9]*\.\d+|CKV2?_AWS_\d+)\b/g) ?? [];
  return [...new Set(ids)];
}

/** Simple `*` wildcard match (case-insensitive), as config allow-lists use it. */
export function matchesPattern(value: string, pattern: string): boolean {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`, "i").test(value);
}
