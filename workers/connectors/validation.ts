/**
 * Validation of output bindings, as plain functions: each error names the field in backticks, the
 * value, and the fix. Run by `createConnector` before any connection is made.
 */
import type {
  FtpOutputBinding,
  ProtobufFormat,
  ResolvedOutputBinding,
  RestOutputBinding,
  S3OutputBinding,
  SftpOutputBinding,
} from "../../catalog/contract";
import { ConfigError } from "../errors";
import { parseSecretRef } from "../secrets/ref";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

function fail(path: string, value: unknown, fix: string): never {
  throw new ConfigError(`\`${path}\` is ${JSON.stringify(value)}: ${fix}`, { context: { field: path } });
}

function requireString(path: string, value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") fail(path, value, "set a non-empty string");
  return value;
}

function optionalSecret(path: string, value: unknown): void {
  if (value === undefined) return;
  parseSecretRef(requireString(path, value), path);
}

function port(path: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) fail(path, value, "use a TCP port, 1-65535");
}

function host(path: string, value: unknown): void {
  const h = requireString(path, value);
  if (/[\s/@:]/.test(h) && !/^\[[0-9a-fA-F:]+\]$/.test(h)) fail(path, value, "give a host name or IP address only, no scheme, port or path");
}

function remoteDirectory(path: string, value: unknown): void {
  const dir = requireString(path, value);
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(dir)) fail(path, value, "remove control characters");
  if (dir.split("/").includes("..")) fail(path, value, "remove `..` segments");
}

export function validateProtobufFormat(path: string, format: ProtobufFormat | undefined): void {
  if (format === undefined) return;
  if (format.type !== "protobuf") fail(`${path}.type`, format.type, 'the only format is "protobuf"');
  const schema = requireString(`${path}.schema`, format.schema);
  if (!schema.endsWith(".proto") || schema.startsWith("/") || schema.split("/").includes("..")) {
    fail(`${path}.schema`, schema, "name a `.proto` file relative to `workers/schemas/`, e.g. `partner/v1/record.proto`");
  }
  const type = requireString(`${path}.messageType`, format.messageType);
  if (!/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/.test(type)) fail(`${path}.messageType`, type, "use a fully qualified message type, e.g. `partner.v1.Record`");
  if (format.delimited !== undefined && typeof format.delimited !== "boolean") fail(`${path}.delimited`, format.delimited, "use true or false");
}

export function validateS3Binding(b: S3OutputBinding, path = "binding"): void {
  const bucket = requireString(`${path}.bucket`, b.bucket);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) fail(`${path}.bucket`, bucket, "use an S3 bucket name (3-63 lowercase letters, digits, `.`, `-`)");
  if (b.prefix !== undefined && (typeof b.prefix !== "string" || b.prefix.startsWith("/"))) fail(`${path}.prefix`, b.prefix, "use a key prefix without a leading `/`");
  if (b.kmsKeyId !== undefined) requireString(`${path}.kmsKeyId`, b.kmsKeyId);
  if (b.bucketOwnerFullControl !== undefined && typeof b.bucketOwnerFullControl !== "boolean") fail(`${path}.bucketOwnerFullControl`, b.bucketOwnerFullControl, "use true or false");
  validateProtobufFormat(`${path}.format`, b.format);
}

export function validateRestBinding(b: RestOutputBinding, path = "binding"): void {
  const raw = requireString(`${path}.url`, b.url);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    fail(`${path}.url`, raw, "use an absolute https URL");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname))) {
    fail(`${path}.url`, raw, "use https (plain http is allowed only for loopback test servers)");
  }
  if (url.username || url.password) fail(`${path}.url`, raw, "remove credentials from the URL; use `authSecret`");
  if (b.method !== undefined && b.method !== "POST" && b.method !== "PUT") fail(`${path}.method`, b.method, 'use "POST" or "PUT"');
  if (b.mode !== undefined && b.mode !== "payload" && b.mode !== "records") fail(`${path}.mode`, b.mode, 'use "payload" or "records"');
  if (b.authHeader !== undefined && !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(b.authHeader)) fail(`${path}.authHeader`, b.authHeader, "use an HTTP header name");
  optionalSecret(`${path}.authSecret`, b.authSecret);
  if (b.timeoutSeconds !== undefined && (typeof b.timeoutSeconds !== "number" || !(b.timeoutSeconds > 0) || b.timeoutSeconds > 900)) {
    fail(`${path}.timeoutSeconds`, b.timeoutSeconds, "use a number of seconds above 0 and at most 900");
  }
  if (b.batchSize !== undefined && (!Number.isInteger(b.batchSize) || b.batchSize < 1 || b.batchSize > 10_000)) {
    fail(`${path}.batchSize`, b.batchSize, "use an integer from 1 to 10000");
  }
  validateProtobufFormat(`${path}.format`, b.format);
}

/** `SHA256:<base64>` as `ssh-keygen -lf` prints it (43 base64 characters, no padding). */
export const HOST_KEY_SHA256 = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

export function validateSftpBinding(b: SftpOutputBinding, path = "binding"): void {
  host(`${path}.host`, b.host);
  port(`${path}.port`, b.port);
  requireString(`${path}.username`, b.username);
  if (typeof b.hostKeySha256 !== "string" || !HOST_KEY_SHA256.test(b.hostKeySha256)) {
    fail(`${path}.hostKeySha256`, b.hostKeySha256, "pin the server's host key as `SHA256:<base64>` (`ssh-keyscan -p PORT HOST | ssh-keygen -lf -`)");
  }
  if (b.passwordSecret === undefined && b.privateKeySecret === undefined) {
    fail(`${path}.passwordSecret`, undefined, "set `passwordSecret` or `privateKeySecret`");
  }
  optionalSecret(`${path}.passwordSecret`, b.passwordSecret);
  optionalSecret(`${path}.privateKeySecret`, b.privateKeySecret);
  remoteDirectory(`${path}.directory`, b.directory);
  validateProtobufFormat(`${path}.format`, b.format);
}

export function validateFtpBinding(b: FtpOutputBinding, path = "binding"): void {
  host(`${path}.host`, b.host);
  port(`${path}.port`, b.port);
  requireString(`${path}.username`, b.username);
  parseSecretRef(requireString(`${path}.passwordSecret`, b.passwordSecret), `${path}.passwordSecret`);
  remoteDirectory(`${path}.directory`, b.directory);
  if (b.secure !== undefined && typeof b.secure !== "boolean") fail(`${path}.secure`, b.secure, "use true (explicit TLS) or false");
  if (b.createDirectory !== undefined && typeof b.createDirectory !== "boolean") fail(`${path}.createDirectory`, b.createDirectory, "use true or false");
  optionalSecret(`${path}.tlsCaSecret`, b.tlsCaSecret);
  if (b.tlsCaSecret !== undefined && b.secure === false) fail(`${path}.tlsCaSecret`, b.tlsCaSecret, "remove it, or set `secure: true`");
  validateProtobufFormat(`${path}.format`, b.format);
}

/** Validates any resolved binding; `path` prefixes field names in errors (e.g. `outputs.partner`). */
export function validateBinding(binding: ResolvedOutputBinding, path = "binding"): void {
  if (binding === null || typeof binding !== "object") fail(path, binding, "give an output binding object");
  switch (binding.type) {
    case "s3":
      return validateS3Binding(binding, path);
    case "rest":
      return validateRestBinding(binding, path);
    case "sftp":
      return validateSftpBinding(binding, path);
    case "ftp":
      return validateFtpBinding(binding, path);
    default:
      fail(`${path}.type`, (binding as { type?: unknown }).type, 'use "s3", "rest", "sftp" or "ftp" ("worker" is resolved to "s3" by the program)');
  }
}
