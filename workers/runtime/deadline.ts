/**
 * A deadline held by a timer this code owns. `AbortSignal.any([parent, AbortSignal.timeout(ms)])`
 * holds its timeout signal only weakly: on Node 20 a garbage collection while nothing else references
 * it drops the timeout, and the combined signal never fires (a hung request then waits forever). Here
 * the timer's closure holds the controller, so the deadline fires whatever the collector does, on any
 * Node version; `clear()` stops the timer and detaches from the parent, so nothing outlives the work.
 *
 * Shared by the runtime (the job deadline, `maxProcessingSeconds`) and the connectors (per-request
 * timeouts); it imports nothing, so either may use it.
 */

/** The reason a deadline aborts with: `signal.reason` is one of these when the time ran out. */
export class DeadlineError extends Error {
  constructor(
    message: string,
    readonly timeoutMs: number,
  ) {
    super(message);
    this.name = "DeadlineError";
  }
}

export interface Deadline {
  /** Aborts when `parent` aborts (with its reason) or after `ms` (with a `DeadlineError`). */
  readonly signal: AbortSignal;
  /** Stops the timer and detaches from the parent. Idempotent; call it in `finally`. */
  clear(): void;
}

/**
 * A signal that aborts `ms` milliseconds from now, or earlier when `parent` does. `reason` is the
 * `DeadlineError`'s message, e.g. "job deadline (maxProcessingSeconds 600) reached".
 */
export function withDeadline(parent: AbortSignal | undefined, ms: number, reason: string): Deadline {
  const controller = new AbortController();
  const onParentAbort = () => {
    clearTimeout(timer);
    controller.abort(parent?.reason);
  };
  const timer = setTimeout(() => {
    parent?.removeEventListener("abort", onParentAbort);
    controller.abort(new DeadlineError(reason, ms));
  }, ms);
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener("abort", onParentAbort, { once: true });
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onParentAbort);
    },
  };
}
