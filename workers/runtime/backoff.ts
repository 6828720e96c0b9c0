/**
 * Bounded exponential backoff with full jitter (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/):
 * the delay for attempt n is uniform in [0, min(cap, base * 2^(n-1))]. `random` is injectable for tests.
 */
export interface BackoffOptions {
  /** First ceiling, milliseconds. */
  readonly baseMs: number;
  /** Largest ceiling, milliseconds. */
  readonly capMs: number;
  /** Returns [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** Ceiling for `attempt` (1-based), before jitter. */
export function backoffCeiling(attempt: number, { baseMs, capMs }: BackoffOptions): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  return Math.min(capMs, baseMs * 2 ** exponent);
}

/** Full-jitter delay for `attempt` (1-based). */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  return Math.floor(random() * backoffCeiling(attempt, options));
}

/**
 * The visibility timeout, in seconds, that releases a failed message: grows with the receive count so
 * a poison message is retried less and less often, at least `minSeconds`, never above SQS's 12 hours.
 */
export function releaseVisibilitySeconds(
  receiveCount: number,
  options: { baseSeconds: number; capSeconds: number; random?: () => number },
): number {
  const ceiling = backoffCeiling(receiveCount, { baseMs: options.baseSeconds * 1000, capMs: options.capSeconds * 1000 }) / 1000;
  const random = options.random ?? Math.random;
  // Half fixed, half jitter: a retry never comes back at once, and many failures do not come back together.
  const seconds = Math.round(ceiling / 2 + random() * (ceiling / 2));
  return Math.min(Math.max(seconds, 0), 43_200);
}

/** Sleeps `ms`, or less when `signal` aborts (resolves, never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
