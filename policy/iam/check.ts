/**
 * One policy document against IAM's rules: the grammar of its kind (grammar.ts), then every action,
 * resource ARN and condition key against the catalogue (catalogue.ts).
 */
import { actionProblem } from "./actions";
import { resourceArnProblem, splitArn } from "./arn";
import type { IamCatalogue } from "./catalogue";
import { conditionKeyProblem } from "./condition";
import { checkGrammar, type Located } from "./grammar";
import type { Finding, PolicyKind } from "./types";

export type ParsedDocument = { ok: true; document: unknown } | { ok: false; problem: string };

/** A policy document as a resource property holds it: JSON text (what `JSON.stringify` made) or an object. */
export function parseDocument(value: unknown): ParsedDocument {
  if (typeof value !== "string") return { ok: true, document: value };
  try {
    return { ok: true, document: JSON.parse(value) as unknown };
  } catch (err) {
    return { ok: false, problem: `is not valid JSON (${(err as Error).message}): render it with \`JSON.stringify\` of a policy object.` };
  }
}

async function findingsOf(located: readonly Located[], problemOf: (value: string) => Promise<string | undefined>): Promise<Finding[]> {
  const problems = await Promise.all(located.map(async ({ path, value }) => ({ path, problem: await problemOf(value) })));
  return problems.filter((p): p is Finding => p.problem !== undefined);
}

/** A resource policy can only name its own service's resources (S3: "Policy has invalid resource"). */
function foreignResourceProblem(arn: string, kind: PolicyKind): string | undefined {
  if (kind.kind !== "resource") return undefined;
  const service = splitArn(arn)?.service.toLowerCase();
  if (service === undefined || service === kind.service) return undefined;
  return `is \`${arn}\`, a \`${service}\` ARN: a ${kind.name} names only \`${kind.service}\` resources; grant this in a policy of the \`${service}\` resource or of the caller.`;
}

/** Every problem IAM (or the service holding the document) would have with `document`, in document order per check. */
export async function checkPolicyDocument(document: unknown, kind: PolicyKind, catalogue: IamCatalogue): Promise<Finding[]> {
  const { findings, collected } = checkGrammar(document, kind);
  const [actions, resources, keys] = await Promise.all([
    findingsOf(collected.actions, (action) => actionProblem(action, catalogue)),
    findingsOf(collected.resources, async (arn) => (await resourceArnProblem(arn, catalogue)) ?? foreignResourceProblem(arn, kind)),
    findingsOf(collected.conditionKeys, (key) => conditionKeyProblem(key, catalogue)),
  ]);
  return [...findings, ...actions, ...resources, ...keys];
}
