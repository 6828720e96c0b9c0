import assert from "node:assert/strict";
import { deadline, DeadlineExceededError } from "../../../workers/connectors/timeout";
import { waitFor } from "../../support/wait";

describe("connector deadline (a timer owned and cleared)", () => {
  it("aborts with DeadlineExceededError when the time runs out, and says it timed out", async () => {
    const d = deadline(new AbortController().signal, 20);
    try {
      await waitFor("the deadline to abort", () => d.signal.aborted);
      assert.ok(d.timedOut);
      assert.ok(d.signal.reason instanceof DeadlineExceededError);
      assert.equal((d.signal.reason as DeadlineExceededError).timeoutMs, 20);
    } finally {
      d.clear();
    }
  });

  it("follows the parent's abort with its reason, not as a timeout", () => {
    const parent = new AbortController();
    const d = deadline(parent.signal, 60_000);
    const reason = new Error("shutdown");
    parent.abort(reason);
    assert.equal(d.signal.reason, reason);
    assert.equal(d.timedOut, false);
    d.clear();
  });

  it("starts aborted when the parent already is", () => {
    const parent = new AbortController();
    parent.abort(new Error("gone"));
    const d = deadline(parent.signal, 60_000);
    assert.ok(d.signal.aborted);
    d.clear();
  });

  it("never fires once cleared", async () => {
    const parent = new AbortController();
    const d = deadline(parent.signal, 10);
    d.clear();
    parent.abort();
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(d.signal.aborted, false);
    assert.equal(d.timedOut, false);
  });
});
