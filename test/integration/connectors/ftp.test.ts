import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { FtpOutputBinding } from "../../../catalog/contract";
import { createConnector, type Connector } from "../../../workers/connectors";
import { PermanentError, RetryableError } from "../../../workers/errors";
import { createSecretResolver } from "../../../workers/secrets";
import { startVsftpd, type VsftpdServer } from "../../support/vsftpd";
import { waitFor } from "../../support/wait";
import { bufferDelivery, FAST_RETRY, recordingLogger } from "./helpers";

describe("FTP/FTPS connector (vsftpd)", function () {
  let ftpd: VsftpdServer;
  let secretsDir: string;
  const open: Connector[] = [];
  before(async () => {
    ftpd = await startVsftpd();
    secretsDir = mkdtempSync(join(tmpdir(), "jobworker-ftp-secrets-"));
    writeFileSync(join(secretsDir, "ca.pem"), ftpd.certificatePem);
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
  });
  after(async () => {
    await ftpd?.stop();
    if (secretsDir) rmSync(secretsDir, { recursive: true, force: true });
  });

  async function connector(
    extra: Partial<FtpOutputBinding> = {},
    env: Record<string, string> = {},
    log = recordingLogger(),
    retry = FAST_RETRY,
  ) {
    const secrets = createSecretResolver({ env: { FTP_PASSWORD: ftpd.password, ...env } });
    const binding: FtpOutputBinding = {
      type: "ftp",
      host: ftpd.host,
      port: ftpd.port,
      username: ftpd.username,
      passwordSecret: "env:FTP_PASSWORD",
      directory: ftpd.root,
      secure: true,
      tlsCaSecret: `file:${join(secretsDir, "ca.pem")}`,
      ...extra,
    };
    const c = await createConnector(binding, { s3: undefined as never, logger: log.logger, secrets, retry });
    open.push(c);
    return { c, log };
  }
  const listing = (dir = ftpd.root) => readdirSync(dir).sort();

  const transports: Array<[string, Partial<FtpOutputBinding>, string]> = [
    ["FTPS (explicit TLS, self-signed certificate trusted through tlsCaSecret)", {}, "ftps"],
    ["plain FTP", { secure: false, tlsCaSecret: undefined }, "ftp"],
  ];
  for (const [what, extra, scheme] of transports) {
    it(`uploads over ${what}, byte for byte, and logs one line`, async () => {
      const { c, log } = await connector(extra);
      const body = Buffer.alloc(300_000, scheme.length);
      const result = await c.deliver(bufferDelivery(`${scheme}.bin`, body));
      assert.equal(result.target, `${scheme}://127.0.0.1:${ftpd.port}${join(ftpd.root, `${scheme}.bin`)}`);
      assert.deepEqual({ bytes: result.bytes, attempts: result.attempts }, { bytes: body.length, attempts: 1 });
      assert.deepEqual(readFileSync(join(ftpd.root, `${scheme}.bin`)), body);
      assert.equal(log.withMsg("delivered").length, 1);
    });
  }

  it("writes under a temporary name and renames only when the upload is complete", async () => {
    const { c } = await connector();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const run = c.deliver({
      name: "staged.csv",
      idempotencyKey: "k",
      signal: new AbortController().signal,
      open: () =>
        Readable.from(
          (async function* () {
            yield Buffer.alloc(128 * 1024, 7);
            await gate;
            yield Buffer.from("tail");
          })(),
        ),
    });
    await waitFor("the temporary file", () =>
      listing().find((f) => f.startsWith(".staged.csv.") && f.endsWith(".part") && statSync(join(ftpd.root, f)).size > 0),
    );
    assert.ok(!listing().includes("staged.csv"), "no file under the final name while uploading");
    release();
    await run;
    assert.equal(statSync(join(ftpd.root, "staged.csv")).size, 128 * 1024 + 4);
    assert.ok(!listing().some((f) => f.startsWith(".staged.csv.")), listing().join(", "));
  });

  it("creates the target directory when asked, and sanitises names built from S3 keys", async () => {
    const dir = join(ftpd.root, "partner", "inbox");
    const { c } = await connector({ directory: dir, createDirectory: true });
    const result = await c.deliver(bufferDelivery("../../etc/pass\u0001wd\n.txt", "ok"));
    assert.equal(result.target, `ftps://127.0.0.1:${ftpd.port}${join(dir, "etc_passwd.txt")}`);
    assert.deepEqual(listing(dir), ["etc_passwd.txt"]);
  });

  const refused: Array<[string, Partial<FtpOutputBinding>, Record<string, string>, RegExp]> = [
    ["a wrong password", {}, { FTP_PASSWORD: "wrong" }, /530.*check `username` and `passwordSecret`/s],
    ["an untrusted certificate", { tlsCaSecret: undefined }, {}, /not trusted: set `tlsCaSecret`/],
    [
      "a trusted certificate for another host name",
      { host: "localhost" },
      {},
      /altnames.*\(the server certificate does not name this host: set `host` to a name the certificate lists/s,
    ],
    ["a missing directory without createDirectory", { directory: join("/nonexistent", "x") }, {}, /550/],
  ];
  for (const [what, extra, env, message] of refused) {
    it(`fails at once on ${what} (PermanentError, one attempt)`, async () => {
      const { c, log } = await connector(extra, env);
      await assert.rejects(
        c.deliver(bufferDelivery("never.bin", "x")),
        (err: unknown) => err instanceof PermanentError && message.test(err.message),
      );
      assert.equal(log.withMsg("delivery failed")[0]!.attempts, 1);
      assert.ok(!existsSync(join(ftpd.root, "never.bin")));
    });
  }

  it("retries when the server is stopped mid-transfer and completes once it is back", async () => {
    // The dropped control connection fails the attempt at once, while the server restarts: the retry
    // window (up to 10 attempts, waits up to 1 s) must outlast the restart.
    const { c } = await connector({}, {}, recordingLogger(), {
      maxAttempts: 10,
      baseDelayMs: 200,
      maxDelayMs: 1000,
      maxRetryAfterMs: 1000,
    });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let opens = 0;
    const body = Buffer.alloc(200 * 1024, 3);
    const run = c.deliver({
      name: "interrupted.bin",
      idempotencyKey: "k",
      signal: new AbortController().signal,
      open: () => {
        opens++;
        if (opens > 1) return Readable.from([body]);
        return Readable.from(
          (async function* () {
            yield body.subarray(0, 100 * 1024);
            await gate;
            yield body.subarray(100 * 1024);
          })(),
        );
      },
    });
    await waitFor("a partial upload", () => listing().some((f) => f.startsWith(".interrupted.bin.")));
    // Settled early: the attempt may fail (and be retried) while the server restarts.
    const outcome = run.then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    await ftpd.restart(); // kills the session mid-transfer, then listens again
    release();
    const settled = await outcome;
    if ("error" in settled) throw settled.error;
    const { result } = settled;
    assert.ok(result.attempts >= 2, `attempts ${result.attempts}`);
    assert.deepEqual(readFileSync(join(ftpd.root, "interrupted.bin")), body);
    assert.ok(!listing().some((f) => f.startsWith(".interrupted.bin.")), listing().join(", "));
  });

  it("gives up after the bounded attempts while the server is down, and recovers when it returns", async () => {
    const { c, log } = await connector();
    await c.deliver(bufferDelivery("before.bin", "1"));
    await ftpd.kill();
    const d = bufferDelivery("during.bin", "2");
    await assert.rejects(c.deliver(d), RetryableError);
    assert.equal(d.opens(), FAST_RETRY.maxAttempts);
    assert.equal(log.withMsg("delivery failed")[0]!.attempts, FAST_RETRY.maxAttempts);
    await ftpd.restart();
    const result = await c.deliver(bufferDelivery("after.bin", "3"));
    assert.equal(result.attempts, 1);
    assert.equal(readFileSync(join(ftpd.root, "after.bin"), "utf8"), "3");
  });
});
