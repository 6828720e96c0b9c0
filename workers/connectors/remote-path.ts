/**
 * Remote file names for FTP and SFTP, built from delivery names (which come from S3 keys, i.e. from
 * whoever uploaded the input). A name becomes ONE file name inside the configured directory: path
 * separators become `_`, control characters go, `.`/`..` segments and leading dots are dropped, so a
 * key can neither climb out of the directory nor pose as a hidden temporary file.
 */
import { randomBytes } from "node:crypto";
import { posix } from "node:path";
import { PermanentError } from "../errors";

/** Longest file name most servers accept (ext4, NTFS), bytes. */
const MAX_NAME_BYTES = 255;
/** The suffix and random part a temporary name adds. */
const TEMP_OVERHEAD = 1 + 1 + 12 + 5; // "." + "." + 12 hex + ".part"

export function sanitizeRemoteName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = name.replace(/[\x00-\x1f\x7f]/g, "");
  const segments = cleaned
    .split(/[/\\]+/)
    .filter((s) => s !== "" && s !== "." && s !== "..")
    .map((s) => s.replace(/^\.+/, ""))
    .filter((s) => s !== "");
  let result = segments.join("_");
  while (Buffer.byteLength(result) > MAX_NAME_BYTES - TEMP_OVERHEAD) result = result.slice(1);
  if (result === "")
    throw new PermanentError(`delivery name ${JSON.stringify(name)} leaves no usable remote file name`, { context: { name } });
  return result;
}

/** The final and the temporary path of one delivery; the temporary one is hidden and unique. */
export function remotePaths(directory: string, name: string): { final: string; temp: string } {
  const file = sanitizeRemoteName(name);
  return {
    final: posix.join(directory, file),
    temp: posix.join(directory, `.${file}.${randomBytes(6).toString("hex")}.part`),
  };
}
