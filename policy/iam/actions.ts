/**
 * Actions (`Action`, `NotAction`) against the catalogue: `service:Name` where the service exists, the
 * name is one of its actions (IAM compares them case-insensitively), and a wildcard (`s3:Get*`)
 * matches at least one. IAM accepts an action it does not know, and the statement then grants
 * nothing: a typo is a silent hole, which is why this is checked at all.
 */
import type { IamCatalogue } from "./catalogue";
import { didYouMean, hasWildcard, wildcardRegExp } from "./patterns";
import { serviceProblem } from "./services";

const ACTION = /^([a-z0-9-]+):([A-Za-z0-9*?_-]+)$/i;

/** What is wrong with one action string, or undefined. */
export async function actionProblem(action: string, catalogue: IamCatalogue): Promise<string | undefined> {
  if (action === "*") return undefined;
  const match = ACTION.exec(action);
  if (!match) return `is \`${action}\`, not an action: write \`<service>:<Action>\` (e.g. \`s3:GetObject\`) or \`*\`.`;
  const [, service, name] = match;
  const unknownService = await serviceProblem(service, catalogue);
  if (unknownService) return `is \`${action}\`, whose service ${unknownService}`;
  const names = await catalogue.actionNames(service);
  if (hasWildcard(name)) {
    const pattern = wildcardRegExp(name);
    if (names.some((n) => pattern.test(n))) return undefined;
    return `is \`${action}\`, a wildcard that matches no action of \`${service}\` (IAM service authorization reference): fix the pattern.`;
  }
  if (names.some((n) => n.toLowerCase() === name.toLowerCase())) return undefined;
  return `is \`${action}\`, which is not an action of \`${service}\` (IAM service authorization reference): IAM would accept it and grant nothing.${didYouMean(name, names, (n) => `${service}:${n}`)}`;
}
