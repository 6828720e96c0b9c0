/**
 * The console's typed errors. `ActionRefusedError` is the read-only guard (HTTP 403);
 * `UsageError` is a bad flag (exit 2), `PreflightError` a smoke check that could not start (exit 2);
 * AWS failures keep the SDK error as `cause`. The console is a package of its own: it shares no code
 * with the workers' runtime, so it has its own base class.
 */
export type ErrorContext = Readonly<Record<string, string | number | boolean | undefined>>;

/** Every console error: `name` is the class, `cause` the underlying error, `context` the ids of what failed. */
export class ConsoleError extends Error {
  readonly context: ErrorContext;
  constructor(message: string, options: { cause?: unknown; context?: ErrorContext } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.context = options.context ?? {};
  }
}

/** A bad command-line flag or option: the message names the flag, the value and the fix. */
export class UsageError extends ConsoleError {}

/** An action asked of a console running read-only (403), or malformed / unconfirmed (400). */
export class ActionRefusedError extends ConsoleError {
  /** The HTTP status the server answers with. */
  readonly status: 400 | 403;
  constructor(message: string, status: 400 | 403, context: Record<string, string> = {}) {
    super(message, { context });
    this.status = status;
  }
}

/**
 * `jobworker smoke` could not start: the stack's resources are not where its outputs say (wrong
 * account or region, not deployed) or cannot be read. Nothing was uploaded; the CLI exits 2.
 */
export class PreflightError extends ConsoleError {}

/** A service, task or container instance that is not on the cluster (HTTP 404). */
export class NotFoundError extends ConsoleError {}

/** An AWS call made by an action failed; carries the SDK error as `cause`. */
export class ActionFailedError extends ConsoleError {}

/** The SDK's error name and whether AWS throttled us, for display. */
export function describeAwsError(err: unknown): { message: string; code?: string; throttled: boolean } {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const code = typeof e?.name === "string" ? e.name : undefined;
  const message = typeof e?.message === "string" && e.message ? e.message : String(err);
  const throttled = /throttl|TooManyRequests|RequestLimitExceeded|SlowDown/i.test(code ?? "") || e?.$metadata?.httpStatusCode === 429;
  return { message, code, throttled };
}
