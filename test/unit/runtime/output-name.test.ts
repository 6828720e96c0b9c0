import assert from "node:assert/strict";
import { idempotencyKey, inputDigest, outputName } from "../../../workers/runtime/output-name";

describe("idempotent output names", () => {
  const input = { bucket: "in", key: "acme/2026/feed.csv", eTag: "abc" };

  it("is the same for the same input, so a redelivery overwrites rather than duplicates", () => {
    assert.equal(outputName(input, ".ndjson"), outputName({ ...input }, ".ndjson"));
    assert.match(outputName(input, ".ndjson"), /^acme\/2026\/feed\.[0-9a-f]{16}\.ndjson$/);
  });

  const differs: Array<[string, typeof input & { versionId?: string }]> = [
    ["another ETag (the object was replaced)", { ...input, eTag: "def" }],
    ["another bucket", { ...input, bucket: "other" }],
    ["another key", { ...input, key: "acme/2026/feed2.csv" }],
    ["a version id", { ...input, versionId: "v1" }],
  ];
  for (const [what, other] of differs) {
    it(`differs for ${what}`, () => assert.notEqual(outputName(other), outputName(input)));
  }

  it("ignores ETag quotes and prefers the version id over the ETag", () => {
    assert.equal(inputDigest({ ...input, eTag: '"abc"' }), inputDigest(input));
    assert.equal(inputDigest({ ...input, versionId: "v1" }), inputDigest({ ...input, eTag: "zzz", versionId: "v1" }));
  });

  const unsafe: Array<[string, RegExp]> = [
    ["../../etc/passwd", /^etc\/passwd\.[0-9a-f]{16}$/],
    ["a/./b\u0000c.txt", /^a\/bc\.[0-9a-f]{16}$/],
    ["win:dows*name?.csv", /^win_dows_name_\.[0-9a-f]{16}$/],
    ["no-extension", /^no-extension\.[0-9a-f]{16}$/],
    [".hidden", /^\.hidden\.[0-9a-f]{16}$/],
  ];
  for (const [key, expected] of unsafe) {
    it(`sanitises key ${JSON.stringify(key)}`, () => assert.match(outputName({ bucket: "b", key }), expected));
  }

  it("gives each slot its own stable idempotency key", () => {
    assert.equal(idempotencyKey(input, "api"), idempotencyKey({ ...input }, "api"));
    assert.notEqual(idempotencyKey(input, "api"), idempotencyKey(input, "records"));
    assert.match(idempotencyKey(input, "api"), /^[0-9a-f]{32}$/);
  });
});
