/** Classifies AWS SDK v3 errors as retryable or permanent (the SDK has already retried its own way). */
import { PermanentError, RetryableError, type ErrorContext } from "../errors";

interface SdkErrorShape {
  name?: string;
  message?: string;
  $retryable?: unknown;
  $fault?: "client" | "server";
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING = new Set([
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "RequestTimeout",
  "RequestTimeTooSkewed",
  "InternalError",
  "ServiceUnavailable",
]);

export function classifyAwsError(err: unknown, what: string, context: ErrorContext): RetryableError | PermanentError {
  const e = (err ?? {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const message = `${what}: ${e.name ?? "Error"}: ${e.message ?? String(err)}`;
  const ctx = { ...context, status };
  const retryable =
    e.$retryable !== undefined ||
    e.$fault === "server" ||
    (status !== undefined && (status >= 500 || status === 408 || status === 429)) ||
    THROTTLING.has(e.name ?? "") ||
    // No HTTP status: the request never got an answer (reset, refused, timeout).
    status === undefined;
  return retryable ? new RetryableError(message, { cause: err, context: ctx }) : new PermanentError(message, { cause: err, context: ctx });
}
