import assert from "node:assert/strict";
import { Batcher, isExpiredHandle } from "../../../workers/runtime/sqs-batcher";

describe("SQS batcher (per-entry outcomes)", () => {
  it("sends at most 10 entries per batch and resolves each caller with its own outcome", async () => {
    const batches: string[][] = [];
    const batcher = new Batcher<string>(async (entries) => {
      batches.push([...entries]);
      // The batch API answers 200 with some entries in `Failed`.
      return entries.flatMap((e, index) =>
        e.startsWith("bad") ? [{ index, code: "ReceiptHandleIsInvalid", message: "The input receipt handle is invalid." }] : [],
      );
    }, 5);
    const handles = Array.from({ length: 12 }, (_, i) => (i % 5 === 0 ? `bad-${i}` : `ok-${i}`));
    const outcomes = await Promise.all(handles.map((h) => batcher.add(h)));
    assert.deepEqual(
      batches.map((b) => b.length),
      [10, 2],
    );
    outcomes.forEach((o, i) => {
      if (handles[i]!.startsWith("bad"))
        assert.deepEqual(o, {
          ok: false,
          code: "ReceiptHandleIsInvalid",
          message: "The input receipt handle is invalid.",
          handleExpired: true,
        });
      else assert.deepEqual(o, { ok: true });
    });
  });

  it("fails every entry of a batch whose request failed, without throwing", async () => {
    const batcher = new Batcher<string>(async () => {
      throw Object.assign(new Error("Service Unavailable"), { name: "ServiceUnavailable" });
    }, 1);
    const outcomes = await Promise.all([batcher.add("a"), batcher.add("b")]);
    assert.deepEqual(outcomes, [
      { ok: false, code: "ServiceUnavailable", message: "Service Unavailable", handleExpired: false },
      { ok: false, code: "ServiceUnavailable", message: "Service Unavailable", handleExpired: false },
    ]);
  });

  it("flush sends what is waiting at once", async () => {
    let sent = 0;
    const batcher = new Batcher<string>(async (entries) => {
      sent += entries.length;
      return [];
    }, 60_000);
    const pending = batcher.add("x");
    await batcher.flush();
    assert.equal(sent, 1);
    assert.deepEqual(await pending, { ok: true });
  });

  const codes: Array<[string, string, boolean]> = [
    ["ReceiptHandleIsInvalid", "", true],
    ["AWS.SimpleQueueService.MessageNotInflight", "", true],
    ["InvalidParameterValue", "Value x for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.", true],
    ["InvalidParameterValue", "VisibilityTimeout too large", false],
    ["InternalError", "", false],
  ];
  for (const [code, message, expired] of codes) {
    it(`treats ${code}${message ? ` ("${message.slice(0, 30)}…")` : ""} as ${expired ? "an expired handle" : "another failure"}`, () => {
      assert.equal(isExpiredHandle(code, message), expired);
    });
  }
});
