/**
 * ARNs in `Resource`/`NotResource`: `arn:<partition>:<service>:<region>:<account>:<resource>`, with a
 * known partition and service (IAM allows no wildcard in the service segment), a region and account
 * of the right form when given, and a shape that one of the service's resource types has in the
 * catalogue (`arn:${Partition}:sqs:${Region}:${Account}:${QueueName}`). Wildcards are allowed in every
 * other segment (IAM JSON policy elements: Resource).
 */
import { arnMatchesFormat } from "./arn-match";
import type { IamCatalogue } from "./catalogue";
import { closest, hasWildcard, wildcardRegExp } from "./patterns";
import { serviceProblem } from "./services";

/** AWS partitions (the second segment of every ARN). */
export const PARTITIONS = ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"] as const;

const REGION = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;

export interface ArnParts {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/** The six parts of an ARN (the resource part keeps its own colons), or undefined if it has fewer. */
export function splitArn(arn: string): ArnParts | undefined {
  const parts = arn.split(":");
  if (parts[0] !== "arn" || parts.length < 6) return undefined;
  const [, partition, service, region, account, ...resource] = parts;
  return { partition, service, region, account, resource: resource.join(":") };
}

/** Whether a segment is the given value or a wildcard pattern that can be it. */
function segmentAllows(segment: string, accepts: (value: string) => boolean, examples: readonly string[]): boolean {
  if (!hasWildcard(segment)) return accepts(segment);
  const pattern = wildcardRegExp(segment);
  return examples.some((e) => pattern.test(e)) || segment.includes("*");
}

/** What is wrong with the form of an ARN's segments (no catalogue needed), or undefined. */
export function arnFormProblem(arn: string): string | undefined {
  if (!arn.startsWith("arn:"))
    return `is \`${arn}\`, neither \`*\` nor an ARN: write \`arn:<partition>:<service>:<region>:<account>:<resource>\`.`;
  const parts = splitArn(arn);
  if (!parts) {
    return `is \`${arn}\`, an ARN with ${arn.split(":").length} of its 6 colon-separated parts: write \`arn:<partition>:<service>:<region>:<account>:<resource>\` (region and account may be empty, as in \`arn:aws:s3:::bucket\`).`;
  }
  const { partition, service, region, account, resource } = parts;
  if (!segmentAllows(partition, (p) => (PARTITIONS as readonly string[]).includes(p), PARTITIONS)) {
    return `is \`${arn}\`, whose partition \`${partition}\` is not one of ${PARTITIONS.join(", ")}.`;
  }
  if (service === "") return `is \`${arn}\`, with no service segment: name the service (e.g. \`s3\`).`;
  if (hasWildcard(service)) return `is \`${arn}\`, with a wildcard in its service segment, which IAM does not allow: name the service.`;
  if (region !== "" && !hasWildcard(region) && !REGION.test(region)) {
    return `is \`${arn}\`, whose region \`${region}\` is not a Region code (e.g. \`eu-west-1\`): fix it, or leave it empty for a global resource.`;
  }
  if (account !== "" && !hasWildcard(account) && !ACCOUNT.test(account) && account !== "aws") {
    return `is \`${arn}\`, whose account \`${account}\` is not a 12-digit account id: fix it, or leave it empty where the service has none (S3 buckets).`;
  }
  if (resource === "") return `is \`${arn}\`, with an empty resource part: name the resource, or end with \`*\`.`;
  return undefined;
}

/** What is wrong with a `Resource`/`NotResource` value, or undefined. */
export async function resourceArnProblem(arn: string, catalogue: IamCatalogue): Promise<string | undefined> {
  if (arn === "*") return undefined;
  const formProblem = arnFormProblem(arn);
  if (formProblem) return formProblem;
  const parts = splitArn(arn)!;
  const service = parts.service.toLowerCase();
  const unknownService = await serviceProblem(service, catalogue);
  if (unknownService) return `is \`${arn}\`, whose service ${unknownService}`;
  // Partition and service are lower case in every format; the rest of an ARN is case-sensitive.
  const normalized = ["arn", parts.partition.toLowerCase(), service, parts.region, parts.account, parts.resource].join(":");
  const own = await catalogue.arnFormats(service);
  if (own.some((format) => arnMatchesFormat(normalized, format))) return undefined;
  const anywhere = await catalogue.arnFormatsOfAnyService(service);
  if (anywhere.some((format) => arnMatchesFormat(normalized, format))) return undefined;
  const nearest = closest(normalized, own.length > 0 ? own : anywhere, 2).map((f) => `\`${f}\``);
  return `is \`${arn}\`, which has the shape of no \`${service}\` resource type in IAM's catalogue: ${nearest.length > 1 ? "the nearest are" : "the only one is"} ${nearest.join(" or ")}.`;
}
