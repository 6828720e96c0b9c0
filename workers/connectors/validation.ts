/**
 * Validation of output bindings before any connection is made (`createConnector`), by the one binding
 * schema (`catalog/bindings.ts`, as the container reads bindings). Each error names the field in
 * backticks, the value, and the fix.
 */
import {
  parseResolvedBinding,
  problemText,
  protobufFormatSchema,
  problemsOf,
  type BindingProblem,
  type ProtobufFormat,
  type ResolvedOutputBinding,
} from "../../catalog/bindings";
import { ConfigError } from "../errors";

function fail(path: string, problem: BindingProblem): never {
  const field = problem.field === "" ? path : `${path}.${problem.field}`;
  throw new ConfigError(`\`${field}\` ${problemText(problem)}`, { context: { field } });
}

/** Validates a resolved binding; `path` prefixes field names in errors (e.g. `outputs.partner`). Returns it, typed. */
export function validateBinding(binding: unknown, path = "binding"): ResolvedOutputBinding {
  const parsed = parseResolvedBinding(binding);
  if (parsed.problems) fail(path, parsed.problems[0]!);
  return parsed.binding;
}

/** Validates a binding's `format` on its own (`loadProtobufEncoder`); `path` names it in errors. */
export function validateProtobufFormat(path: string, format: ProtobufFormat | undefined): void {
  if (format === undefined) return;
  const result = protobufFormatSchema.safeParse(format);
  if (result.success) return;
  // Worded as the field of a binding (`format.schema`), then named from `path` (which ends in the format).
  const [problem] = problemsOf({ ...result.error.issues[0]!, path: ["format", ...result.error.issues[0]!.path] }, { format });
  const field = `${path}${problem!.field.slice("format".length)}`;
  throw new ConfigError(`\`${field}\` ${problemText(problem!)}`, { context: { field } });
}
