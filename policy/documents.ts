/**
 * Reading IAM policy documents for what they grant (who, which actions, on what, under which
 * conditions), as the permission policies need it. policy/iam judges whether a document is valid;
 * this only reads a valid-enough one, statement by statement, and skips what it cannot read.
 */
import { parseDocument } from "./iam";

/** One statement with its elements normalised to lists (principal values keyed by type, `*` as `{"*": ["*"]}`). */
export interface ReadStatement {
  readonly index: number;
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  readonly principals: Record<string, string[]>;
  /** Condition keys the statement tests, lower-cased (`aws:sourcearn`). */
  readonly conditionKeys: string[];
  readonly condition: Record<string, Record<string, unknown>>;
}

function list(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function principalsOf(value: unknown): Record<string, string[]> {
  if (value === "*") return { "*": ["*"] };
  if (typeof value !== "object" || value === null) return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([type, v]) => [type, list(v)]));
}

/** The statements of a document given as JSON text or an object; none when it is not a document. */
export function statementsOf(value: unknown): ReadStatement[] {
  if (value === undefined || value === null || value === "") return [];
  const parsed = parseDocument(value);
  if (!parsed.ok || typeof parsed.document !== "object" || parsed.document === null) return [];
  const raw = (parsed.document as { Statement?: unknown }).Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return statements
    .filter((s): s is Record<string, unknown> => typeof s === "object" && s !== null)
    .map((s, index) => {
      const condition = (typeof s.Condition === "object" && s.Condition !== null ? s.Condition : {}) as Record<
        string,
        Record<string, unknown>
      >;
      const conditionKeys = Object.values(condition).flatMap((block) =>
        typeof block === "object" && block !== null ? Object.keys(block).map((k) => k.toLowerCase()) : [],
      );
      return {
        index,
        sid: typeof s.Sid === "string" ? s.Sid : undefined,
        effect: s.Effect === "Deny" ? "Deny" : "Allow",
        actions: list(s.Action),
        notActions: list(s.NotAction),
        resources: list(s.Resource),
        principals: principalsOf(s.Principal),
        conditionKeys,
        condition,
      };
    });
}

/** How a statement is named in messages: `Statement[1]` (`Sid` "X"). */
export function statementLabel(s: ReadStatement): string {
  return s.sid ? `\`Statement[${s.index}]\` ("${s.sid}")` : `\`Statement[${s.index}]\``;
}

/** Whether the statement applies to everyone: `Principal: "*"` or `{"AWS": "*"}`. */
export function isEveryone(s: ReadStatement): boolean {
  return "*" in s.principals || (s.principals.AWS ?? []).includes("*");
}

/** Whether the statement tests any of `keys` (case-insensitive). */
export function hasConditionKey(s: ReadStatement, ...keys: string[]): boolean {
  return keys.some((k) => s.conditionKeys.includes(k.toLowerCase()));
}

/**
 * Condition keys that tie a `*` principal to known callers (AWS's "Determining whether a request is
 * allowed" and Access Analyzer's notion of a non-public policy): an account, an organization, a source
 * resource or a VPC / VPC endpoint.
 */
export const RESTRICTING_KEYS = [
  "aws:SourceArn",
  "aws:SourceAccount",
  "aws:SourceOwner",
  "aws:SourceVpc",
  "aws:SourceVpce",
  "aws:PrincipalOrgID",
  "aws:PrincipalAccount",
  "aws:PrincipalArn",
  "aws:SourceOrgID",
] as const;

/** Whether a statement denies every request not over TLS (`aws:SecureTransport` false) for all of `service`'s actions. */
export function isTlsOnlyDeny(s: ReadStatement, service: string): boolean {
  if (s.effect !== "Deny" || !isEveryone(s)) return false;
  if (!s.actions.some((a) => a === "*" || a.toLowerCase() === `${service}:*`)) return false;
  const bool = Object.entries(s.condition).find(([op]) => op.toLowerCase() === "bool")?.[1] ?? {};
  const value = Object.entries(bool).find(([k]) => k.toLowerCase() === "aws:securetransport")?.[1];
  return list(value).some((v) => v.toLowerCase() === "false") || value === false;
}

/** Account ids a statement's `AWS` principals name (`arn:aws:iam::111122223333:root`, `111122223333`). */
export function principalAccounts(s: ReadStatement): string[] {
  return (s.principals.AWS ?? [])
    .map((p) => /^(?:arn:aws[a-z-]*:(?:iam|sts)::)?(\d{12})(?::|$)/.exec(p)?.[1])
    .filter((a): a is string => a !== undefined);
}
