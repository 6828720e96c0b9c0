import assert from "node:assert/strict";
import { classifyResponse, parseRetryAfter } from "../../../workers/connectors/rest";
import { PermanentError, RetryableError } from "../../../workers/errors";

describe("connectors/rest responses", () => {
  const now = Date.parse("2024-05-01T10:00:00Z");
  const retryAfter: Array<[string | null, number | undefined]> = [
    ["120", 120_000],
    ["0", 0],
    [" 3 ", 3000],
    ["Wed, 01 May 2024 10:00:30 GMT", 30_000],
    ["Wed, 01 May 2024 09:00:00 GMT", 0],
    ["soon", undefined],
    ["-5", undefined],
    ["", undefined],
    [null, undefined],
  ];
  for (const [value, expected] of retryAfter) {
    it(`parses Retry-After ${JSON.stringify(value)} as ${expected} ms`, () => assert.equal(parseRetryAfter(value, now), expected));
  }

  const statuses: Array<[number, string | null, typeof RetryableError | typeof PermanentError, number | undefined]> = [
    [500, null, RetryableError, undefined],
    [502, "5", RetryableError, undefined], // Retry-After counts only on 429 and 503
    [503, "5", RetryableError, 5000],
    [429, "2", RetryableError, 2000],
    [408, null, RetryableError, undefined],
    [400, null, PermanentError, undefined],
    [401, null, PermanentError, undefined],
    [403, null, PermanentError, undefined],
    [404, null, PermanentError, undefined],
    [409, null, PermanentError, undefined],
    [302, null, PermanentError, undefined],
  ];
  for (const [status, header, type, retryAfterMs] of statuses) {
    it(`classifies HTTP ${status} as ${type.name}`, () => {
      const err = classifyResponse(status, header, "detail", { target: "https://x/y" });
      assert.ok(err instanceof type, err.message);
      assert.equal((err as RetryableError).retryAfterMs, retryAfterMs);
      assert.equal((err as RetryableError).context.status, status);
      assert.match(err.message, new RegExp(`^HTTP ${status}: detail`));
    });
  }
});
