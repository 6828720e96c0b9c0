/**
 * Runs the pack's policies the way the Pulumi engine's analyzer does, without the engine: every
 * resource policy gets each resource's inputs (`args.props`), every stack policy gets all resources
 * with their outputs, each with a `reportViolation` collector. Used by the offline check
 * (`npm run policy:check`) and by the policy tests.
 *
 * Values unknown until deploy (the engine's sentinels, as a preview sends them) are handled as the
 * engine's analyzer handles them: props are wrapped in the SDK's unknown-checking proxy, and a policy
 * that reads an unknown value is reported as "can't run during preview" at advisory level.
 */
import type {
  EnforcementLevel,
  Policies,
  Policy,
  PolicyPackConfig,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";

/**
 * The SDK's unknown-value machinery (exported by @pulumi/policy at run time, but internal to its
 * typings): the proxy throws `UnknownValueError` when a policy reads a value unknown at preview.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy, UnknownValueError } = require("@pulumi/policy") as {
  unknownCheckingProxy: <T>(props: T) => T;
  UnknownValueError: new (...args: never[]) => Error;
};

/** A resource as a deployment would present it to the analyzer. */
export interface ResourceSnapshot {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  /** What the program sent: resource policies judge these. */
  readonly inputs: Record<string, unknown>;
  /** What the provider returned (inputs plus computed values): stack policies judge these. */
  readonly outputs: Record<string, unknown>;
  /** URN of the parent resource, if any. */
  readonly parent?: string;
  /** URNs each input property depends on, when known. */
  readonly propertyDependencies?: Record<string, string[]>;
}

export interface Violation {
  readonly policyName: string;
  readonly description: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly message: string;
  /** The resource the violation is about; absent for a stack-wide violation. */
  readonly resource?: { readonly urn: string; readonly type: string; readonly name: string };
}

/** Thrown by `args.notApplicable()`, as the engine's analyzer does. */
class NotApplicableError extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "not applicable");
    this.name = "NotApplicableError";
  }
}

function isResourcePolicy(p: Policy): p is ResourceValidationPolicy {
  return "validateResource" in p && p.validateResource !== undefined;
}

function isStackPolicy(p: Policy): p is StackValidationPolicy {
  return typeof (p as StackValidationPolicy).validateStack === "function";
}

/**
 * The effective level of a policy: its entry in the pack config, else the config's `all`, else the
 * policy's own level, else the pack's default. Config entries are a level or `{ enforcementLevel, ... }`.
 */
export function enforcementLevelOf(policy: Policy, config: PolicyPackConfig, packDefault: EnforcementLevel = "advisory"): EnforcementLevel {
  const levelIn = (entry: unknown): EnforcementLevel | undefined =>
    typeof entry === "string"
      ? (entry as EnforcementLevel)
      : (entry as { enforcementLevel?: EnforcementLevel } | undefined)?.enforcementLevel;
  const level = levelIn(config[policy.name]) ?? levelIn(config.all) ?? policy.enforcementLevel ?? packDefault;
  // Remediation policies that still report are reported as mandatory, as the engine does.
  return level === "remediate" ? "mandatory" : level;
}

function policyConfigOf(policy: Policy, config: PolicyPackConfig): Record<string, unknown> {
  const entry = config[policy.name];
  if (typeof entry !== "object" || entry === null) return {};
  const { enforcementLevel: _level, ...properties } = entry as Record<string, unknown>;
  return properties;
}

const emptyOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

function typeOf(resourceClass: unknown): string | undefined {
  const t = (resourceClass as { __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof t === "string" ? t : undefined;
}

function notApplicable(reason?: string): never {
  throw new NotApplicableError(reason);
}

/** Evaluates every enabled policy against the resources and returns the violations, in policy order. */
export async function evaluatePolicies(
  policies: Policies,
  resources: readonly ResourceSnapshot[],
  config: PolicyPackConfig = {},
  options: { packDefault?: EnforcementLevel; stackTags?: ReadonlyMap<string, string> } = {},
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const stackTags = options.stackTags ?? new Map<string, string>();
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const describe = (urn: string | undefined) => {
    const r = urn === undefined ? undefined : byUrn.get(urn);
    return r ? { urn: r.urn, type: r.type, name: r.name } : urn === undefined ? undefined : { urn, type: "", name: urn };
  };

  for (const policy of policies) {
    const enforcementLevel = enforcementLevelOf(policy, config, options.packDefault);
    if (enforcementLevel === "disabled") continue;
    const policyConfig = policyConfigOf(policy, config);
    const record = (message: string, urn: string | undefined) =>
      violations.push({ policyName: policy.name, description: policy.description, enforcementLevel, message, resource: describe(urn) });
    // The engine's wording and level for a policy that met a value unknown at preview.
    const cannotRunDuringPreview = (p: Policy, err: Error, urn: string | undefined) =>
      violations.push({
        policyName: p.name,
        description: p.description,
        enforcementLevel: "advisory",
        message: `can't run policy '${p.name}' during preview: ${err.message}`,
        resource: describe(urn),
      });

    if (isResourcePolicy(policy)) {
      const validations = Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource!];
      for (const resource of resources) {
        for (const validation of validations) {
          const only = typeOf(validation);
          if (only !== undefined && only !== resource.type) continue;
          const props = unknownCheckingProxy(resource.inputs);
          const args: ResourceValidationArgs = {
            type: resource.type,
            props,
            urn: resource.urn,
            name: resource.name,
            opts: { ...emptyOptions, parent: resource.parent },
            stackTags,
            isType: (cls) => typeOf(cls) === resource.type,
            asType: ((cls: unknown) => (typeOf(cls) === resource.type ? props : undefined)) as ResourceValidationArgs["asType"],
            getConfig: <T extends object>() => policyConfig as T,
            notApplicable,
          };
          try {
            // The resource under validation is always the one reported, whatever urn is passed.
            await validation(args, (message) => record(message, resource.urn));
          } catch (err) {
            if (err instanceof UnknownValueError) {
              cannotRunDuringPreview(policy, err, resource.urn);
            } else if (!(err instanceof NotApplicableError)) {
              throw new Error(`policy \`${policy.name}\` failed on ${resource.type} \`${resource.name}\`: ${(err as Error).message}`, {
                cause: err,
              });
            }
          }
        }
      }
    }

    if (isStackPolicy(policy)) {
      const policyResources = toPolicyResources(resources);
      const args: StackValidationArgs = {
        resources: policyResources,
        stackTags,
        getConfig: <T extends object>() => policyConfig as T,
        notApplicable,
      };
      try {
        await policy.validateStack(args, (message, urn) => record(message, urn));
      } catch (err) {
        if (err instanceof UnknownValueError) {
          cannotRunDuringPreview(policy, err, undefined);
        } else if (!(err instanceof NotApplicableError)) {
          throw new Error(`stack policy \`${policy.name}\` failed: ${(err as Error).message}`, { cause: err });
        }
      }
    }
  }
  return violations;
}

/** The stack policies' view: outputs as props, parents and property dependencies linked by URN. */
function toPolicyResources(resources: readonly ResourceSnapshot[]): PolicyResource[] {
  const converted = resources.map((r) => {
    const props = unknownCheckingProxy(r.outputs);
    const resource = {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts: { ...emptyOptions, parent: r.parent },
      dependencies: [],
      propertyDependencies: {},
      isType: (cls: unknown) => typeOf(cls) === r.type,
      asType: (cls: unknown) => (typeOf(cls) === r.type ? props : undefined),
    } as unknown as PolicyResource;
    return { snapshot: r, resource };
  });
  const byUrn = new Map(converted.map((c) => [c.resource.urn, c.resource]));
  for (const { snapshot, resource } of converted) {
    if (snapshot.parent) resource.parent = byUrn.get(snapshot.parent);
    const deps = new Set<PolicyResource>();
    for (const [property, urns] of Object.entries(snapshot.propertyDependencies ?? {})) {
      const linked = urns.map((u) => byUrn.get(u)).filter((d): d is PolicyResource => d !== undefined);
      resource.propertyDependencies[property] = linked;
      linked.forEach((d) => deps.add(d));
    }
    resource.dependencies = [...deps];
  }
  return converted.map((c) => c.resource);
}

/** Whether any violation blocks a deployment. */
export function hasMandatory(violations: readonly Violation[]): boolean {
  return violations.some((v) => v.enforcementLevel === "mandatory");
}
