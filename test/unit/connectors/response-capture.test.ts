import assert from "node:assert/strict";
import { CAPTURED_CHARS, captureFrom, jsonPointer } from "../../../workers/connectors/response-capture";

describe("response capture", () => {
  const doc = { receipt: { id: "R-1", "a/b": { "m~n": 7 } }, items: [{ id: 3 }] };
  const pointers: Array<[string, unknown]> = [
    ["/receipt/id", "R-1"],
    ["/receipt/a~1b/m~0n", 7],
    ["/items/0/id", 3],
    ["/items/1/id", undefined],
    ["/missing", undefined],
  ];
  for (const [pointer, expected] of pointers) {
    it(`follows the JSON pointer ${pointer} (RFC 6901)`, () => assert.deepEqual(jsonPointer(doc, pointer), expected));
  }

  const captures: Array<[string, string, Parameters<typeof captureFrom>[1], string | undefined]> = [
    ["a string by pointer", '{"id":"abc"}', { jsonPointer: "/id" }, "abc"],
    ["a number by pointer, as text", '{"id":42}', { jsonPointer: "/id" }, "42"],
    ["nothing from a body that is not JSON", "<xml/>", { jsonPointer: "/id" }, undefined],
    ["a pattern's first group", "Receipt: R-9 ok", { pattern: "Receipt: (\\S+)" }, "R-9"],
    ["a pattern's whole match without a group", "Receipt: R-9 ok", { pattern: "R-\\d" }, "R-9"],
    ["nothing when the pattern does not match", "no", { pattern: "R-\\d" }, undefined],
  ];
  for (const [what, body, settings, expected] of captures) {
    it(`captures ${what}`, () => assert.equal(captureFrom(body, settings), expected));
  }

  it(`keeps at most ${CAPTURED_CHARS} characters`, () => {
    assert.equal(captureFrom(JSON.stringify({ id: "x".repeat(1000) }), { jsonPointer: "/id" })?.length, CAPTURED_CHARS);
  });
});
