/**
 * An EventBridge event pattern matcher for the subset of the syntax the program's rules use, after
 * the EventBridge User Guide ("Event patterns", "Content filtering in Amazon EventBridge event
 * patterns"): a field's list matches when any entry matches; an entry is an exact value (string,
 * number, null), `{ prefix }`, `{ "anything-but": value | [values] }`, `{ numeric: [op, n, …] }` or
 * `{ exists: bool }`; nested objects match nested fields; `$or` is a list of alternative patterns;
 * an event array matches when any of its elements matches. Anything else throws (so a pattern
 * using syntax this matcher does not know fails the test rather than passing it).
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function matchesEntry(entry: unknown, value: Json | undefined): boolean {
  if (entry === null || typeof entry === "string" || typeof entry === "number") return value === entry;
  if (typeof entry !== "object" || Array.isArray(entry)) throw new Error(`unsupported pattern entry ${JSON.stringify(entry)}`);
  const [op, arg] = Object.entries(entry as Record<string, unknown>)[0] ?? [];
  switch (op) {
    case "prefix":
      return typeof value === "string" && typeof arg === "string" && value.startsWith(arg);
    case "anything-but": {
      if (value === undefined) return false;
      const excluded = Array.isArray(arg) ? arg : [arg];
      return !excluded.some((x) => x === value);
    }
    case "exists":
      return arg === (value !== undefined);
    case "numeric": {
      if (typeof value !== "number" || !Array.isArray(arg)) return false;
      for (let i = 0; i + 1 < arg.length; i += 2) {
        const [cmp, n] = [arg[i] as string, arg[i + 1] as number];
        const ok = { "=": value === n, "<": value < n, "<=": value <= n, ">": value > n, ">=": value >= n }[cmp];
        if (ok === undefined) throw new Error(`unsupported numeric operator ${cmp}`);
        if (!ok) return false;
      }
      return true;
    }
    default:
      throw new Error(`unsupported pattern operator ${JSON.stringify(op)}`);
  }
}

/** Values at a field: an array's elements, each; a missing field, `undefined` once. */
function valuesOf(v: Json | undefined): (Json | undefined)[] {
  return Array.isArray(v) ? v : [v];
}

export function matchesPattern(pattern: Record<string, unknown>, event: Json | undefined): boolean {
  for (const [field, rule] of Object.entries(pattern)) {
    if (field === "$or") {
      if (!Array.isArray(rule)) throw new Error("$or takes a list of patterns");
      if (!rule.some((alt) => matchesPattern(alt as Record<string, unknown>, event))) return false;
      continue;
    }
    const value = event !== null && typeof event === "object" && !Array.isArray(event) ? event[field] : undefined;
    if (Array.isArray(rule)) {
      // `exists: false` must hold for the field as a whole.
      if (!valuesOf(value).some((v) => rule.some((entry) => matchesEntry(entry, v)))) return false;
    } else if (rule !== null && typeof rule === "object") {
      if (!valuesOf(value).some((v) => matchesPattern(rule as Record<string, unknown>, v))) return false;
    } else {
      throw new Error(`pattern field ${field}: expected a list or an object (EventBridge refuses bare values)`);
    }
  }
  return true;
}
