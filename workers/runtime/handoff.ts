/**
 * Handing a message back without charging a receive. A message whose job stopped for a reason that is
 * not the job's (SIGTERM from a drain, a Spot interruption, a deploy, scale-in) must not use one of the
 * queue's `maxReceiveCount` receives: releasing it (`ChangeMessageVisibility` 0) keeps its
 * `ApproximateReceiveCount`, so a bad Spot day would send healthy jobs to the dead-letter queue. The
 * runtime instead sends a copy (same body, same message attributes, plus a hand-off counter) and then
 * deletes the original: the copy starts at receive count 0. Outputs are idempotent, so a job that ran
 * part-way and runs again is harmless.
 *
 * The counter bounds the loop: past `maxHandoffs` hand-offs the message is released normally, so a job
 * that somehow always coincides with a shutdown still reaches the dead-letter queue eventually.
 *
 * Not for FIFO queues: a copy would need the original's `MessageGroupId` and would lose its place in
 * the group. S3 event notifications cannot target FIFO queues, so the runtime never sees one; a FIFO
 * queue URL (`.fifo`) falls back to a normal release.
 */
import type { Message, MessageAttributeValue, SendMessageCommandInput } from "@aws-sdk/client-sqs";

/** Message attribute holding how many times a message was handed back; absent on the first delivery. */
export const HANDOFF_ATTRIBUTE = "jobworker-handoffs";

/** SQS allows at most 10 message attributes per message. */
const MAX_MESSAGE_ATTRIBUTES = 10;

/** How many times the message was handed back before this delivery (0 when never). */
export function handoffCount(message: Message): number {
  const raw = message.MessageAttributes?.[HANDOFF_ATTRIBUTE]?.StringValue;
  const n = Number(raw);
  return raw !== undefined && Number.isInteger(n) && n >= 0 ? n : 0;
}

export type HandoffPlan =
  | { readonly kind: "copy"; readonly input: SendMessageCommandInput; readonly handoffs: number }
  /** Why a copy cannot be made; the caller releases the message normally instead. */
  | { readonly kind: "release"; readonly why: string };

/**
 * The `SendMessage` input of the copy that hands `message` back to `queueUrl`, or why it cannot be
 * made. Pure: the caller sends it, then deletes the original.
 */
export function planHandoff(message: Message, queueUrl: string, maxHandoffs: number): HandoffPlan {
  const previous = handoffCount(message);
  if (previous >= maxHandoffs) {
    return { kind: "release", why: `handed back ${previous} times already (JOBWORKER_MAX_HANDOFFS is ${maxHandoffs})` };
  }
  if (queueUrl.endsWith(".fifo")) return { kind: "release", why: "a FIFO queue keeps order per message group; a copy would lose it" };
  if (message.Body === undefined || message.Body === "") return { kind: "release", why: "the message has no body to copy" };
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    if (name === HANDOFF_ATTRIBUTE) continue;
    // SendMessage accepts String, Number and Binary values; the list forms are reserved by SQS.
    attributes[name] = { DataType: value.DataType, StringValue: value.StringValue, BinaryValue: value.BinaryValue };
  }
  if (Object.keys(attributes).length >= MAX_MESSAGE_ATTRIBUTES) {
    return { kind: "release", why: `the message already carries ${MAX_MESSAGE_ATTRIBUTES} attributes, the most SQS allows` };
  }
  const handoffs = previous + 1;
  attributes[HANDOFF_ATTRIBUTE] = { DataType: "Number", StringValue: String(handoffs) };
  return { kind: "copy", handoffs, input: { QueueUrl: queueUrl, MessageBody: message.Body, MessageAttributes: attributes } };
}
