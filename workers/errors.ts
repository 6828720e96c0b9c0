/**
 * Typed errors shared by the runtime and the connectors. Each carries `name`, an optional `cause`
 * and the ids of what failed (`context`), so a log line says what broke and where.
 */
export type ErrorContext = Readonly<Record<string, string | number | boolean | undefined>>;

export class JobworkerError extends Error {
  readonly context: ErrorContext;
  constructor(message: string, options: { cause?: unknown; context?: ErrorContext } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.context = options.context ?? {};
  }
}

/** Bad settings or configuration: fix the named field; retrying does not help. */
export class ConfigError extends JobworkerError {}

/** A transient failure (throttling, 5xx, timeout, connection reset): retry with backoff. */
export class RetryableError extends JobworkerError {
  /** Server-requested delay (e.g. `Retry-After`), in milliseconds. */
  readonly retryAfterMs?: number;
  constructor(message: string, options: { cause?: unknown; context?: ErrorContext; retryAfterMs?: number } = {}) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A failure that retrying cannot fix (auth, 4xx, bad input, host key mismatch). */
export class PermanentError extends JobworkerError {}
