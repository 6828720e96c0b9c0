import assert from "node:assert/strict";
import { backoffDelayMs, DEFAULT_RETRY_POLICY, RetriesExhaustedError, withRetry } from "../../../workers/connectors/retry";
import { ConfigError, PermanentError, RetryableError } from "../../../workers/errors";

describe("connectors/retry", () => {
  describe("backoffDelayMs", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };
    const cases: Array<[string, number, RetryableError, () => number, number]> = [
      ["full jitter: the top of the first window is base", 1, new RetryableError("x"), () => 0.999999, 99],
      ["doubles per attempt", 3, new RetryableError("x"), () => 0.5, 200],
      ["is capped at maxDelayMs", 10, new RetryableError("x"), () => 0.999999, 999],
      ["can be zero (full jitter)", 4, new RetryableError("x"), () => 0, 0],
      ["honours retryAfterMs exactly, without jitter", 1, new RetryableError("x", { retryAfterMs: 2500 }), () => 0, 2500],
      ["caps retryAfterMs at maxRetryAfterMs", 1, new RetryableError("x", { retryAfterMs: 60_000 }), () => 0, 5000],
    ];
    for (const [title, attempt, err, random, expected] of cases) {
      it(title, () => assert.equal(backoffDelayMs(attempt, err, policy, random), expected));
    }
  });

  it("retries RetryableError until success and reports the attempts", async () => {
    let calls = 0;
    const outcome = await withRetry(
      async (attempt) => {
        calls++;
        if (attempt < 3) throw new RetryableError(`fail ${attempt}`);
        return "done";
      },
      { policy: { baseDelayMs: 1, maxDelayMs: 2 } },
    );
    assert.deepEqual(outcome, { value: "done", attempts: 3 });
    assert.equal(calls, 3);
  });

  for (const err of [new PermanentError("401"), new ConfigError("bad"), new TypeError("bug")]) {
    it(`does not retry ${err.name}`, async () => {
      let calls = 0;
      await assert.rejects(
        withRetry(async () => {
          calls++;
          throw err;
        }),
        (e: unknown) => e === err,
      );
      assert.equal(calls, 1);
    });
  }

  it("passes on an inner loop's RetriesExhaustedError unwrapped when it gives up too", async () => {
    const inner = () =>
      withRetry(
        async () => {
          throw new RetryableError("slow down");
        },
        { policy: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 } },
      );
    const err = await withRetry(inner, { policy: { maxAttempts: 1 } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof RetriesExhaustedError);
    assert.equal(err.attempts, 3);
    assert.equal(err.message, "gave up after 3 attempts: slow down");
  });

  it("gives up after maxAttempts with RetriesExhaustedError carrying the last failure and the count", async () => {
    const retries: number[] = [];
    const err = await withRetry(
      async (attempt) => {
        throw new RetryableError(`boom ${attempt}`, { context: { target: "t" } });
      },
      { policy: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 1 }, onRetry: ({ attempt }) => retries.push(attempt) },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof RetriesExhaustedError);
    assert.ok(err instanceof RetryableError, "still retryable for the caller (the job is not lost)");
    assert.equal(err.attempts, 4);
    assert.equal(err.context.attempts, 4);
    assert.equal(err.context.target, "t");
    assert.match(err.message, /gave up after 4 attempts: boom 4/);
    assert.deepEqual(retries, [1, 2, 3]);
  });

  it("waits the server-requested delay, and an abort cuts the wait short", async () => {
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(new Error("shutdown")), 50);
    const err = await withRetry(
      async () => {
        throw new RetryableError("429", { retryAfterMs: 10_000 });
      },
      { signal: ac.signal },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof RetryableError);
    assert.equal((err as RetryableError).context.aborted, true);
    assert.ok(Date.now() - started < 2000, `aborted after ${Date.now() - started} ms`);
  });

  it("does not start an attempt once aborted", async () => {
    const ac = new AbortController();
    ac.abort();
    let calls = 0;
    await assert.rejects(
      withRetry(async () => void calls++, { signal: ac.signal }),
      RetryableError,
    );
    assert.equal(calls, 0);
  });
});
