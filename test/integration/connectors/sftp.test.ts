import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { SftpOutputBinding } from "../../../catalog/contract";
import { createConnector, type Connector } from "../../../workers/connectors";
import { PermanentError } from "../../../workers/errors";
import { createSecretResolver } from "../../../workers/secrets";
import { startSshd, type SshdServer } from "../../support/sshd";
import { waitFor } from "../../support/wait";
import { bufferDelivery, FAST_RETRY, recordingLogger } from "./helpers";

describe("SFTP connector (OpenSSH sshd)", function () {
  let sshd: SshdServer;
  const open: Connector[] = [];
  before(async () => (sshd = await startSshd()));
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
  });
  after(async () => sshd?.stop());

  async function connector(extra: Partial<SftpOutputBinding> = {}, env: Record<string, string> = {}, log = recordingLogger()) {
    const secrets = createSecretResolver({ env: { SFTP_PASSWORD: sshd.password, SFTP_KEY: sshd.privateKey, ...env } });
    const binding: SftpOutputBinding = {
      type: "sftp",
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      hostKeySha256: sshd.hostKeySha256,
      passwordSecret: "env:SFTP_PASSWORD",
      directory: sshd.root,
      ...extra,
    };
    const c = await createConnector(binding, { s3: undefined as never, logger: log.logger, secrets, retry: FAST_RETRY });
    open.push(c);
    return { c, log };
  }
  const listing = () => readdirSync(sshd.root).sort();

  const auth: Array<[string, Partial<SftpOutputBinding>]> = [
    ["a password", {}],
    ["a private key", { passwordSecret: undefined, privateKeySecret: "env:SFTP_KEY" }],
  ];
  for (const [what, extra] of auth) {
    it(`uploads with ${what} to the final name through a temporary one, with the pinned host key`, async () => {
      const { c, log } = await connector(extra);
      const name = `in/2024/feed ${what}.pb`;
      const result = await c.deliver(bufferDelivery(name, "payload-bytes"));
      const file = `in_2024_feed ${what}.pb`;
      assert.equal(result.target, `sftp://127.0.0.1:${sshd.port}${join(sshd.root, file)}`);
      assert.equal(result.bytes, 13);
      assert.equal(result.attempts, 1);
      assert.equal(readFileSync(join(sshd.root, file), "utf8"), "payload-bytes");
      assert.ok(!listing().some((f) => f.endsWith(".part")), `no temporary file left: ${listing().join(", ")}`);
      assert.equal(log.withMsg("delivered").length, 1);
    });
  }

  it("replaces the file when the same job is delivered again, and reuses the connection", async () => {
    const { c } = await connector();
    await c.deliver(bufferDelivery("again.bin", "first"));
    await c.deliver(bufferDelivery("again.bin", "second, longer"));
    assert.equal(readFileSync(join(sshd.root, "again.bin"), "utf8"), "second, longer");
  });

  const refused: Array<[string, Partial<SftpOutputBinding>, Record<string, string>, RegExp]> = [
    [
      "a wrong pinned host key",
      { hostKeySha256: "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
      {},
      /not one of the pinned `hostKeySha256`/,
    ],
    ["a wrong password", {}, { SFTP_PASSWORD: "wrong" }, /authentication as jobworker-test/],
  ];
  for (const [what, extra, env, message] of refused) {
    it(`refuses ${what} at once, without retrying and without writing`, async () => {
      const { c, log } = await connector(extra, env);
      const before = listing();
      const d = bufferDelivery("refused.bin", "x");
      await assert.rejects(c.deliver(d), (err: unknown) => err instanceof PermanentError && message.test(err.message));
      assert.equal(log.withMsg("delivery failed")[0]!.attempts, 1);
      assert.deepEqual(listing(), before);
    });
  }

  it("retries a connection killed mid-transfer, never showing a partial file under the final name", async () => {
    const { c, log } = await connector();
    const half = Buffer.alloc(256 * 1024, 1);
    const rest = Buffer.alloc(256 * 1024, 2);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let opens = 0;
    const run = c.deliver({
      name: "killed.bin",
      idempotencyKey: "job-killed",
      signal: new AbortController().signal,
      open: () => {
        opens++;
        if (opens > 1) return Readable.from([half, rest]);
        return Readable.from(
          (async function* () {
            yield half;
            await gate; // the first attempt stalls half-way until the connection is killed
            yield rest;
          })(),
        );
      },
    });
    const temp = await waitFor("a partial temporary file", () => {
      const part = listing().find((f) => f.startsWith(".killed.bin.") && f.endsWith(".part"));
      return part && statSync(join(sshd.root, part)).size > 0 ? part : undefined;
    });
    assert.ok(!listing().includes("killed.bin"), "the final name is absent while the upload is partial");
    assert.ok(sshd.dropConnections() > 0, "killed the connection's sshd process");
    release();
    const result = await run;
    assert.equal(result.attempts, 2);
    assert.equal(result.bytes, half.length + rest.length);
    assert.deepEqual(readFileSync(join(sshd.root, "killed.bin")), Buffer.concat([half, rest]));
    assert.ok(!listing().includes(temp), "the temporary file became the final one");
    assert.ok(!listing().some((f) => f.startsWith(".killed.bin.")), listing().join(", "));
    assert.equal(log.withMsg("delivered")[0]!.attempts, 2);
  });

  it("logs the connection's drop through the logger, printing no plain-text line to stdout or stderr", async () => {
    const { c, log } = await connector();
    await c.deliver(bufferDelivery("before-drop.bin", "1"));
    const printed: string[] = [];
    const writes = { out: process.stdout.write, err: process.stderr.write };
    const capture = (chunk: string | Uint8Array) => {
      printed.push(
        ...chunk
          .toString()
          .split("\n")
          .filter((l) => l.trim() !== ""),
      );
      return true;
    };
    process.stdout.write = capture as typeof process.stdout.write;
    process.stderr.write = capture as typeof process.stderr.write;
    try {
      sshd.dropConnections();
      await waitFor("the drop to be logged", () => log.withMsg("sftp connection closed").length > 0 || printed.length > 0);
      await c.deliver(bufferDelivery("after-drop.bin", "2"));
    } finally {
      process.stdout.write = writes.out;
      process.stderr.write = writes.err;
    }
    for (const line of printed) assert.doesNotThrow(() => JSON.parse(line), `not a JSON log line: ${line}`);
    assert.equal(log.withMsg("sftp connection closed").length, 1);
  });

  it("reconnects once, without a failed attempt, when the idle connection was dropped", async () => {
    const { c, log } = await connector();
    await c.deliver(bufferDelivery("one.bin", "1"));
    sshd.dropConnections();
    const result = await c.deliver(bufferDelivery("two.bin", "2"));
    assert.equal(result.attempts, 1);
    assert.equal(readFileSync(join(sshd.root, "two.bin"), "utf8"), "2");
    assert.equal(log.withMsg("sftp connection was dropped; reconnecting").length, 1);
  });
});
