/**
 * Delivery connectors: one per binding type of `catalog/bindings.ts`, all behind the `Connector`
 * interface. `createConnector` validates the binding and resolves its secrets at worker start; the
 * connector reads them through the resolver's cache afterwards (`binding-secrets.ts`).
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type { Logger } from "pino";
import type { ResolvedOutputBinding } from "../../catalog/bindings";
import { ConfigError } from "../errors";
import type { SecretResolver } from "../secrets/resolver";
import { bindingSecrets } from "./binding-secrets";
import type { RetryPolicy } from "./retry";
import { createFtpConnector } from "./ftp";
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
  /** Resolves the binding's `*Secret` references: at start, then through its cache (TTL) and `refresh`. */
  readonly secrets: SecretResolver;
  /** Where REST reads `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Retry policy override (tests shorten it). @default DEFAULT_RETRY_POLICY */
  readonly retry?: Partial<RetryPolicy>;
}

/** Validates the binding, resolves its secrets and returns its connector; throws `ConfigError` on bad settings. */
export async function createConnector(given: ResolvedOutputBinding, deps: ConnectorDeps): Promise<Connector> {
  const binding = validateBinding(given);
  // The payload is encoded by the runtime; checking the schema here stops a bad one at start.
  if (binding.format !== undefined) await loadProtobufEncoder(binding.format, { field: "binding.format" });
  const secrets = await bindingSecrets(binding, deps.secrets);
  switch (binding.type) {
    case "s3":
      return createS3Connector(binding, deps);
    case "rest":
      return createRestConnector(binding, { logger: deps.logger, retry: deps.retry, secrets, env: deps.env });
    case "sftp":
      return createSftpConnector(binding, {
        logger: deps.logger,
        retry: deps.retry,
        secrets,
      });
    case "ftp":
      return createFtpConnector(binding, {
        logger: deps.logger,
        retry: deps.retry,
        secrets,
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
export { createSftpConnector, hostKeyFingerprint, pinnedHostKeys, SFTP_DEFAULTS } from "./sftp";
export { bindingSecrets, fixedSecrets, type BindingSecrets } from "./binding-secrets";
export { connectThroughProxy } from "./proxy";
export { sanitizeRemoteName, remotePaths } from "./remote-path";
export { createFtpConnector, classifyFtpError, FTP_DEFAULTS } from "./ftp";
