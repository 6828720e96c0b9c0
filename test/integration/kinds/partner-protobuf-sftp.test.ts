/**
 * `partner-protobuf-sftp` end to end: NDJSON records into its bucket → `jobworker run` → a
 * length-delimited Protocol Buffers file at a real OpenSSH sftp server, checked with `protoc --decode`.
 */
import assert from "node:assert/strict";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startMoto, type MotoServer } from "../../support/moto";
import { startSshd, type SshdServer } from "../../support/sshd";
import { createPipeline, ensureStopped, ROOT, waitForLine, type ChildWorker } from "../runtime/helpers";
import { protocDecode, splitDelimited } from "../../support/protoc";
import { runKind, stopKind } from "./helpers";

export const PARTNER_SCHEMA = "partner/v1/record.proto";

describe("kind partner-protobuf-sftp end to end (moto → jobworker run → sshd)", function () {
  this.timeout(120_000);
  let moto: MotoServer;
  let s3: S3Client;
  let sshd: SshdServer;
  let secretDir: string;
  let worker: ChildWorker | undefined;
  before(async () => {
    moto = await startMoto();
    s3 = new S3Client(moto.clientConfig);
    sshd = await startSshd();
    secretDir = mkdtempSync(join(tmpdir(), "jobworker-kind-secret-"));
    writeFileSync(join(secretDir, "id_ed25519"), sshd.privateKey);
  });
  after(async () => {
    await ensureStopped(worker);
    s3?.destroy();
    await sshd?.stop();
    await moto?.stop();
    if (secretDir) rmSync(secretDir, { recursive: true, force: true });
  });

  it("delivers the records as length-delimited partner.v1.Record messages over SFTP (key auth, pinned host key)", async () => {
    const pipeline = await createPipeline(moto);
    worker = await runKind(moto, "partner-protobuf-sftp", pipeline, {
      partner: {
        type: "sftp",
        host: sshd.host,
        port: sshd.port,
        username: sshd.username,
        hostKeySha256: sshd.hostKeySha256,
        privateKeySecret: `file:${join(secretDir, "id_ed25519")}`,
        directory: sshd.root,
        format: { type: "protobuf", schema: PARTNER_SCHEMA, messageType: "partner.v1.Record", delimited: true },
      },
    });
    const ndjson = readFileSync(join(ROOT, "workers", "kinds", "partner-protobuf-sftp", "samples", "records.ndjson"));
    await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "acme/records.ndjson", Body: ndjson }));

    await waitForLine(worker, "job done", 60_000);
    const files = readdirSync(sshd.root);
    assert.equal(files.length, 1, `one file and no temporary leftovers: ${files.join(", ")}`);
    assert.match(files[0]!, /^acme_records\.[0-9a-f]{16}\.pb$/);
    const delivered = worker.lines.find((l) => l.msg === "delivered")!;
    assert.equal(delivered.target, `sftp://127.0.0.1:${sshd.port}${join(sshd.root, files[0]!)}`);
    assert.equal(delivered.attempts, 1);

    const bytes = readFileSync(join(sshd.root, files[0]!));
    assert.equal(delivered.bytes, bytes.length);
    assert.deepEqual(
      splitDelimited(bytes).map((m) => protocDecode("partner.v1.Record", PARTNER_SCHEMA, m)),
      [
        'id: "P-1"\nsku: "TS-RED-M"\nquantity: 12\nprice_minor: 1990\ncurrency: "EUR"\nupdated_at: "2026-11-24T08:00:00Z"\nattributes {\n  key: "colour"\n  value: "red"\n}\n',
        'id: "P-2"\nsku: "MUG-L"\nquantity: 40\nprice_minor: 700\ncurrency: "EUR"\nupdated_at: "2026-11-24T08:10:00Z"\n',
      ],
    );
    assert.deepEqual(await stopKind(worker), { code: 0, signal: null });
  });
});
