/**
 * One limit on AWS calls in flight, shared by every client the console holds: the overview's
 * collectors (services, tasks, alarms, instances, fleets, queues) run side by side, and a limit per
 * collector let 8 calls fly at once where 4 were promised. The limit wraps each call with its SDK
 * retries, so a throttled call backs off while holding its slot instead of letting another in.
 */

/** Calls in flight at once across all the console's AWS clients (docs/console.md). */
export const AWS_CALLS_IN_FLIGHT = 4;

export class CallLimiter {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  /** Calls started since construction (or `resetStats`). */
  calls = 0;
  /** The most calls that were in flight at once since construction (or `resetStats`). */
  maxInFlight = 0;

  constructor(readonly limit: number = AWS_CALLS_IN_FLIGHT) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`the AWS call limit must be a positive integer, got ${limit}`);
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
    this.calls++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return await call();
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }

  resetStats(): void {
    this.calls = 0;
    this.maxInFlight = this.inFlight;
  }
}

/** What the limiter needs of an SDK v3 client: its middleware stack. */
interface WithMiddleware {
  readonly middlewareStack: {
    add(
      middleware: (next: (args: never) => Promise<unknown>) => (args: never) => Promise<unknown>,
      options: { step: "initialize"; name: string },
    ): void;
  };
}

/** Routes every call of `client` through `limiter` (the SDK's first middleware step, so retries stay inside the slot). */
export function limitCalls(client: WithMiddleware, limiter: CallLimiter): void {
  client.middlewareStack.add((next) => (args) => limiter.run(() => next(args)), { step: "initialize", name: "jobworkerConsoleCallLimit" });
}
