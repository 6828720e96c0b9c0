/**
 * The SFTP connector against what partners demand (issue 18), on a real sshd with two host keys and a
 * passphrase-protected client key: host key lists (rotation), a key passphrase by reference,
 * algorithm lists, `createDirectory`, SOCKS5 and HTTP CONNECT proxies, and a password that rotates.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { Readable } from "node:stream";
import { join } from "node:path";
import type { SftpOutputBinding } from "../../../catalog/contract";
import { createConnector, type Connector } from "../../../workers/connectors";
import { SFTP_PARALLEL_CHUNK_BYTES } from "../../../workers/connectors/sftp-parallel-put";
import type { Delivery } from "../../../workers/connectors/types";
import { PermanentError } from "../../../workers/errors";
import { createSecretResolver } from "../../../workers/secrets";
import { startConnectProxy, type ConnectProxy } from "../../support/connect-proxy";
import { startSocks5Proxy, type Socks5Proxy } from "../../support/socks5-proxy";
import { startSshd, type SshdServer } from "../../support/sshd";
import { bufferDelivery, FAST_RETRY, recordingLogger } from "./helpers";

const OTHER_KEY = `SHA256:${"B".repeat(43)}`;
const PROXY_LOGIN = { username: "relay", password: "relay-pass" };

describe("SFTP connector for partners (host key rotation, key passphrase, algorithms, createDirectory, proxies)", function () {
  let sshd: SshdServer;
  let socks: Socks5Proxy;
  let http: ConnectProxy;
  const open: Connector[] = [];
  before(async () => {
    [sshd, socks, http] = await Promise.all([
      startSshd(),
      startSocks5Proxy({ login: PROXY_LOGIN }),
      startConnectProxy({ login: PROXY_LOGIN }),
    ]);
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
  });
  after(async () => Promise.all([sshd?.stop(), socks?.stop(), http?.stop()]));

  async function connector(extra: Partial<SftpOutputBinding> = {}, env: Record<string, string> = {}, ttlMs?: number) {
    const log = recordingLogger();
    const secrets = createSecretResolver({
      env: {
        SFTP_PASSWORD: sshd.password,
        SFTP_KEY: sshd.encryptedPrivateKey,
        SFTP_PASSPHRASE: sshd.privateKeyPassphrase,
        PROXY_PASSWORD: PROXY_LOGIN.password,
        ...env,
      },
      ttlMs,
    });
    const binding = {
      type: "sftp",
      host: sshd.host,
      port: sshd.port,
      username: sshd.username,
      hostKeySha256: sshd.hostKeySha256,
      passwordSecret: "env:SFTP_PASSWORD",
      directory: sshd.root,
      ...extra,
    } as SftpOutputBinding;
    const c = await createConnector(binding, { s3: undefined as never, logger: log.logger, secrets, retry: FAST_RETRY });
    open.push(c);
    return { c, log };
  }
  const delivered = (name: string) => readFileSync(join(sshd.root, name), "utf8");

  describe("host keys", () => {
    const accepted: Array<[string, (s: SshdServer) => Partial<SftpOutputBinding>]> = [
      ["a list with the current key among retired ones", (s) => ({ hostKeySha256: [OTHER_KEY, s.hostKeySha256] })],
      [
        "the new key of a rotation, when the server offers it",
        (s) => ({ hostKeySha256: [OTHER_KEY, s.ecdsaHostKeySha256], algorithms: { serverHostKey: ["ecdsa-sha2-nistp256"] } }),
      ],
    ];
    for (const [what, extra] of accepted) {
      it(`accepts ${what}`, async () => {
        const { c } = await connector(extra(sshd));
        await c.deliver(bufferDelivery("pinned.txt", "ok"));
        assert.equal(delivered("pinned.txt"), "ok");
      });
    }

    it("refuses the server when the key it presents is in no list entry, naming the one it saw", async () => {
      const { c, log } = await connector({
        hostKeySha256: [sshd.hostKeySha256, OTHER_KEY],
        algorithms: { serverHostKey: ["ecdsa-sha2-nistp256"] },
      });
      await assert.rejects(
        c.deliver(bufferDelivery("refused.txt", "x")),
        (err: unknown) =>
          err instanceof PermanentError && err.message.includes(sshd.ecdsaHostKeySha256) && /not one of the pinned/.test(err.message),
      );
      assert.equal(log.withMsg("delivery failed")[0]!.attempts, 1);
      assert.ok(!existsSync(join(sshd.root, "refused.txt")));
    });
  });

  describe("client key passphrase", () => {
    it("logs in with a passphrase-protected key, the passphrase by reference", async () => {
      const { c } = await connector({
        passwordSecret: undefined,
        privateKeySecret: "env:SFTP_KEY",
        privateKeyPassphraseSecret: "env:SFTP_PASSPHRASE",
      });
      await c.deliver(bufferDelivery("by-key.txt", "k"));
      assert.equal(delivered("by-key.txt"), "k");
    });

    it("fails at once, naming the fields, when the passphrase is wrong", async () => {
      const { c, log } = await connector(
        { passwordSecret: undefined, privateKeySecret: "env:SFTP_KEY", privateKeyPassphraseSecret: "env:SFTP_PASSPHRASE" },
        { SFTP_PASSPHRASE: "wrong" },
      );
      await assert.rejects(
        c.deliver(bufferDelivery("x.txt", "x")),
        (err: unknown) =>
          err instanceof PermanentError && /`privateKeyPassphraseSecret`/.test(err.message) && !err.message.includes("wrong"),
      );
      assert.equal(log.withMsg("delivery failed")[0]!.attempts, 1);
    });
  });

  it("uses the configured algorithms: a cipher the server does not offer fails the handshake", async () => {
    const ok = await connector({ algorithms: { kex: ["diffie-hellman-group14-sha256"], cipher: ["aes256-ctr"], hmac: ["hmac-sha2-512"] } });
    await ok.c.deliver(bufferDelivery("legacy.txt", "l"));
    assert.equal(delivered("legacy.txt"), "l");
    const bad = await connector({ algorithms: { cipher: ["3des-cbc"] } });
    await assert.rejects(
      bad.c.deliver(bufferDelivery("never.txt", "n")),
      (err: unknown) => err instanceof PermanentError && /check `algorithms`/.test(err.message),
    );
    assert.equal(bad.log.withMsg("delivery failed")[0]!.attempts, 1);
    assert.ok(!existsSync(join(sshd.root, "never.txt")));
  });

  it("creates a missing directory (and its parents) with `createDirectory`, and fails without it", async () => {
    const without = await connector({ directory: join(sshd.root, "absent/inbox") });
    await assert.rejects(without.c.deliver(bufferDelivery("a.txt", "a")), PermanentError);
    const directory = join(sshd.root, "new/deep/inbox");
    const { c } = await connector({ directory, createDirectory: true });
    await c.deliver(bufferDelivery("a.txt", "a"));
    await c.deliver(bufferDelivery("b.txt", "b"));
    assert.equal(readFileSync(join(directory, "a.txt"), "utf8"), "a");
    assert.equal(readFileSync(join(directory, "b.txt"), "utf8"), "b");
  });

  const proxies: Array<["socks5" | "http", () => string[]]> = [
    ["socks5", () => socks.connections],
    ["http", () => http.tunnels.map((t) => t.target)],
  ];
  for (const [type, seen] of proxies) {
    it(`connects through a ${type} proxy with a login by reference, and is refused with a wrong one`, async () => {
      const before = seen().length;
      const proxy = () => ({ type, host: "127.0.0.1", port: type === "socks5" ? socks.port : http.port, username: PROXY_LOGIN.username });
      const { c } = await connector({ proxy: proxy(), proxyPasswordSecret: "env:PROXY_PASSWORD" });
      await c.deliver(bufferDelivery(`via-${type}.txt`, type));
      assert.equal(delivered(`via-${type}.txt`), type);
      assert.deepEqual(seen().slice(before), [`127.0.0.1:${sshd.port}`]);
      const wrong = await connector({ proxy: proxy(), proxyPasswordSecret: "env:PROXY_PASSWORD" }, { PROXY_PASSWORD: "nope" });
      await assert.rejects(
        wrong.c.deliver(bufferDelivery("x.txt", "x")),
        (err: unknown) => err instanceof PermanentError && /`proxyPasswordSecret`/.test(err.message),
      );
      assert.equal(seen().length, before + 1);
    });
  }

  it("re-reads a rotated password once after a refused login, and delivers", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jobworker-rotate-"));
    try {
      const file = join(dir, "password");
      writeFileSync(file, "retired-password\n");
      // Resolved at start (the old value), then cached for an hour.
      const { c, log } = await connector({ passwordSecret: `file:${file}` }, {}, 3_600_000);
      writeFileSync(file, `${sshd.password}\n`);
      const result = await c.deliver(bufferDelivery("rotated.txt", "r"));
      assert.equal(result.attempts, 1);
      assert.equal(delivered("rotated.txt"), "r");
      assert.equal(log.withMsg("sftp login refused; secrets re-read, trying once more").length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("parallel writes (`concurrency`)", () => {
    /** A payload read in ranges, as the runtime's scratch files are; counts the ranges opened. */
    function rangedDelivery(name: string, bytes: Buffer): Delivery & { ranges: Array<[number, number]> } {
      const ranges: Array<[number, number]> = [];
      return {
        name,
        idempotencyKey: `job-${name}`,
        signal: new AbortController().signal,
        size: bytes.length,
        open: () => Readable.from([bytes]),
        openRange: (start, end) => (ranges.push([start, end]), Readable.from([bytes.subarray(start, end)])),
        ranges,
      };
    }
    // Distinct bytes everywhere, so a chunk written at the wrong offset shows.
    const payload = Buffer.from(Array.from({ length: 4 * SFTP_PARALLEL_CHUNK_BYTES + 12_345 }, (_, i) => (i * 7 + (i >> 10)) & 0xff));

    it("writes the payload's ranges at their offsets with several writes in flight, byte for byte", async () => {
      const { c } = await connector({ concurrency: 4 });
      const delivery = rangedDelivery("parallel.bin", payload);
      const result = await c.deliver(delivery);
      assert.equal(result.bytes, payload.length);
      assert.equal(delivery.ranges.length, 5);
      assert.deepEqual(readFileSync(join(sshd.root, "parallel.bin")), payload);
    });

    it("streams one put without `concurrency`, reading no ranges", async () => {
      const { c } = await connector();
      const delivery = rangedDelivery("serial.bin", payload);
      await c.deliver(delivery);
      assert.equal(delivery.ranges.length, 0);
      assert.deepEqual(readFileSync(join(sshd.root, "serial.bin")), payload);
    });
  });
});
