import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import { packageFile } from "../../../workers/connectors/packaging";

const CSV = "id,amount\n1,10\n2,20\n3,30";

describe("connectors/packaging: payloads packaged file to file", () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "jobworker-packaging-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const source = () => Readable.from([Buffer.from(CSV.slice(0, 7)), Buffer.from(CSV.slice(7))]);

  it("gzips, counts the records (a last line without a newline included) and hashes the output", async () => {
    const out = await packageFile(source(), join(dir, "a.gz"), { compression: "gzip" });
    const bytes = readFileSync(out.path);
    assert.equal(gunzipSync(bytes).toString(), CSV);
    assert.equal(out.records, 4);
    assert.equal(out.size, bytes.length);
    assert.equal(out.sha256, createHash("sha256").update(bytes).digest("hex"));
    assert.equal(out.md5, createHash("md5").update(bytes).digest("hex"));
  });

  for (const compression of ["gzip", "zip"] as const) {
    it(`packs the same bytes from the same input and event time (${compression}), so {sha256} names survive redelivery`, async () => {
      const mtime = new Date("2026-07-01T22:30:00Z");
      const a = await packageFile(source(), join(dir, `${compression}-1`), { compression, zipEntryName: "orders.csv", mtime });
      const b = await packageFile(source(), join(dir, `${compression}-2`), { compression, zipEntryName: "orders.csv", mtime });
      assert.equal(a.sha256, b.sha256);
    });
  }

  it("copies a payload unchanged when nothing packs it, still counting and hashing", async () => {
    const out = await packageFile(source(), join(dir, "plain"), {});
    assert.equal(readFileSync(out.path, "utf8"), CSV);
    assert.equal(out.sha256, createHash("sha256").update(CSV).digest("hex"));
  });

  it("stops when the delivery is aborted, with the abort's reason", async () => {
    const controller = new AbortController();
    const endless = new Readable({ read() {} });
    endless.push(Buffer.from("a,b\n"));
    const pending = packageFile(endless, join(dir, "aborted.gz"), { compression: "gzip", signal: controller.signal });
    controller.abort(new Error("job deadline"));
    await assert.rejects(pending, /job deadline/);
  });
});
