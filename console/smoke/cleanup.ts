/**
 * After `jobworker smoke`: delete what it put, the sample (its own version when the bucket keeps
 * versions) and the output objects found for it. Failures are reported, not thrown: the verdict of
 * the check stands, and the operator gets the list of what is left.
 */
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { describeAwsError } from "../errors";
import type { CleanupReport } from "./events";

/** How long cleanup may take, independent of the check's own deadline (an interrupted check still cleans up). */
export const CLEANUP_TIMEOUT_MS = 30_000;

/** An `s3://bucket/key` URI split in two. */
function parseS3Uri(uri: string): { bucket: string; key: string } {
  const [bucket = "", ...key] = uri.slice("s3://".length).split("/");
  return { bucket, key: key.join("/") };
}

/**
 * Deletes the sample (`sample`, with the version id its upload returned) and the output objects found
 * for it (`outputs`: `s3://` URIs; each one's current version, so a versioned bucket keeps no copy).
 */
export async function cleanUp(
  s3: S3Client,
  sample: { bucket: string; key: string; versionId?: string } | undefined,
  outputs: readonly string[],
): Promise<CleanupReport> {
  const deleted: string[] = [];
  const errors: string[] = [];
  const signal = AbortSignal.timeout(CLEANUP_TIMEOUT_MS);
  const remove = async (bucket: string, key: string, versionId: () => Promise<string | undefined>) => {
    const uri = `s3://${bucket}/${key}`;
    try {
      const VersionId = await versionId();
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, ...(VersionId ? { VersionId } : {}) }), { abortSignal: signal });
      deleted.push(uri);
    } catch (err) {
      errors.push(`${uri}: ${describeAwsError(err).message}`);
    }
  };
  if (sample) await remove(sample.bucket, sample.key, async () => sample.versionId);
  for (const uri of outputs) {
    const { bucket, key } = parseS3Uri(uri);
    await remove(
      bucket,
      key,
      async () => (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal })).VersionId,
    );
  }
  return { deleted, errors };
}
