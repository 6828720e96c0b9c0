/**
 * The one place AWS clients are built for a worker process. They take the standard SDK settings
 * from the environment (region, credentials, `AWS_ENDPOINT_URL`), so the same binary runs on AWS
 * and against an emulator. Transient errors (throttling, 5xx, connection resets, timeouts) are
 * retried by the SDK's own "standard" retry strategy: exponential backoff with full jitter, bounded
 * by `maxAttempts` (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html).
 */
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { Logger } from "pino";

export interface AwsClients {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  /** For `ssm:` secret references of output bindings. */
  readonly ssm: SSMClient;
  /** For `secretsmanager:` secret references of output bindings. */
  readonly secretsManager: SecretsManagerClient;
}

export interface AwsClientOptions {
  /** Attempts per request, first try included. @default 6 */
  readonly maxAttempts?: number;
  /** Sockets per client; enough for every job's GetObject and output upload at once. @default 50 */
  readonly maxSockets?: number;
  /** Receives the SDK's own warnings and errors as JSON log lines (they go to the console otherwise). */
  readonly logger?: Logger;
  /** Overrides for tests (endpoint, credentials); normally the SDK reads the environment. */
  readonly overrides?: Record<string, unknown>;
}

export const DEFAULT_MAX_ATTEMPTS = 6;

/**
 * The SDK's logger interface, fed to pino. The SDK logs every request at `info` once any logger is
 * set (a line per call: dropped), and every request's final failure at `error` as an object (the
 * runtime logs each failure itself, with the job's context, so these go to `debug`). Its warnings
 * stay warnings, except the one the S3 connector answers by retrying itself.
 */
export function sdkLogger(logger: Logger): {
  debug(): void;
  info(): void;
  warn(...content: unknown[]): void;
  error(...content: unknown[]): void;
} {
  const log = logger.child({ source: "aws-sdk" });
  // The SDK's per-request objects carry the command's input, whose `Body` may be a stream with
  // buffered payload bytes: never log it.
  const withoutInput = (x: unknown): unknown => {
    if (x === null || typeof x !== "object" || !("input" in x)) return x;
    const { input: _input, ...rest } = x as Record<string, unknown>;
    return rest;
  };
  const line = (content: unknown[]): [{ detail?: unknown }, string] =>
    typeof content[0] === "string"
      ? [{ detail: content.length > 1 ? content.slice(1).map(withoutInput) : undefined }, content[0]]
      : [{ detail: content.length > 1 ? content.map(withoutInput) : withoutInput(content[0]) }, "AWS SDK message"];
  return {
    debug() {},
    info() {},
    // The SDK warns that it does not retry a request whose body is a stream; the S3 connector
    // retries those itself with a fresh stream, so that warning is noise at warn level.
    warn: (...content) =>
      /non-retryable streaming request/.test(String(content[0])) ? log.debug(...line(content)) : log.warn(...line(content)),
    error: (...content) => log.debug(...line(content)),
  };
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const maxSockets = options.maxSockets ?? 50;
  // The SDK accepts the Node HTTP handler's options as a plain object.
  const requestHandler = () => ({
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    connectionTimeout: 5_000,
  });
  // The SDK reads AWS_ENDPOINT_URL itself; path-style addressing is what emulators on loopback need.
  const forcePathStyle = process.env.AWS_S3_FORCE_PATH_STYLE === "true";
  const common = {
    maxAttempts,
    retryMode: "standard",
    ...(options.logger !== undefined ? { logger: sdkLogger(options.logger) } : {}),
    ...options.overrides,
  };
  return {
    s3: new S3Client({ forcePathStyle, requestHandler: requestHandler(), ...common }),
    sqs: new SQSClient({ requestHandler: requestHandler(), ...common }),
    ssm: new SSMClient(common),
    secretsManager: new SecretsManagerClient(common),
  };
}
