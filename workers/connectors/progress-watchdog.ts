/**
 * Calls `onIdle` once when a transfer's progress counter has not moved for `idleMs`: a peer that stops
 * reading while its TCP connection stays open (a silently dropping firewall) never fails a write, so
 * only the absence of progress shows the stall. The timer is owned here and cleared by `stop()`.
 */
export interface ProgressWatchdog {
  /** Stops watching; call it in `finally`. Idempotent. */
  stop(): void;
}

/** How often progress is sampled: a quarter of the idle limit, at most once a second. */
export function sampleIntervalMs(idleMs: number): number {
  return Math.max(10, Math.min(1_000, Math.floor(idleMs / 4)));
}

export function watchProgress(
  progress: () => number,
  idleMs: number,
  onIdle: () => void,
  now: () => number = () => performance.now(),
): ProgressWatchdog {
  let last = progress();
  let lastChange = now();
  const timer = setInterval(() => {
    const current = progress();
    if (current !== last) {
      last = current;
      lastChange = now();
      return;
    }
    if (now() - lastChange >= idleMs) {
      clearInterval(timer);
      onIdle();
    }
  }, sampleIntervalMs(idleMs));
  return { stop: () => clearInterval(timer) };
}
