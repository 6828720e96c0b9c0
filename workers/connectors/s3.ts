/**
 * S3 connector: writes each payload as one object, to the next stage's bucket or a partner's.
 * Payloads the runtime stages on disk (size known, byte ranges readable) go through `uploadFile`:
 * parts streamed from their file ranges, several at once, nothing buffered. Other payloads (a
 * handler's own stream through `ctx.connectors`) go through `@aws-sdk/lib-storage` `Upload`, which
 * buffers `queueSize × partSize`.
 */
import { Upload } from "@aws-sdk/lib-storage";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Logger } from "pino";
import type { S3OutputBinding } from "../../catalog/contract";
import { classifyAwsError } from "./aws-errors";
import type { RetryPolicy } from "./retry";
import { runDelivery } from "./run-delivery";
import { S3_FILE_PART_SIZE, uploadFile } from "./s3-file-upload";
import type { Connector, Delivery, DeliveryResult } from "./types";

/**
 * Part size of multipart uploads of streams, bytes: S3's minimum, 5 MiB (raised for payloads over
 * 48 GiB, so they stay within S3's 10,000 parts). Each part is a buffer in memory while it uploads.
 */
export const S3_PART_SIZE = 5 * 1024 * 1024;
/** S3's limit on the parts of one multipart upload. */
const S3_MAX_PARTS = 10_000;

/** The part size for a payload: `base`, raised so a payload of known size fits in 10,000 parts. */
export function multipartPartSize(size: number | undefined, base = S3_PART_SIZE): number {
  return Math.max(base, Math.ceil((size ?? 0) / S3_MAX_PARTS));
}
/**
 * Parts of a stream uploaded in parallel per delivery. Memory over throughput: a worker's memory is a
 * declared, enforced container limit. Measured with lib-storage on a 1 GiB identity copy (moto):
 * 8 MiB × 4 parts → 208 MiB peak RSS, 8 MiB × 2 → 190 MiB, 5 MiB × 2 → 147 MiB at 37 MiB/s,
 * 5 MiB × 1 → 128 MiB at 31 MiB/s. Files avoid the trade-off (`uploadFile`).
 */
export const S3_QUEUE_SIZE = 1;

export interface S3ConnectorDeps {
  readonly s3: S3Client;
  readonly logger: Logger;
  readonly retry?: Partial<RetryPolicy>;
  /** Override for tests of multipart behaviour (streams). @default S3_PART_SIZE */
  readonly partSize?: number;
  /** Override for tests of multipart behaviour (files). @default S3_FILE_PART_SIZE */
  readonly filePartSize?: number;
}

/** The object key for a delivery: the prefix, a `/` if the prefix lacks one, the name. */
export function s3Key(prefix: string | undefined, name: string): string {
  const p = prefix ?? "";
  return p === "" || p.endsWith("/") ? `${p}${name}` : `${p}/${name}`;
}

export function createS3Connector(binding: S3OutputBinding, deps: S3ConnectorDeps): Connector {
  const logger = deps.logger.child({ connector: "s3", bucket: binding.bucket });
  return {
    type: "s3",
    binding,
    async deliver(delivery: Delivery): Promise<DeliveryResult> {
      const key = s3Key(binding.prefix, delivery.name);
      const target = `s3://${binding.bucket}/${key}`;
      const params = {
        Bucket: binding.bucket,
        Key: key,
        ContentType: delivery.contentType ?? "application/octet-stream",
        ...(binding.kmsKeyId !== undefined ? { ServerSideEncryption: "aws:kms" as const, SSEKMSKeyId: binding.kmsKeyId } : {}),
        ...(binding.bucketOwnerFullControl ? { ACL: "bucket-owner-full-control" as const } : {}),
      };
      const { openRange, size } = delivery;
      if (openRange !== undefined && size !== undefined) {
        // uploadFile retries each request itself (and the SDK the ones without a body): one attempt
        // here, so a throttled delivery makes at most `maxAttempts` tries per request, not their product.
        return runDelivery({ connector: "s3", target, delivery, logger, retry: { ...deps.retry, maxAttempts: 1 } }, () =>
          uploadFile({
            s3: deps.s3,
            params,
            size,
            openRange,
            signal: delivery.signal,
            logger,
            retry: deps.retry,
            partSize: multipartPartSize(size, deps.filePartSize ?? S3_FILE_PART_SIZE),
          }),
        );
      }
      return runDelivery({ connector: "s3", target, delivery, logger, retry: deps.retry }, async ({ stream }) => {
        const upload = new Upload({
          client: deps.s3,
          queueSize: S3_QUEUE_SIZE,
          partSize: multipartPartSize(delivery.size, deps.partSize),
          // A failed multipart upload is aborted, so no orphaned parts accrue storage cost.
          leavePartsOnError: false,
          params: { ...params, Body: stream },
        });
        const onAbort = () => void upload.abort().catch((err: unknown) => logger.warn({ err, target }, "aborting upload failed"));
        delivery.signal.addEventListener("abort", onAbort, { once: true });
        try {
          await upload.done();
        } catch (err) {
          throw classifyAwsError(err, `upload to ${target} failed`, { target });
        } finally {
          delivery.signal.removeEventListener("abort", onAbort);
        }
      });
    },
    async close() {
      // The S3 client belongs to the caller.
    },
  };
}
