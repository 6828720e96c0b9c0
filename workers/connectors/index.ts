/**
 * Delivery connectors: one per binding type of `catalog/bindings.ts`, all behind the `Connector`
 * interface. `createConnector` validates the binding and resolves its secrets once, at worker start.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { Logger } from "pino";
import { secretFieldsOf, type ResolvedOutputBinding } from "../../catalog/bindings";
import { ConfigError } from "../errors";
import type { SecretResolver } from "../secrets/resolver";
import type { RetryPolicy } from "./retry";
import { createFtpConnector } from "./ftp";
import { checkHeaderSecret } from "./header-secret";
import { loadProtobufEncoder } from "./protobuf";
import { createRestConnector } from "./rest";
import { createS3Connector } from "./s3";
import { createSftpConnector } from "./sftp";
import type { Connector } from "./types";
import { validateBinding } from "./validation";

export interface ConnectorDeps {
  /** Client for `s3` bindings (and the runtime's own S3 access). */
  readonly s3: S3Client;
  readonly logger: Logger;
  /** Resolves `*Secret` references of the binding, once, here. */
  readonly secrets: SecretResolver;
  /** Retry policy override (tests shorten it). @default DEFAULT_RETRY_POLICY */
  readonly retry?: Partial<RetryPolicy>;
  /** Where the binding came from, for error messages (the runtime: `JOBWORKER_OUTPUTS.<slot>`). @default "binding" */
  readonly field?: string;
}

/**
 * Resolves every secret field of a binding (the fields the schema marks as secrets, the same ones the
 * task role is granted), once; by field name.
 */
async function resolveSecrets(binding: ResolvedOutputBinding, secrets: SecretResolver): Promise<Readonly<Record<string, string>>> {
  const fields = binding as unknown as Readonly<Record<string, unknown>>;
  const resolved: Record<string, string> = {};
  for (const field of secretFieldsOf(binding.type)) {
    const ref = fields[field];
    if (typeof ref === "string") resolved[field] = await secrets.resolve(ref);
  }
  return resolved;
}

/** Validates the binding, resolves its secrets and returns its connector; throws `ConfigError` on bad settings. */
export async function createConnector(given: ResolvedOutputBinding, deps: ConnectorDeps): Promise<Connector> {
  const field = deps.field ?? "binding";
  const binding = validateBinding(given, field);
  // The payload is encoded by the runtime; checking the schema here stops a bad one at start.
  if (binding.format !== undefined) await loadProtobufEncoder(binding.format, { field: `${field}.format` });
  const secret = await resolveSecrets(binding, deps.secrets);
  switch (binding.type) {
    case "s3":
      return createS3Connector(binding, deps);
    case "rest":
      // Sent as a header value: a line break in it is a configuration error, found now.
      if (binding.authSecret !== undefined) checkHeaderSecret("authSecret", binding.authSecret, secret.authSecret!);
      return createRestConnector(binding, { logger: deps.logger, retry: deps.retry, authValue: secret.authSecret });
    case "sftp":
      return createSftpConnector(binding, {
        logger: deps.logger,
        retry: deps.retry,
        password: secret.passwordSecret,
        privateKey: secret.privateKeySecret,
      });
    case "ftp":
      return createFtpConnector(binding, {
        logger: deps.logger,
        retry: deps.retry,
        password: secret.passwordSecret,
        tlsCa: secret.tlsCaSecret,
      });
    default:
      // Unreachable after validateBinding; kept so a new binding type fails loudly here.
      throw new ConfigError(`connector \`${(binding as { type?: string }).type}\` does not exist`, { context: { field: "type" } });
  }
}

export type { Connector, Delivery, DeliveryResult } from "./types";
export { DEFAULT_RETRY_POLICY, withRetry, RetriesExhaustedError, type RetryPolicy } from "./retry";
export { validateBinding } from "./validation";
export { createS3Connector, s3Key, S3_PART_SIZE } from "./s3";
export { uploadFile, S3_FILE_PART_SIZE, S3_FILE_PARTS_IN_FLIGHT } from "./s3-file-upload";
export { createRestConnector, parseRetryAfter, classifyResponse, REST_DEFAULTS } from "./rest";
export { loadProtobufEncoder, SCHEMAS_DIR, type ProtobufEncoder } from "./protobuf";
export { createSftpConnector, hostKeyFingerprint, SFTP_DEFAULTS } from "./sftp";
export { sanitizeRemoteName, remotePaths } from "./remote-path";
export { createFtpConnector, classifyFtpError, FTP_DEFAULTS } from "./ftp";
