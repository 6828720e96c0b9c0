/**
 * A binding's secret values as a connector reads them: by field name, through the resolver's cache
 * (so a rotated secret arrives within its TTL), and re-read at once after an authentication failure
 * (`refresh`), so a rotation does not fail deliveries until the cache expires.
 */
import { secretFieldsOf, type ResolvedOutputBinding } from "../../catalog/bindings";
import type { SecretResolver } from "../secrets/resolver";

export interface BindingSecrets {
  /** The value of a secret field (e.g. `passwordSecret`); undefined when the binding does not set it. */
  get(field: string): Promise<string | undefined>;
  /**
   * Reads every secret field's reference again, ignoring the cache. Resolves to false when the
   * resolver cannot refresh (then a login is not retried).
   */
  refresh(): Promise<boolean>;
}

/** The secret fields a binding sets (those `which` keeps), with their references, in schema order. */
function refsOf(binding: ResolvedOutputBinding, which: (field: string) => boolean): ReadonlyMap<string, string> {
  const fields = binding as unknown as Readonly<Record<string, unknown>>;
  const refs = new Map<string, string>();
  for (const field of secretFieldsOf(binding.type).filter(which)) {
    const ref = fields[field];
    if (typeof ref === "string") refs.set(field, ref);
  }
  return refs;
}

/**
 * Resolves every secret field `which` keeps (all by default) once, so a missing secret fails at
 * start, and hands each value to `check` (e.g. a header value check); then serves them through `resolver`.
 */
export async function bindingSecrets(
  binding: ResolvedOutputBinding,
  resolver: SecretResolver,
  which: (field: string) => boolean = () => true,
  check: (field: string, ref: string, value: string) => void = () => undefined,
): Promise<BindingSecrets> {
  const refs = refsOf(binding, which);
  for (const [field, ref] of refs) check(field, ref, await resolver.resolve(ref));
  return {
    async get(field) {
      const ref = refs.get(field);
      return ref === undefined ? undefined : resolver.resolve(ref);
    },
    async refresh() {
      if (!resolver.refresh) return false;
      for (const ref of refs.values()) await resolver.refresh(ref);
      return true;
    },
  };
}

/** Fixed values, for connectors built without a resolver (tests, benchmarks). */
export function fixedSecrets(values: Readonly<Record<string, string | undefined>>): BindingSecrets {
  return {
    get: async (field) => values[field],
    refresh: async () => false,
  };
}
