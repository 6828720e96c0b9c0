/**
 * `Principal`/`NotPrincipal` values (IAM JSON policy elements: Principal): `"*"`, or a map from
 * `AWS`, `Service`, `Federated`, `CanonicalUser` to one name or a list. IAM allows no wildcard inside a
 * principal; a pattern over principals is a condition on `aws:PrincipalArn` instead.
 */
import { PARTITIONS } from "./arn";
import { didYouMean, hasWildcard } from "./patterns";
import type { Finding } from "./types";

const PRINCIPAL_TYPES = ["AWS", "Service", "Federated", "CanonicalUser"] as const;
type PrincipalType = (typeof PRINCIPAL_TYPES)[number];

const partitions = PARTITIONS.join("|");
const AWS_PRINCIPAL = [
  /^\d{12}$/,
  new RegExp(`^arn:(${partitions}):iam::\\d{12}:(root|user/.+|role/.+|federated-user/.+)$`),
  new RegExp(`^arn:(${partitions}):sts::\\d{12}:(assumed-role/.+/.+|federated-user/.+)$`),
];
const SERVICE_PRINCIPAL = /^[a-z0-9][a-z0-9.-]*\.(amazonaws\.com|amazonaws\.com\.cn|amazon\.com)$/;
const CANONICAL_USER = /^[0-9a-f]{64}$/;

/** What is wrong with one name of a principal type, or undefined. */
function nameProblem(type: PrincipalType, name: string): string | undefined {
  if (type === "AWS" && name === "*") return undefined;
  if (hasWildcard(name)) {
    return `is \`${name}\`: IAM allows no wildcard inside a principal; name it, or use \`"*"\` with a condition on \`aws:PrincipalArn\` (\`ArnLike\`).`;
  }
  switch (type) {
    case "AWS":
      return AWS_PRINCIPAL.some((re) => re.test(name))
        ? undefined
        : `is \`${name}\`, not an AWS principal: use a 12-digit account id, \`arn:aws:iam::<account>:root\`, or a user or role ARN.`;
    case "Service":
      return SERVICE_PRINCIPAL.test(name)
        ? undefined
        : `is \`${name}\`, not a service principal: use the service's \`<name>.amazonaws.com\` (e.g. \`lambda.amazonaws.com\`).`;
    case "Federated":
      return name.trim() === "" ? "is empty: name the identity provider (its ARN or domain)." : undefined;
    case "CanonicalUser":
      return CANONICAL_USER.test(name) ? undefined : `is \`${name}\`, not a canonical user id (64 hexadecimal digits).`;
  }
}

/** Findings for a `Principal`/`NotPrincipal` value at `path`. */
export function principalFindings(principal: unknown, path: string): Finding[] {
  if (principal === "*") return [];
  if (typeof principal !== "object" || principal === null || Array.isArray(principal)) {
    return [
      {
        path,
        problem: `is ${JSON.stringify(principal)}: write \`"*"\` or a map such as {"Service": "ecs-tasks.amazonaws.com"} or {"AWS": "<account id or ARN>"}.`,
      },
    ];
  }
  const entries = Object.entries(principal as Record<string, unknown>);
  if (entries.length === 0) return [{ path, problem: `is empty: name at least one of ${PRINCIPAL_TYPES.join(", ")}.` }];
  const findings: Finding[] = [];
  for (const [type, value] of entries) {
    const at = `${path}.${type}`;
    if (!(PRINCIPAL_TYPES as readonly string[]).includes(type)) {
      findings.push({
        path: at,
        problem: `is not a principal type: use one of ${PRINCIPAL_TYPES.join(", ")}.${didYouMean(type, PRINCIPAL_TYPES)}`,
      });
      continue;
    }
    const names = Array.isArray(value) ? value : [value];
    if (names.length === 0) findings.push({ path: at, problem: "is an empty list: name at least one principal." });
    names.forEach((name, i) => {
      const where = Array.isArray(value) ? `${at}[${i}]` : at;
      const problem = typeof name === "string" ? nameProblem(type as PrincipalType, name) : `is ${JSON.stringify(name)}, not a string.`;
      if (problem) findings.push({ path: where, problem });
    });
  }
  return findings;
}
