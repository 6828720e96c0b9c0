import assert from "node:assert/strict";
import { goneReason } from "../../../workers/runtime/object-input";

/** Errors shaped as the AWS SDK v3 raises them for GetObject (name = S3 error code, HTTP status in $metadata). */
const s3Error = (name: string, httpStatusCode: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode } });

describe("which GetObject errors mean the input is gone", () => {
  const cases: Array<[string, unknown, ReturnType<typeof goneReason>]> = [
    ["NoSuchKey (deleted since the event)", s3Error("NoSuchKey", 404), "no-such-key"],
    ["NoSuchVersion (that version deleted)", s3Error("NoSuchVersion", 404), "no-such-key"],
    ["PreconditionFailed (replaced since the event)", s3Error("PreconditionFailed", 412), "superseded"],
    ["NoSuchBucket (a misrouted event or a wrong endpoint): a failure", s3Error("NoSuchBucket", 404), undefined],
    ["AccessDenied (a missing grant): a failure", s3Error("AccessDenied", 403), undefined],
    ["a 404 of another name: a failure", s3Error("NotFound", 404), undefined],
    ["a connection reset: a failure", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), undefined],
  ];
  for (const [what, err, expected] of cases) {
    it(`${what} → ${String(expected)}`, () => assert.equal(goneReason(err), expected));
  }
});
