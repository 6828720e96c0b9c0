/**
 * Delivery connectors: one per binding type of `catalog/bindings.ts`, all behind the `Connector`
 * interface. `createConnector` validates the binding and resolves its secrets at worker start; the
 * connector reads them through the resolver's cache afterwards (`binding-secrets.ts`).
 */
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Logger } from "pino";
import { PGP_SECRET_FIELDS } from "../../catalog/binding-delivery";
import { secretFieldsOf, type ResolvedOutputBinding } from "../../catalog/bindings";
import { ConfigError } from "../errors";
import type { SecretResolver } from "../secrets/resolver";
import { bindingSecrets } from "./binding-secrets";
import type { RetryPolicy } from "./retry";
import { usesFileDelivery, withFileDelivery } from "./file-delivery";
import { createFtpConnector } from "./ftp";
import { checkHeaderSecret } from "./header-secret";
import { createPgpEncryptor } from "./pgp";
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
  /** Where the binding came from, for error messages (the runtime: `JOBWORKER_OUTPUTS.<slot>`). @default "binding" */
  readonly field?: string;
  /** Where packaged (compressed, encrypted) payloads and OpenPGP keyrings are kept. @default os.tmpdir() */
  readonly scratchDir?: string;
  /** Makes the OpenPGP keyring of a binding with `pgpPublicKeySecret`. @default createPgpEncryptor (GnuPG) */
  readonly pgp?: typeof createPgpEncryptor;
}

/**
 * Resolves the secret fields of a binding (the fields the schema marks as secrets, the same ones the
 * task role is granted), once; by field name. The transport's by default; the OpenPGP keys are
 * resolved by partner file delivery, which is the only code that needs them.
 */
async function resolveSecrets(
  binding: ResolvedOutputBinding,
  secrets: SecretResolver,
  which: (field: string) => boolean = (field) => !PGP_SECRET_FIELDS.includes(field),
): Promise<Readonly<Record<string, string>>> {
  const fields = binding as unknown as Readonly<Record<string, unknown>>;
  const resolved: Record<string, string> = {};
  for (const field of secretFieldsOf(binding.type).filter(which)) {
    const ref = fields[field];
    if (typeof ref === "string") resolved[field] = await secrets.resolve(ref);
  }
  return resolved;
}

/** Validates the binding, resolves its secrets and returns its connector; throws `ConfigError` on bad settings. */
export async function createConnector(given: ResolvedOutputBinding, deps: ConnectorDeps): Promise<Connector> {
  const transport = await createTransport(given, deps);
  const binding = transport.binding;
  if (binding.type === "rest" || !usesFileDelivery(binding)) return transport;
  // Partner file delivery (name template, compression, OpenPGP, sidecars, trigger) wraps the transport.
  try {
    const keys = await resolveSecrets(binding, deps.secrets, (field) => PGP_SECRET_FIELDS.includes(field));
    return await withPartnerFiles(transport, keys, deps);
  } catch (err) {
    await transport.close();
    throw err;
  }
}

/** `withFileDelivery` with the binding's OpenPGP keyring (closed with the connector). */
async function withPartnerFiles(transport: Connector, keys: Readonly<Record<string, string>>, deps: ConnectorDeps): Promise<Connector> {
  const binding = transport.binding as Exclude<ResolvedOutputBinding, { type: "rest" }>;
  const scratchDir = deps.scratchDir ?? tmpdir();
  const fieldPrefix = deps.field ?? "binding";
  await mkdir(scratchDir, { recursive: true });
  const pgp =
    keys.pgpPublicKeySecret === undefined
      ? undefined
      : await (deps.pgp ?? createPgpEncryptor)(
          {
            publicKey: keys.pgpPublicKeySecret,
            signingKey: keys.pgpSigningKeySecret,
            passphrase: keys.pgpPassphraseSecret,
            armor: binding.pgpArmor,
            fieldPrefix,
          },
          scratchDir,
        );
  const wrapped = withFileDelivery(transport, { scratchDir, pgp, fieldPrefix });
  return {
    ...wrapped,
    async close() {
      try {
        await wrapped.close();
      } finally {
        await pgp?.close();
      }
    },
  };
}

async function createTransport(given: ResolvedOutputBinding, deps: ConnectorDeps): Promise<Connector> {
  const field = deps.field ?? "binding";
  const binding = validateBinding(given, field);
  // The payload is encoded by the runtime; checking the schema here stops a bad one at start.
  if (binding.format !== undefined) await loadProtobufEncoder(binding.format, { field: `${field}.format` });
  // The transport's secrets; the OpenPGP keys are resolved by partner file delivery (below).
  const secrets = await bindingSecrets(
    binding,
    deps.secrets,
    (name) => !PGP_SECRET_FIELDS.includes(name),
    // Sent as a header value: a line break in it is a configuration error, found now.
    (name, ref, value) => {
      if (binding.type === "rest" && name === "authSecret") checkHeaderSecret(name, ref, value);
    },
  );
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
