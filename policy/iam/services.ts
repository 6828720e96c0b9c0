/** Service prefixes (`s3`, `sqs`, …) against the catalogue, with the nearest known one on a miss. */
import type { IamCatalogue } from "./catalogue";
import { didYouMean } from "./patterns";

/** What is wrong with a service prefix (to follow "… whose service"), or undefined. */
export async function serviceProblem(service: string, catalogue: IamCatalogue): Promise<string | undefined> {
  if (await catalogue.serviceExists(service)) return undefined;
  return `\`${service}\` is not in IAM's catalogue of services.${didYouMean(service, await catalogue.serviceNames())}`;
}
