/**
 * The FTP connector against what partners demand (issue 18), on real vsftpd servers: implicit TLS
 * (port 990 style), a server that requires a client certificate, and a password that rotates.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FtpOutputBinding } from "../../../catalog/contract";
import { createConnector, type Connector } from "../../../workers/connectors";
import { PermanentError } from "../../../workers/errors";
import { createSecretResolver } from "../../../workers/secrets";
import { startConnectProxy, type ConnectProxy } from "../../support/connect-proxy";
import { startSocks5Proxy, type Socks5Proxy } from "../../support/socks5-proxy";
import { createTestPki, type TestPki } from "../../support/tls-certs";
import { startVsftpd, type VsftpdServer } from "../../support/vsftpd";
import { bufferDelivery, FAST_RETRY, recordingLogger } from "./helpers";

const PROXY_LOGIN = { username: "relay", password: "relay-pass" };

describe("FTP connector for partners (implicit FTPS, client certificates, rotating passwords)", function () {
  let pki: TestPki;
  let implicit: VsftpdServer;
  let certRequired: VsftpdServer;
  let explicit: VsftpdServer;
  let socks: Socks5Proxy;
  let http: ConnectProxy;
  const open: Connector[] = [];
  before(async () => {
    pki = createTestPki();
    [implicit, certRequired, explicit] = await Promise.all([
      startVsftpd({ implicitTls: true }),
      startVsftpd({ requireClientCertCaFile: pki.files.ca }),
      startVsftpd(),
    ]);
    socks = await startSocks5Proxy({ login: PROXY_LOGIN });
    http = await startConnectProxy({ login: PROXY_LOGIN });
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
  });
  after(async () => {
    await Promise.all([implicit?.stop(), certRequired?.stop(), explicit?.stop(), socks?.stop(), http?.stop()]);
    pki?.remove();
  });

  async function connector(server: VsftpdServer, extra: Partial<FtpOutputBinding>, env: Record<string, string> = {}, ttlMs?: number) {
    const log = recordingLogger();
    const secrets = createSecretResolver({
      env: {
        FTP_PASSWORD: server.password,
        PROXY_PASSWORD: PROXY_LOGIN.password,
        SERVER_CA: server.certificatePem,
        CLIENT_CERT: pki.clientCert,
        CLIENT_KEY: pki.clientKey,
        ...env,
      },
      ttlMs,
    });
    const binding: FtpOutputBinding = {
      type: "ftp",
      host: server.host,
      port: server.port,
      username: server.username,
      passwordSecret: "env:FTP_PASSWORD",
      directory: server.root,
      secure: true,
      tlsCaSecret: "env:SERVER_CA",
      ...extra,
    };
    const c = await createConnector(binding, { s3: undefined as never, logger: log.logger, secrets, retry: FAST_RETRY });
    open.push(c);
    return { c, log };
  }

  describe("implicit TLS", () => {
    it('uploads with `secure: "implicit"`, TLS from the first byte', async () => {
      const { c } = await connector(implicit, { secure: "implicit" });
      const result = await c.deliver(bufferDelivery("implicit.csv", "a,b\n"));
      assert.equal(result.target, `ftps://127.0.0.1:${implicit.port}${join(implicit.root, "implicit.csv")}`);
      assert.equal(readFileSync(join(implicit.root, "implicit.csv"), "utf8"), "a,b\n");
    });
  });

  describe("client certificates", () => {
    it("uploads to a server that requires a client certificate, presenting one by reference", async () => {
      const { c } = await connector(certRequired, { clientCertSecret: "env:CLIENT_CERT", clientKeySecret: "env:CLIENT_KEY" });
      await c.deliver(bufferDelivery("with-cert.csv", "c"));
      assert.equal(readFileSync(join(certRequired.root, "with-cert.csv"), "utf8"), "c");
    });

    it("is refused by that server without a client certificate, at once, with the fields to check", async () => {
      const { c, log } = await connector(certRequired, {});
      await assert.rejects(
        c.deliver(bufferDelivery("no-cert.csv", "x")),
        (err: unknown) => err instanceof PermanentError && /refused the client certificate: check `clientCertSecret`/.test(err.message),
      );
      assert.equal(log.withMsg("delivery failed")[0]!.attempts, 1);
      assert.ok(!existsSync(join(certRequired.root, "no-cert.csv")));
    });
  });

  it("re-reads a rotated password once after a 530, and delivers", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jobworker-rotate-"));
    try {
      const file = join(dir, "password");
      writeFileSync(file, "retired-password\n");
      const { c, log } = await connector(implicit, { secure: "implicit", passwordSecret: `file:${file}` }, {}, 3_600_000);
      writeFileSync(file, `${implicit.password}\n`);
      const result = await c.deliver(bufferDelivery("rotated.csv", "r"));
      assert.equal(result.attempts, 1);
      assert.equal(readFileSync(join(implicit.root, "rotated.csv"), "utf8"), "r");
      assert.equal(log.withMsg("ftp login refused; secrets re-read, trying once more").length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives up with a permanent error when the re-read password is refused too", async () => {
    const { c, log } = await connector(implicit, { secure: "implicit" }, { FTP_PASSWORD: "wrong" });
    await assert.rejects(
      c.deliver(bufferDelivery("x.csv", "x")),
      (err: unknown) => err instanceof PermanentError && /`passwordSecret`/.test(err.message),
    );
    assert.equal(log.withMsg("ftp login refused; secrets re-read, trying once more").length, 1);
    assert.equal(log.withMsg("delivery failed")[0]!.attempts, 1);
  });

  describe("through a proxy (control and data connections)", () => {
    const cases: Array<[string, "socks5" | "http", () => VsftpdServer, boolean | "implicit", () => string[]]> = [
      ["explicit FTPS through SOCKS5", "socks5", () => explicit, true, () => socks.connections],
      ["plain FTP through SOCKS5", "socks5", () => explicit, false, () => socks.connections],
      ["implicit FTPS through HTTP CONNECT", "http", () => implicit, "implicit", () => http.tunnels.map((t) => t.target)],
    ];
    for (const [what, type, server, secure, seen] of cases) {
      it(`uploads ${what}, one tunnel for the control connection and one per transfer`, async () => {
        const before = seen().length;
        const ftpd = server();
        const proxy = { type, host: "127.0.0.1", port: type === "socks5" ? socks.port : http.port, username: PROXY_LOGIN.username };
        const tlsFields = secure === false ? { tlsCaSecret: undefined } : {};
        const { c } = await connector(ftpd, { secure, ...tlsFields, proxy, proxyPasswordSecret: "env:PROXY_PASSWORD" });
        await c.deliver(bufferDelivery(`proxied-${type}-${String(secure)}.csv`, "p,q\n"));
        await c.deliver(bufferDelivery(`proxied-${type}-${String(secure)}-2.csv`, "r\n"));
        assert.equal(readFileSync(join(ftpd.root, `proxied-${type}-${String(secure)}.csv`), "utf8"), "p,q\n");
        const tunnels = seen().slice(before);
        assert.equal(tunnels[0], `127.0.0.1:${ftpd.port}`, "the control connection");
        assert.equal(tunnels.length, 3, `control + one data connection per upload: ${tunnels.join(", ")}`);
        for (const t of tunnels.slice(1)) assert.match(t, /^127\.0\.0\.1:\d+$/);
      });
    }

    it("fails at once on a refused proxy login, naming `proxyPasswordSecret`", async () => {
      const proxy = { type: "socks5" as const, host: "127.0.0.1", port: socks.port, username: PROXY_LOGIN.username };
      const { c, log } = await connector(explicit, { proxy, proxyPasswordSecret: "env:PROXY_PASSWORD" }, { PROXY_PASSWORD: "nope" });
      await assert.rejects(
        c.deliver(bufferDelivery("never.csv", "x")),
        (err: unknown) => err instanceof PermanentError && /`proxyPasswordSecret`/.test(err.message),
      );
      assert.equal(log.withMsg("delivery failed")[0]!.attempts, 1);
    });
  });
});
