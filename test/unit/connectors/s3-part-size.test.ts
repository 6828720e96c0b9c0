import assert from "node:assert/strict";
import { multipartPartSize, S3_PART_SIZE } from "../../../workers/connectors/s3";
import { S3_FILE_PART_SIZE } from "../../../workers/connectors/s3-file-upload";

describe("S3 multipart part size", () => {
  const MiB = 1024 * 1024;
  const cases: [string, number | undefined, number][] = [
    ["unknown size: S3's 5 MiB minimum", undefined, S3_PART_SIZE],
    ["1 GiB: 5 MiB (205 parts)", 1024 * MiB, 5 * MiB],
    ["exactly 10,000 × 5 MiB: still 5 MiB", 10_000 * 5 * MiB, 5 * MiB],
    ["100 GiB: raised to fit 10,000 parts", 100 * 1024 * MiB, Math.ceil((100 * 1024 * MiB) / 10_000)],
  ];
  for (const [title, size, expected] of cases) {
    it(title, () => {
      const part = multipartPartSize(size);
      assert.equal(part, expected);
      if (size !== undefined) assert.ok(Math.ceil(size / part) <= 10_000);
    });
  }
});

describe("S3 multipart part size of payloads on disk", () => {
  const MiB = 1024 * 1024;
  it("is 8 MiB up to 10,000 parts (78 GiB)", () => {
    assert.equal(S3_FILE_PART_SIZE, 8 * MiB);
    assert.equal(multipartPartSize(1024 * MiB, S3_FILE_PART_SIZE), 8 * MiB);
    assert.equal(multipartPartSize(10_000 * 8 * MiB, S3_FILE_PART_SIZE), 8 * MiB);
  });
  it("grows past 78 GiB so the upload stays within 10,000 parts", () => {
    const size = 200 * 1024 * MiB;
    const part = multipartPartSize(size, S3_FILE_PART_SIZE);
    assert.ok(part > 8 * MiB);
    assert.equal(Math.ceil(size / part), 10_000);
  });
});
