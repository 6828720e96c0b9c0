/**
 * The `Condition` element (IAM JSON policy elements: Condition operators): operators are IAM's, with
 * an optional `ForAllValues:`/`ForAnyValue:` set prefix and an `IfExists` suffix (which `Null` does not
 * take); keys are global (`aws:SourceArn`, `aws:PrincipalTag/<tag>`) or the service's own
 * (`s3:prefix`, `s3:ExistingObjectTag/<tag>`), matched as IAM does: case-insensitively, with the
 * catalogue's placeholders standing for any text.
 */
import type { IamCatalogue } from "./catalogue";
import { didYouMean } from "./patterns";

export const CONDITION_OPERATORS = [
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "NumericEquals",
  "NumericNotEquals",
  "NumericLessThan",
  "NumericLessThanEquals",
  "NumericGreaterThan",
  "NumericGreaterThanEquals",
  "DateEquals",
  "DateNotEquals",
  "DateLessThan",
  "DateLessThanEquals",
  "DateGreaterThan",
  "DateGreaterThanEquals",
  "Bool",
  "BinaryEquals",
  "IpAddress",
  "NotIpAddress",
  "ArnEquals",
  "ArnLike",
  "ArnNotEquals",
  "ArnNotLike",
  "Null",
] as const;

const OPERATOR = /^(ForAllValues:|ForAnyValue:)?(.*?)(IfExists)?$/;

/** What is wrong with a condition operator, or undefined. */
export function operatorProblem(operator: string): string | undefined {
  const [, set = "", base = "", ifExists = ""] = OPERATOR.exec(operator) ?? [];
  if (!(CONDITION_OPERATORS as readonly string[]).includes(base)) {
    const guess = didYouMean(base, CONDITION_OPERATORS, (b) => `${set}${b}${ifExists}`);
    return `is not an IAM condition operator (\`StringEquals\`, \`ArnLike\`, \`Bool\`, … with an optional \`ForAllValues:\`/\`ForAnyValue:\` prefix and \`IfExists\` suffix).${guess}`;
  }
  if (base === "Null" && ifExists !== "")
    return "is not an IAM condition operator: `Null` takes no `IfExists` (it already tests whether the key exists); use `Null`.";
  return undefined;
}

/** What is wrong with a condition key, or undefined. */
export async function conditionKeyProblem(key: string, catalogue: IamCatalogue): Promise<string | undefined> {
  const colon = key.indexOf(":");
  if (colon <= 0) return `is \`${key}\`, not a condition key: write \`<prefix>:<name>\` (e.g. \`aws:SourceArn\`).`;
  const prefix = key.slice(0, colon);
  const global = catalogue.globalConditionKeys();
  const own = prefix.toLowerCase() === "aws" ? [] : await catalogue.conditionKeys(prefix);
  const candidates = [...global, ...own];
  if (candidates.some((k) => k.regexp.test(key))) return undefined;
  if (prefix.toLowerCase() !== "aws" && own.length === 0) {
    return `is \`${key}\`, whose prefix \`${prefix}\` is neither \`aws\` nor a service or identity provider with condition keys in IAM's catalogue.`;
  }
  const sameFamily = candidates.filter((k) => k.template.toLowerCase().startsWith(`${prefix.toLowerCase()}:`)).map((k) => k.template);
  const where = prefix.toLowerCase() === "aws" ? "a global condition key" : `a global condition key nor one of \`${prefix}\`'s`;
  return `is \`${key}\`, which is not ${where} in IAM's catalogue.${didYouMean(key, sameFamily)}`;
}

/** What is wrong with a condition's value (a string, number or boolean, or a non-empty list of them), or undefined. */
export function conditionValueProblem(value: unknown): string | undefined {
  const scalar = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
  if (scalar(value)) return undefined;
  if (Array.isArray(value) && value.length > 0 && value.every(scalar)) return undefined;
  return `is ${JSON.stringify(value)}: a condition value is a string, number or boolean, or a non-empty list of them.`;
}
