/** SQS reads: a queue's depth and its dead-letter queue, resolved from the `RedrivePolicy`. */
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { QueueState } from "../types";

/** Parses `arn:aws:sqs:<region>:<account>:<name>`. */
export function parseQueueArn(arn: string): { region: string; account: string; name: string } | undefined {
  const parts = arn.split(":");
  if (parts.length !== 6 || parts[2] !== "sqs") return undefined;
  return { region: parts[3] as string, account: parts[4] as string, name: parts[5] as string };
}

/** The queue name is the last path segment of its URL. */
export function queueNameFromUrl(url: string): string {
  return url.replace(/\/+$/, "").split("/").pop() ?? url;
}

function count(value: string | undefined): number {
  const n = Number(value ?? "0");
  return Number.isFinite(n) ? n : 0;
}

export async function readQueue(sqs: SQSClient, url: string): Promise<QueueState> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }));
  const a = out.Attributes ?? {};
  let dlqArn: string | undefined;
  if (a.RedrivePolicy) {
    try {
      dlqArn = (JSON.parse(a.RedrivePolicy) as { deadLetterTargetArn?: string }).deadLetterTargetArn;
    } catch (err) {
      throw new Error(`queue ${url} has a RedrivePolicy that is not JSON: ${a.RedrivePolicy}`, { cause: err });
    }
  }
  return {
    url,
    name: queueNameFromUrl(url),
    arn: a.QueueArn ?? "",
    visible: count(a.ApproximateNumberOfMessages),
    inFlight: count(a.ApproximateNumberOfMessagesNotVisible),
    delayed: count(a.ApproximateNumberOfMessagesDelayed),
    ...(dlqArn ? { dlqArn } : {}),
  };
}

/** DLQ URLs by ARN; a queue's URL never changes, so resolved ones are kept. */
export class QueueUrlCache {
  private readonly byArn = new Map<string, string>();
  constructor(private readonly sqs: SQSClient) {}

  async urlOf(arn: string): Promise<string> {
    const known = this.byArn.get(arn);
    if (known) return known;
    const parsed = parseQueueArn(arn);
    if (!parsed) throw new Error(`not an SQS queue ARN: ${arn}`);
    const out = await this.sqs.send(new GetQueueUrlCommand({ QueueName: parsed.name, QueueOwnerAWSAccountId: parsed.account }));
    if (!out.QueueUrl) throw new Error(`sqs:GetQueueUrl returned no URL for ${arn}`);
    this.byArn.set(arn, out.QueueUrl);
    return out.QueueUrl;
  }
}
