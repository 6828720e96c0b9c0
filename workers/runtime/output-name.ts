/**
 * Idempotent output names. A job's output name is derived from its input (bucket, key, and the
 * version id or else the ETag), so a redelivered message writes the same object again rather than a
 * second one, and a new version of the input gets a new name.
 */
import { createHash } from "node:crypto";

export interface InputIdentity {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly eTag?: string;
}

/** Hex SHA-256 of the input's identity. */
export function inputDigest(input: InputIdentity): string {
  const version = input.versionId !== undefined ? `v:${input.versionId}` : `e:${(input.eTag ?? "").replace(/"/g, "")}`;
  return createHash("sha256").update(`${input.bucket}\n${input.key}\n${version}`).digest("hex");
}

/** One path segment made safe for every target: no control characters, separators or dot-only names. */
function safeSegment(segment: string): string {
  const cleaned = segment
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .replace(/[\\:*?"<>|]/g, "_")
    .trim();
  return cleaned.replace(/^\.+$/, "").slice(0, 120);
}

/**
 * `dir/of/key/<stem>.<16 hex of the digest><extension>`: the key's folders are kept (sanitised), its
 * last extension is replaced by `extension`.
 */
export function outputName(input: InputIdentity, extension = ""): string {
  const segments = input.key
    .split("/")
    .map(safeSegment)
    .filter((s) => s !== "");
  const file = segments.pop() ?? "object";
  const dot = file.lastIndexOf(".");
  const stem = dot > 0 ? file.slice(0, dot) : file;
  const digest = inputDigest(input).slice(0, 16);
  return [...segments, `${stem}.${digest}${extension}`].join("/");
}

/** Stable across retries and redeliveries of the same input, distinct per slot (REST sends it as `Idempotency-Key`). */
export function idempotencyKey(input: InputIdentity, slot: string): string {
  return createHash("sha256")
    .update(`${inputDigest(input)}\n${slot}`)
    .digest("hex")
    .slice(0, 32);
}
