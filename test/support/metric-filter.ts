/**
 * A CloudWatch Logs metric filter evaluator for the JSON subset the program's filters use, after
 * the CloudWatch Logs User Guide ("Filter pattern syntax for metric filters, subscription filters,
 * and filter log events": "Using filter patterns to match terms in JSON log events"):
 * `{ $.a = "x" }`, `{ $.a.b != "y" }`, `{ $.n > 3 }`, clauses joined by `&&`. Any other syntax
 * throws. A log event that is not a JSON object never matches a JSON pattern.
 *
 * moto (5.2.5) cannot be the judge: its CloudWatch Logs stores metric filters but evaluates only
 * plain-term patterns; a JSON pattern is `UnsupportedFilterPattern`, which matches every event.
 */

const CLAUSE = /^\$\.([A-Za-z0-9_.-]+)\s*(=|!=|>=|<=|>|<)\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)$/;

function at(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const p of path.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

export function jsonFilterMatches(pattern: string, message: string): boolean {
  const body = pattern.trim();
  if (!body.startsWith("{") || !body.endsWith("}")) throw new Error(`not a JSON filter pattern: ${pattern}`);
  let event: unknown;
  try {
    event = JSON.parse(message);
  } catch {
    return false;
  }
  if (event === null || typeof event !== "object") return false;
  return body
    .slice(1, -1)
    .split("&&")
    .map((c) => c.trim())
    .every((clause) => {
      const m = CLAUSE.exec(clause);
      if (!m) throw new Error(`unsupported clause ${JSON.stringify(clause)} in ${pattern}`);
      const [, path, op, raw] = m;
      const value = at(event, path!);
      const expected: string | number = raw!.startsWith('"') ? (JSON.parse(raw!) as string) : Number(raw);
      if (typeof expected === "string") {
        if (op === "=") return value === expected;
        if (op === "!=") return value !== undefined && value !== expected;
        throw new Error(`operator ${op} takes a number`);
      }
      if (typeof value !== "number") return false;
      return {
        "=": value === expected,
        "!=": value !== expected,
        ">": value > expected,
        "<": value < expected,
        ">=": value >= expected,
        "<=": value <= expected,
      }[op!]!;
    });
}
