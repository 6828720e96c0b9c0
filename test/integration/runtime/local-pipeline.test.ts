/**
 * `npm start -- --once`, the README's first command in its CI mode: moto, the prod stack's workers,
 * the samples, and the results where it says they landed.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planLocalPipeline, readStackWorkers } from "../../../scripts/local-pipeline-plan";
import { ROOT } from "./helpers";

describe("local pipeline (npm start -- --once)", function () {
  this.timeout(180_000);

  it("runs every sample through the prod stack's workers and prints where each result landed", async () => {
    const results = mkdtempSync(join(tmpdir(), "jobworker-results-"));
    const child = spawn(process.execPath, [join(ROOT, "scripts", "local-pipeline.js"), "--once", "--timeout=150", `--results=${results}`], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    assert.equal(code, 0, `exit ${code}\n${out}\n${err}`);

    assert.match(
      out,
      /redirected: api: REST POST https:\/\/orders\.example\.com\/v1\/orders\/batch does not exist here → s3:\/\/local-deliveries\/orders-webhook\/api\//,
    );
    assert.match(out, /redirected: partner: SFTP sftp\.partner\.example\.com:22\/inbound\/jobworker does not exist here/);
    assert.match(out, /3 jobs done, 0 failed attempts, 0 messages in dead-letter queues\./);
    // Every line a person reads is text: no error lines at shutdown, no objects printed raw.
    assert.doesNotMatch(out + err, /\[object Object\]/);

    const targets = [...out.matchAll(/^ {2}(s3:\/\/\S+)$/gm)].map((m) => m[1]!);
    assert.equal(targets.length, 3, out);
    const orders = targets.find((t) => t.startsWith("s3://local-deliveries/orders-webhook/api/"));
    const chained = targets.find((t) => t.startsWith("s3://partner-protobuf-sftp-input/records/feeds/"));
    // Named by the stack's `fileName` template and encrypted to the (local) partner key.
    const partner = targets.find((t) =>
      /^s3:\/\/local-deliveries\/partner-protobuf-sftp\/partner\/ACME_\d{8}_\d{6}_acme-feed\.[0-9a-f]{16}_[0-9a-f]{8}\.pb\.pgp$/.test(t),
    );
    assert.ok(orders && chained && partner, targets.join("\n"));

    const local = (t: string) => join(results, t.slice("s3://".length));
    const orderRecords = readFileSync(local(orders), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      orderRecords.map((o) => o.order_id),
      ["O-5001", "O-5002", "O-5003"],
    );
    assert.equal(readFileSync(local(chained), "utf8").trim().split("\n").length, 4);
    assert.match(
      out,
      /\(still partner\.v1\.Record protobuf, named ACME_\{date\}_\{time\}_\{stem\}_\{id:8\}\.pb\.pgp, OpenPGP-encrypted to a local partner key\)/,
    );
    assert.match(out, /decrypted with the local partner key → /);
    const decrypted = spawnSync("gpg", ["--batch", "--homedir", join(ROOT, ".local", "pgp", "partner"), "--decrypt", local(partner)]);
    assert.equal(decrypted.status, 0, decrypted.stderr.toString());
    const pb = decrypted.stdout;
    // Length-delimited: the first varint is the first record's length, and the record starts with field 1 (id, tag 0x0a).
    assert.ok(pb.length > 20);
    assert.equal(pb[1], 0x0a);
  });

  it("plans the prod stack: chained outputs to the next worker's input, external targets redirected, samples only where nothing feeds in", () => {
    const plan = planLocalPipeline(readStackWorkers());
    const byName = Object.fromEntries(plan.workers.map((w) => [w.name, w]));
    assert.deepEqual(byName["feed-normalize"]!.outputs, {
      records: { type: "s3", bucket: "partner-protobuf-sftp-input", prefix: "records/" },
    });
    assert.deepEqual(byName["partner-protobuf-sftp"]!.fedBy, ["feed-normalize"]);
    assert.deepEqual(byName["partner-protobuf-sftp"]!.samples, []);
    assert.equal(
      (byName["partner-protobuf-sftp"]!.outputs.partner as { format?: { messageType: string } }).format?.messageType,
      "partner.v1.Record",
    );
    assert.deepEqual(
      byName["orders-webhook"]!.samples.map((s) => s.key),
      ["orders/orders.csv"],
    );
    assert.deepEqual(
      byName["feed-normalize"]!.samples.map((s) => s.key),
      ["feeds/acme-feed.csv"],
    );
    assert.deepEqual(plan.buckets, ["local-deliveries", "partner-drop", "partner-protobuf-sftp-input"]);
  });
});
