/**
 * What the runtime needs to know about its queue, read once at start: the visibility timeout (the
 * heartbeat's lease) and the redrive policy (the dead-letter queue for messages that can never be
 * processed, and `maxReceiveCount`).
 */
import { GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Message } from "@aws-sdk/client-sqs";
import { WORKER_ENV } from "../../catalog/contract";
import { ConfigError, RetryableError } from "../errors";

export interface QueueInfo {
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount?: number;
  readonly deadLetterQueueUrl?: string;
}

export async function describeQueue(sqs: SQSClient, queueUrl: string): Promise<QueueInfo> {
  let out;
  try {
    out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["VisibilityTimeout", "RedrivePolicy"] }));
  } catch (err) {
    const name = (err as { name?: string }).name ?? "";
    if (/QueueDoesNotExist|NonExistentQueue/.test(name)) {
      throw new ConfigError(
        `\`${WORKER_ENV.queueUrl}\` is ${queueUrl}, which does not exist (in this region/endpoint): use the JobWorker component's \`queueUrl\` output`,
        {
          cause: err,
          context: { variable: WORKER_ENV.queueUrl },
        },
      );
    }
    throw unreachable(err, queueUrl);
  }
  const visibilityTimeoutSeconds = Number(out.Attributes?.VisibilityTimeout ?? 30);
  const redrive = out.Attributes?.RedrivePolicy;
  if (!redrive) return { visibilityTimeoutSeconds };
  const policy = JSON.parse(redrive) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string };
  return {
    visibilityTimeoutSeconds,
    maxReceiveCount: policy.maxReceiveCount === undefined ? undefined : Number(policy.maxReceiveCount),
    deadLetterQueueUrl: policy.deadLetterTargetArn === undefined ? undefined : queueUrlFromArn(queueUrl, policy.deadLetterTargetArn),
  };
}

/**
 * Startup could not ask SQS about the queue (after the SDK's retries): say which call, which endpoint
 * and what to check, rather than a bare `connect ECONNREFUSED` and a stack trace.
 */
function unreachable(err: unknown, queueUrl: string): RetryableError {
  const e = err as { name?: string; message?: string; code?: string };
  const configured = process.env.AWS_ENDPOINT_URL_SQS ?? process.env.AWS_ENDPOINT_URL;
  const endpoint =
    configured !== undefined
      ? `the endpoint ${configured} (from \`${process.env.AWS_ENDPOINT_URL_SQS !== undefined ? "AWS_ENDPOINT_URL_SQS" : "AWS_ENDPOINT_URL"}\`)`
      : `SQS's endpoint for region ${process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "(unset)"} (\`AWS_REGION\`)`;
  const check =
    configured !== undefined
      ? "check that it is up and reachable, or unset it to use AWS's endpoint"
      : "check `AWS_REGION`, the network path to SQS (VPC endpoint, NAT) and the task role's credentials";
  return new RetryableError(
    `cannot start: GetQueueAttributes on ${queueUrl} via ${endpoint} failed after the SDK's retries (${e.code ?? e.name ?? "Error"}: ${e.message ?? String(err)}); ${check}`,
    { cause: err, context: { queueUrl, call: "GetQueueAttributes" } },
  );
}

/**
 * The URL of a queue given its ARN, built on the source queue's endpoint: a dead-letter queue lives in
 * the source's account and region (an SQS rule), so no `GetQueueUrl` call (and permission) is needed.
 */
export function queueUrlFromArn(sourceQueueUrl: string, arn: string): string {
  const parts = arn.split(":");
  const account = parts[4];
  const name = parts[5];
  if (parts.length !== 6 || parts[2] !== "sqs" || !account || !name) throw new Error(`not an SQS queue ARN: ${arn}`);
  const url = new URL(sourceQueueUrl);
  url.pathname = `/${account}/${name}`;
  return url.toString();
}

/** Puts a message that can never succeed into the dead-letter queue, with why, as message attributes. */
export async function sendToDeadLetterQueue(
  sqs: SQSClient,
  deadLetterQueueUrl: string,
  sourceQueueUrl: string,
  message: Message,
  reason: string,
): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: deadLetterQueueUrl,
      MessageBody: message.Body && message.Body.length > 0 ? message.Body : "(empty body)",
      MessageAttributes: {
        "jobworker.reason": { DataType: "String", StringValue: reason.slice(0, 1000) },
        "jobworker.source-queue": { DataType: "String", StringValue: sourceQueueUrl },
        "jobworker.source-message-id": { DataType: "String", StringValue: message.MessageId ?? "unknown" },
      },
    }),
  );
}
