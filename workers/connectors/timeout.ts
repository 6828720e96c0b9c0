/**
 * A per-request deadline held by a timer this code owns and clears. `AbortSignal.timeout()` inside
 * `AbortSignal.any()` is not enough: the combined signal holds its sources weakly, and after a garbage
 * collection the timeout's abort can be lost (issue 13, item 2), leaving a request that never gets an
 * answer pending forever. A `setTimeout` is held by the timer list until it fires or is cleared.
 */

/** Why a deadline's signal aborted: the time ran out (not the parent signal). */
export class DeadlineExceededError extends Error {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = "DeadlineExceededError";
    this.timeoutMs = timeoutMs;
  }
}

export interface Deadline {
  /** Aborts when `parent` aborts (with its reason) or when the time runs out (`DeadlineExceededError`). */
  readonly signal: AbortSignal;
  /** True once the time ran out (and the parent had not aborted first). */
  readonly timedOut: boolean;
  /** Clears the timer and the parent listener; call it in `finally`. Idempotent. */
  clear(): void;
}

/** A signal that follows `parent` and also aborts `timeoutMs` after the call. */
export function deadline(parent: AbortSignal, timeoutMs: number): Deadline {
  const controller = new AbortController();
  let timedOut = false;
  const onParentAbort = () => {
    clearTimeout(timer);
    controller.abort(parent.reason);
  };
  const timer = setTimeout(() => {
    parent.removeEventListener("abort", onParentAbort);
    timedOut = true;
    controller.abort(new DeadlineExceededError(timeoutMs));
  }, timeoutMs);
  if (parent.aborted) onParentAbort();
  else parent.addEventListener("abort", onParentAbort, { once: true });
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    clear() {
      clearTimeout(timer);
      parent.removeEventListener("abort", onParentAbort);
    },
  };
}
