/**
 * Parses an SQS message body sent by an S3 event notification
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
 *
 * - A body may carry several records; each becomes one job.
 * - Keys arrive URL-encoded the way HTML forms encode them: `+` is a space, `%xx` an escaped byte
 *   (UTF-8). A literal `+` in a key arrives as `%2B`.
 * - Configuring a notification makes S3 send one `s3:TestEvent` message; it is not a job.
 * - Keys ending in `/` are "folder" placeholders the console creates; they are not jobs.
 * - A body wrapped in an SNS envelope (S3 → SNS → SQS without raw delivery) is unwrapped.
 * Anything else is malformed: the caller sends it to the dead-letter queue with the reason.
 */
import { z } from "zod";

/** One object an event is about; the key is decoded. */
export interface S3ObjectEvent {
  readonly eventName: string;
  readonly eventTime?: string;
  readonly bucket: string;
  readonly key: string;
  readonly size?: number;
  readonly eTag?: string;
  readonly versionId?: string;
  readonly sequencer?: string;
}

export interface SkippedRecord {
  readonly bucket: string;
  readonly key: string;
  readonly eventName: string;
  readonly reason: "folder" | "not-object-created";
}

export type ParsedMessage =
  | { readonly kind: "test-event"; readonly bucket?: string }
  | { readonly kind: "records"; readonly records: readonly S3ObjectEvent[]; readonly skipped: readonly SkippedRecord[] }
  | { readonly kind: "malformed"; readonly reason: string };

const recordSchema = z.object({
  eventSource: z.literal("aws:s3").optional(),
  eventName: z.string().min(1),
  eventTime: z.string().optional(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      eTag: z.string().optional(),
      versionId: z.string().optional(),
      sequencer: z.string().optional(),
    }),
  }),
});

const recordsSchema = z.object({ Records: z.array(z.unknown()).min(1) });

/** Decodes an S3 event key: `+` is a space, then `%xx` escapes. Throws `URIError` on a bad escape. */
export function decodeS3Key(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, " "));
}

export function parseS3EventMessage(body: string | undefined): ParsedMessage {
  if (body === undefined || body.trim() === "") return { kind: "malformed", reason: "empty body" };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return { kind: "malformed", reason: `body is not JSON: ${(err as Error).message}` };
  }
  if (isObject(json) && json.Type === "Notification" && typeof json.Message === "string") {
    return parseS3EventMessage(json.Message);
  }
  if (isObject(json) && json.Event === "s3:TestEvent") {
    return { kind: "test-event", bucket: typeof json.Bucket === "string" ? json.Bucket : undefined };
  }
  const envelope = recordsSchema.safeParse(json);
  if (!envelope.success) return { kind: "malformed", reason: "not an S3 event notification: no `Records` array and not `s3:TestEvent`" };

  const records: S3ObjectEvent[] = [];
  const skipped: SkippedRecord[] = [];
  for (const [index, raw] of envelope.data.Records.entries()) {
    const parsed = recordSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { kind: "malformed", reason: `Records[${index}]: \`${issue?.path.join(".")}\` ${issue?.message}` };
    }
    const { eventName, eventTime, s3 } = parsed.data;
    let key: string;
    try {
      key = decodeS3Key(s3.object.key);
    } catch {
      return { kind: "malformed", reason: `Records[${index}]: key \`${s3.object.key}\` is not valid URL encoding` };
    }
    const bucket = s3.bucket.name;
    if (!eventName.startsWith("ObjectCreated:")) {
      skipped.push({ bucket, key, eventName, reason: "not-object-created" });
    } else if (key.endsWith("/")) {
      skipped.push({ bucket, key, eventName, reason: "folder" });
    } else {
      records.push({
        eventName,
        eventTime,
        bucket,
        key,
        size: s3.object.size,
        // S3 sends the ETag without quotes; keep it that way.
        eTag: s3.object.eTag?.replace(/"/g, ""),
        versionId: s3.object.versionId,
        sequencer: s3.object.sequencer,
      });
    }
  }
  return { kind: "records", records, skipped };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
