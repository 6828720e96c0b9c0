/**
 * The one retry loop every connector uses: bounded attempts, exponential backoff with full jitter
 * (the formula and the abortable sleep of `../runtime/backoff.ts`, which the queue loop uses too), a server-requested delay
 * (`RetryableError.retryAfterMs`, e.g. `Retry-After`) honoured up to a cap, and cancellation through
 * an `AbortSignal`. Only `RetryableError` is retried; anything else fails at once.
 */
import { RetryableError } from "../errors";
import { backoffDelay, sleep } from "../runtime/backoff";

export interface RetryPolicy {
  /** Attempts in total, the first included. @default 5 */
  readonly maxAttempts: number;
  /** Backoff before the second attempt, in ms; doubles each attempt. @default 250 */
  readonly baseDelayMs: number;
  /** Largest backoff between two attempts, in ms. @default 15000 */
  readonly maxDelayMs: number;
  /** Largest server-requested delay (`Retry-After`) honoured, in ms; longer requests wait this long. @default 60000 */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 60_000,
};

export interface RetryOptions {
  readonly policy?: Partial<RetryPolicy>;
  readonly signal?: AbortSignal;
  /** Uniform in [0, 1); injectable for tests. @default Math.random */
  readonly random?: () => number;
  /** Called before each wait, e.g. to log the retry. */
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: RetryableError }) => void;
}

export interface RetryOutcome<T> {
  readonly value: T;
  /** Attempts made, the successful one included. */
  readonly attempts: number;
}

/** Thrown when every attempt failed transiently; `cause` is the last failure. */
export class RetriesExhaustedError extends RetryableError {
  readonly attempts: number;
  constructor(attempts: number, last: RetryableError) {
    super(`gave up after ${attempts} attempts: ${last.message}`, {
      cause: last,
      context: { ...last.context, attempts },
    });
    this.attempts = attempts;
  }
}

/** The wait before attempt `attempt + 1` after a retryable failure of attempt `attempt` (1-based). */
export function backoffDelayMs(attempt: number, error: RetryableError, policy: RetryPolicy, random: () => number): number {
  if (error.retryAfterMs !== undefined && error.retryAfterMs >= 0) {
    return Math.min(error.retryAfterMs, policy.maxRetryAfterMs);
  }
  return backoffDelay(attempt, { baseMs: policy.baseDelayMs, capMs: policy.maxDelayMs, random });
}

/**
 * Runs `operation(attempt)` until it succeeds, throws a non-retryable error, or `maxAttempts` is
 * reached. An abort stops the loop between attempts and during a wait; the operation itself should
 * watch the same signal.
 */
export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<RetryOutcome<T>> {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
  const random = options.random ?? Math.random;
  const signal = options.signal;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal);
    try {
      return { value: await operation(attempt), attempts: attempt };
    } catch (err) {
      if (!(err instanceof RetryableError)) throw err;
      if (signal?.aborted) throw aborted(signal, err);
      // An inner loop that already gave up says so itself: not "gave up after 1 attempts: gave up after 5 …".
      if (attempt >= policy.maxAttempts) throw err instanceof RetriesExhaustedError ? err : new RetriesExhaustedError(attempt, err);
      const delayMs = backoffDelayMs(attempt, err, policy, random);
      options.onRetry?.({ attempt, delayMs, error: err });
      await sleep(delayMs, signal);
      if (signal?.aborted) throw aborted(signal, err);
    }
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw aborted(signal);
}

/** An aborted delivery did not happen: retryable, so the job's message is not deleted. */
function aborted(signal: AbortSignal | undefined, cause?: unknown): RetryableError {
  return new RetryableError("delivery aborted", { cause: signal?.reason ?? cause, context: { aborted: true } });
}
