/**
 * `feed-normalize` end to end, chained as the catalog intends: a partner CSV into its bucket →
 * `jobworker run feed-normalize` → NDJSON into the next stage's bucket (moto S3, whose notification
 * starts it) → `jobworker run partner-protobuf-sftp` → Protocol Buffers at a real sftp server.
 */
import assert from "node:assert/strict";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMoto, type MotoServer } from "../../support/moto";
import { startSshd, type SshdServer } from "../../support/sshd";
import { waitFor } from "../../support/wait";
import { createPipeline, ensureStopped, getText, listKeys, ROOT, waitForLine, type ChildWorker } from "../runtime/helpers";
import { protocDecode, splitDelimited } from "../../support/protoc";
import { runKind, stopKind } from "./helpers";

const SCHEMA = "partner/v1/record.proto";

describe("kind feed-normalize end to end, chained to partner-protobuf-sftp (moto → 2 × jobworker run → sshd)", function () {
  this.timeout(180_000);
  let moto: MotoServer;
  let s3: S3Client;
  let sshd: SshdServer;
  let secretDir: string;
  const workers: ChildWorker[] = [];
  before(async () => {
    moto = await startMoto();
    s3 = new S3Client(moto.clientConfig);
    sshd = await startSshd();
    secretDir = mkdtempSync(join(tmpdir(), "jobworker-kind-secret-"));
    writeFileSync(join(secretDir, "sftp-password"), sshd.password);
  });
  after(async () => {
    for (const w of workers) await ensureStopped(w);
    s3?.destroy();
    await sshd?.stop();
    await moto?.stop();
    if (secretDir) rmSync(secretDir, { recursive: true, force: true });
  });

  it("normalises the CSV into the next stage's bucket, which delivers it as protobuf over SFTP", async () => {
    const feed = await createPipeline(moto);
    const partner = await createPipeline(moto);
    const [normalizer, forwarder] = await Promise.all([
      runKind(moto, "feed-normalize", feed, { records: { type: "s3", bucket: partner.inputBucket, prefix: "from-feed/" } }),
      runKind(moto, "partner-protobuf-sftp", partner, {
        partner: {
          type: "sftp",
          host: sshd.host,
          port: sshd.port,
          username: sshd.username,
          hostKeySha256: sshd.hostKeySha256,
          passwordSecret: `file:${join(secretDir, "sftp-password")}`,
          directory: sshd.root,
          format: { type: "protobuf", schema: SCHEMA, messageType: "partner.v1.Record" },
        },
      }),
    ]);
    workers.push(normalizer!, forwarder!);
    const csv = readFileSync(join(ROOT, "workers", "kinds", "feed-normalize", "samples", "acme-feed.csv"));
    await s3.send(new PutObjectCommand({ Bucket: feed.inputBucket, Key: "acme/feed.csv", Body: csv }));

    // Stage 1: NDJSON in the next stage's bucket, delivered by the S3 connector.
    await waitForLine(normalizer!, "job done", 60_000);
    const [intermediate] = await listKeys(s3, partner.inputBucket);
    assert.match(intermediate!, /^from-feed\/acme\/feed\.[0-9a-f]{16}\.ndjson$/);
    const delivered = normalizer!.lines.find((l) => l.msg === "delivered")!;
    assert.equal(delivered.target, `s3://${partner.inputBucket}/${intermediate}`);
    const ndjson = await getText(s3, partner.inputBucket, intermediate!);
    assert.equal(delivered.bytes, Buffer.byteLength(ndjson));
    const ids = ndjson
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { id: string }).id);
    assert.deepEqual(ids, ["A-1001", "A-1002", "A-1003", "A-1004"]);

    // Stage 2: started by the intermediate object's own notification; protobuf at the sftp server.
    const file = await waitFor("the partner file", () => readdirSync(sshd.root).find((f) => f.endsWith(".pb")), { timeoutMs: 60_000 });
    await waitForLine(forwarder!, "job done", 60_000);
    assert.deepEqual(readdirSync(sshd.root), [file], "no temporary leftovers");
    assert.match(file, /^from-feed_acme_feed\.[0-9a-f]{16}\.[0-9a-f]{16}\.pb$/);
    const messages = splitDelimited(readFileSync(join(sshd.root, file))).map((m) => protocDecode("partner.v1.Record", SCHEMA, m));
    assert.equal(messages.length, 4);
    assert.equal(
      messages[0],
      'id: "A-1001"\nsku: "TS-RED-M"\nquantity: 12\nprice_minor: 1990\ncurrency: "EUR"\nupdated_at: "2026-11-24T08:00:00Z"\nattributes {\n  key: "colour"\n  value: "red"\n}\nattributes {\n  key: "size"\n  value: "M"\n}\n',
    );
    assert.deepEqual(
      messages.map((m) => /^id: "([^"]+)"/.exec(m)![1]),
      ids,
    );

    for (const w of [normalizer!, forwarder!]) assert.deepEqual(await stopKind(w), { code: 0, signal: null });
  });
});
