/** Turns the first zod issue of a config value into a `StackConfigError` naming the key, the value and the expectation. */
import type { z } from "zod";
import { configKey, StackConfigError } from "./errors";

/** The value at `path` inside `root` (undefined when any step is missing). */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

export function issueToError(
  namespace: string,
  topKey: string,
  value: unknown,
  issue: z.core.$ZodIssue,
  doc = "docs/cluster.md",
): StackConfigError {
  const path = issue.path as PropertyKey[];
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys;
    return new StackConfigError(
      configKey(namespace, topKey, [...path, keys[0]]),
      `unknown setting${keys.length > 1 ? `s ${keys.join(", ")}` : ""}; check the spelling against ${doc}`,
    );
  }
  const got = valueAt(value, path);
  const shown = got === undefined ? "missing" : `got ${JSON.stringify(got)}`;
  return new StackConfigError(configKey(namespace, topKey, path), `${issue.message} (${shown})`);
}

/** Parses `value` with `schema`; throws the first issue as a `StackConfigError`. */
export function parseConfigValue<S extends z.ZodType>(namespace: string, topKey: string, schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw issueToError(namespace, topKey, value, result.error.issues[0]);
  return result.data;
}
