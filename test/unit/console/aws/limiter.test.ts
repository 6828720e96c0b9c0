import assert from "node:assert/strict";
import { CallLimiter, limitCalls } from "../../../../console/aws/limiter";

/** A call that resolves when the test says so. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("console/aws/limiter", () => {
  it("keeps at most `limit` calls in flight and starts the waiting ones in order as slots free", async () => {
    const limiter = new CallLimiter(2);
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    const runs = gates.map((g, i) => limiter.run(async () => (started.push(i), await g.promise, i)));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [0, 1]);
    gates[1]?.resolve();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(started, [0, 1, 2]);
    for (const g of gates) g.resolve();
    assert.deepEqual(await Promise.all(runs), [0, 1, 2, 3, 4]);
    assert.deepEqual({ calls: limiter.calls, maxInFlight: limiter.maxInFlight }, { calls: 5, maxInFlight: 2 });
  });

  it("frees the slot of a call that fails", async () => {
    const limiter = new CallLimiter(1);
    await assert.rejects(
      limiter.run(async () => Promise.reject(new Error("throttled"))),
      /throttled/,
    );
    assert.equal(await limiter.run(async () => "next"), "next");
  });

  it("shares one limit across several clients' middleware stacks", async () => {
    const limiter = new CallLimiter(1);
    const stacks: ((args: never) => Promise<unknown>)[] = [];
    const gate = deferred();
    let inFlight = 0;
    let most = 0;
    const client = () => ({
      middlewareStack: {
        add: (m: (next: (args: never) => Promise<unknown>) => (args: never) => Promise<unknown>) =>
          stacks.push(m(async () => (inFlight++, (most = Math.max(most, inFlight)), await gate.promise, inFlight--))),
      },
    });
    limitCalls(client(), limiter);
    limitCalls(client(), limiter);
    const calls = stacks.map((send) => send(undefined as never));
    gate.resolve();
    await Promise.all(calls);
    assert.equal(most, 1);
  });

  it("refuses a limit that is not a positive integer", () => {
    assert.throws(() => new CallLimiter(0), /the AWS call limit must be a positive integer, got 0/);
  });
});
