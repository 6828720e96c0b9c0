/**
 * The grammar of an IAM policy document (IAM User Guide, "Grammar of the IAM JSON policy language"),
 * with the rules each kind of document adds: which elements a statement may and must have, the
 * `Version`, `Effect`, `Sid` and `Condition` forms. Written here on purpose: the parsers that exist as
 * packages are AGPL (see catalogue.ts). Pure and synchronous; what needs the catalogue (actions,
 * ARNs, condition keys) is collected for check.ts.
 */
import { conditionValueProblem, operatorProblem } from "./condition";
import { didYouMean } from "./patterns";
import { principalFindings } from "./principal";
import type { Finding, PolicyKind } from "./types";

export const POLICY_VERSION = "2012-10-17";
const DOCUMENT_KEYS = ["Version", "Id", "Statement"] as const;
const STATEMENT_KEYS = [
  "Sid",
  "Effect",
  "Principal",
  "NotPrincipal",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
] as const;
/**
 * IAM's own rule for a `Sid` in identity and trust policies: letters and digits only. Resource policies
 * are judged by their service, which take more (AWS's default key policy has "Enable IAM User
 * Permissions"); there a `Sid` need only be a string, unique within the policy.
 */
const IAM_SID = /^[A-Za-z0-9]+$/;

/** A value found at a path, for the catalogue checks. */
export interface Located {
  readonly path: string;
  readonly value: string;
}

/** What the catalogue checks need from a grammatical document. */
export interface Collected {
  readonly actions: Located[];
  readonly resources: Located[];
  readonly conditionKeys: Located[];
}

type Statement = Record<string, unknown>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The strings of an element that takes one string or a non-empty list of them, each with its path. */
function stringsOf(value: unknown, path: string, findings: Finding[]): Located[] {
  if (typeof value === "string") return [{ path, value }];
  if (Array.isArray(value) && value.length > 0) {
    return value.flatMap((v, i) => {
      if (typeof v === "string") return [{ path: `${path}[${i}]`, value: v }];
      findings.push({ path: `${path}[${i}]`, problem: `is ${JSON.stringify(v)}, not a string.` });
      return [];
    });
  }
  findings.push({ path, problem: `is ${JSON.stringify(value)}: write one string or a non-empty list of strings.` });
  return [];
}

function unknownKeys(
  object: Record<string, unknown>,
  allowed: readonly string[],
  at: (key: string) => string,
  what: string,
  findings: Finding[],
): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      findings.push({
        path: at(key),
        problem: `is not ${what}: IAM refuses unknown elements; use ${allowed.join(", ")}.${didYouMean(key, allowed)}`,
      });
    }
  }
}

function checkPrincipal(s: Statement, path: string, kind: PolicyKind, findings: Finding[]): void {
  const has = (key: string) => s[key] !== undefined;
  if (kind.kind === "identity") {
    for (const key of ["Principal", "NotPrincipal"].filter(has)) {
      findings.push({
        path: `${path}.${key}`,
        problem: `is not allowed in an identity policy (IAM refuses it: "Policy document should not specify a principal"): remove it; the policy applies to whoever it is attached to.`,
      });
    }
    return;
  }
  if (kind.kind === "trust" && has("NotPrincipal")) {
    findings.push({
      path: `${path}.NotPrincipal`,
      problem: "is not allowed in a trust policy: name who may assume the role in `Principal`.",
    });
  }
  if (has("Principal") && has("NotPrincipal") && kind.kind === "resource") {
    findings.push({ path, problem: "has both `Principal` and `NotPrincipal`: keep one." });
  }
  if (!has("Principal") && !(kind.kind === "resource" && has("NotPrincipal"))) {
    const problem =
      kind.kind === "trust"
        ? 'has no `Principal`: a trust policy names who may assume the role; add one (e.g. {"Service": "ecs-tasks.amazonaws.com"}).'
        : `has no \`Principal\`: a ${kind.name} names whom it applies to; add one (e.g. {"Service": "s3.amazonaws.com"} or {"AWS": "<account id or role ARN>"}).`;
    findings.push({ path, problem });
  }
  for (const key of ["Principal", "NotPrincipal"].filter(has)) findings.push(...principalFindings(s[key], `${path}.${key}`));
}

function checkResource(s: Statement, path: string, kind: PolicyKind, findings: Finding[], collected: Collected): void {
  const present = ["Resource", "NotResource"].filter((key) => s[key] !== undefined);
  if (kind.kind === "trust") {
    for (const key of present) {
      findings.push({
        path: `${path}.${key}`,
        problem: `is not allowed in a trust policy (IAM refuses the role: "MalformedPolicyDocument: Has prohibited field ${key}"): remove it; the role itself is the resource.`,
      });
    }
    return;
  }
  if (present.length === 2) findings.push({ path, problem: "has both `Resource` and `NotResource`: keep one." });
  if (present.length === 0) {
    if (kind.kind === "identity") {
      findings.push({
        path,
        problem:
          'has no `Resource` (IAM refuses it: "Policy statement must contain resources"): add the ARNs it applies to, or "*" for actions without resource-level permissions.',
      });
    } else if ((kind.resourceElement ?? "required") === "required") {
      findings.push({ path, problem: `has no \`Resource\`: a ${kind.name} names the resource it is attached to (its ARN).` });
    }
  }
  for (const key of present) collected.resources.push(...stringsOf(s[key], `${path}.${key}`, findings));
}

function checkCondition(condition: unknown, path: string, findings: Finding[], collected: Collected): void {
  if (!isObject(condition)) {
    findings.push({ path, problem: `is ${JSON.stringify(condition)}: write {"<operator>": {"<key>": <value>}}.` });
    return;
  }
  for (const [operator, block] of Object.entries(condition)) {
    const at = `${path}.${operator}`;
    const problem = operatorProblem(operator);
    if (problem) findings.push({ path: at, problem });
    if (!isObject(block) || Object.keys(block).length === 0) {
      findings.push({ path: at, problem: `is ${JSON.stringify(block)}: write {"<key>": <value>} under the operator.` });
      continue;
    }
    for (const [key, value] of Object.entries(block)) {
      collected.conditionKeys.push({ path: `${at}.${key}`, value: key });
      const valueProblem = conditionValueProblem(value);
      if (valueProblem) findings.push({ path: `${at}.${key}`, problem: valueProblem });
    }
  }
}

function checkStatement(
  s: unknown,
  path: string,
  kind: PolicyKind,
  sids: Map<string, string>,
  findings: Finding[],
  collected: Collected,
): void {
  if (!isObject(s)) {
    findings.push({ path, problem: `is ${JSON.stringify(s)}, not a statement object.` });
    return;
  }
  unknownKeys(s, STATEMENT_KEYS, (key) => `${path}.${key}`, "a statement element", findings);
  if (s.Sid !== undefined) {
    if (typeof s.Sid !== "string") {
      findings.push({ path: `${path}.Sid`, problem: `is ${JSON.stringify(s.Sid)}: a \`Sid\` is a string.` });
    } else if (kind.kind !== "resource" && !IAM_SID.test(s.Sid)) {
      findings.push({ path: `${path}.Sid`, problem: `is ${JSON.stringify(s.Sid)}: IAM allows only letters and digits in a \`Sid\`.` });
    } else if (sids.has(s.Sid)) {
      findings.push({
        path: `${path}.Sid`,
        problem: `is "${s.Sid}", the \`Sid\` of ${sids.get(s.Sid)} too: a \`Sid\` must be unique within the policy; rename one.`,
      });
    } else {
      sids.set(s.Sid, path);
    }
  }
  if (s.Effect === undefined) findings.push({ path, problem: 'has no `Effect`: add "Allow" or "Deny".' });
  else if (s.Effect !== "Allow" && s.Effect !== "Deny")
    findings.push({ path: `${path}.Effect`, problem: `is ${JSON.stringify(s.Effect)}: use "Allow" or "Deny" (case-sensitive).` });
  const actionKeys = ["Action", "NotAction"].filter((key) => s[key] !== undefined);
  if (actionKeys.length === 2)
    findings.push({ path, problem: "has both `Action` and `NotAction`: keep one (a statement takes exactly one of them)." });
  if (actionKeys.length === 0)
    findings.push({ path, problem: "has neither `Action` nor `NotAction`: add the `Action`s it allows or denies." });
  for (const key of actionKeys) collected.actions.push(...stringsOf(s[key], `${path}.${key}`, findings));
  checkPrincipal(s, path, kind, findings);
  checkResource(s, path, kind, findings, collected);
  if (s.Condition !== undefined) checkCondition(s.Condition, `${path}.Condition`, findings, collected);
}

/** The grammar's findings for a document of a kind, and what the catalogue checks should look at. */
export function checkGrammar(document: unknown, kind: PolicyKind): { findings: Finding[]; collected: Collected } {
  const findings: Finding[] = [];
  const collected: Collected = { actions: [], resources: [], conditionKeys: [] };
  if (!isObject(document)) {
    findings.push({
      path: "",
      problem: `is ${JSON.stringify(document)}, not a policy document (a JSON object with \`Version\` and \`Statement\`).`,
    });
    return { findings, collected };
  }
  unknownKeys(document, DOCUMENT_KEYS, (key) => key, "a policy element", findings);
  if (document.Version === undefined) {
    findings.push({
      path: "Version",
      problem: `is missing: add "Version": "${POLICY_VERSION}" (without it IAM reads the 2008-10-17 language, where policy variables are plain text).`,
    });
  } else if (document.Version !== POLICY_VERSION) {
    findings.push({
      path: "Version",
      problem: `is ${JSON.stringify(document.Version)}: use "${POLICY_VERSION}", the current policy language.`,
    });
  }
  if (document.Id !== undefined && typeof document.Id !== "string")
    findings.push({ path: "Id", problem: `is ${JSON.stringify(document.Id)}, not a string.` });
  const statement = document.Statement;
  const sids = new Map<string, string>();
  if (statement === undefined) {
    findings.push({ path: "Statement", problem: "is missing: a policy needs at least one statement." });
  } else if (Array.isArray(statement)) {
    if (statement.length === 0) findings.push({ path: "Statement", problem: "is an empty list: a policy needs at least one statement." });
    statement.forEach((s, i) => checkStatement(s, `Statement[${i}]`, kind, sids, findings, collected));
  } else {
    checkStatement(statement, "Statement", kind, sids, findings, collected);
  }
  return { findings, collected };
}
