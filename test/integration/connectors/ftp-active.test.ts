/**
 * `dataConnection: "active"` on a real vsftpd that allows active mode only (`pasv_enable=NO`): the
 * passive default fails against it, active mode delivers over plain FTP and explicit FTPS, and the
 * data listener accepts only the server's own connection.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Client } from "basic-ftp";
import type { FtpOutputBinding } from "../../../catalog/contract";
import { createConnector, type Connector } from "../../../workers/connectors";
import { activeTransfer } from "../../../workers/connectors/ftp-active";
import { RetryableError } from "../../../workers/errors";
import { createSecretResolver } from "../../../workers/secrets";
import { startScriptedFtp, type ScriptedFtp, type ScriptedFtpOptions } from "../../support/scripted-ftp";
import { startVsftpd, type VsftpdServer } from "../../support/vsftpd";
import { bufferDelivery, FAST_RETRY, recordingLogger } from "./helpers";

describe("FTP connector in active mode (vsftpd with pasv_enable=NO)", function () {
  let server: VsftpdServer;
  const open: Connector[] = [];
  before(async () => {
    server = await startVsftpd({ activeOnly: true });
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
  });
  after(async () => {
    await server?.stop();
  });

  async function connector(extra: Partial<FtpOutputBinding>) {
    const log = recordingLogger();
    const secrets = createSecretResolver({ env: { FTP_PASSWORD: server.password, SERVER_CA: server.certificatePem } });
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

  it("fails with the passive default: the server refuses passive mode", async () => {
    const { c, log } = await connector({});
    await assert.rejects(
      c.deliver(bufferDelivery("passive.csv", "x")),
      /upload to .* failed: None of the available transfer strategies work.*550 Permission denied/,
    );
    assert.equal(log.withMsg("delivery failed").length, 1);
    assert.ok(!existsSync(join(server.root, "passive.csv")));
  });

  const cases: Array<[string, Partial<FtpOutputBinding>, string]> = [
    ["explicit FTPS", { secure: true }, "ftps"],
    ["plain FTP", { secure: false, tlsCaSecret: undefined }, "ftp"],
  ];
  for (const [what, extra, scheme] of cases) {
    it(`delivers over ${what} with \`dataConnection: "active"\`, one data connection per upload`, async () => {
      const { c } = await connector({ ...extra, dataConnection: "active" });
      const first = await c.deliver(bufferDelivery(`active-${scheme}.csv`, "a,b\n1,2\n"));
      await c.deliver(bufferDelivery(`active-${scheme}-2.csv`, Buffer.alloc(300_000, 7)));
      assert.equal(first.target, `${scheme}://127.0.0.1:${server.port}${join(server.root, `active-${scheme}.csv`)}`);
      assert.equal(first.attempts, 1);
      assert.equal(readFileSync(join(server.root, `active-${scheme}.csv`), "utf8"), "a,b\n1,2\n");
      assert.deepEqual(readFileSync(join(server.root, `active-${scheme}-2.csv`)), Buffer.alloc(300_000, 7));
    });
  }
});

describe("active-mode data connections (a scripted FTP server)", () => {
  let scripted: ScriptedFtp | undefined;
  let ftp: Client | undefined;
  afterEach(async () => {
    ftp?.close();
    await scripted?.stop();
  });

  async function loggedIn(options: ScriptedFtpOptions, timeoutMs: number): Promise<{ server: ScriptedFtp; client: Client }> {
    scripted = await startScriptedFtp(options);
    ftp = new Client(timeoutMs);
    await ftp.access({ host: "127.0.0.1", port: scripted.port, user: "u", password: "p", secure: false });
    ftp.prepareTransfer = activeTransfer({ timeoutMs });
    return { server: scripted, client: ftp };
  }

  it("hands basic-ftp the data connection before the `150` a server sends ahead of connecting back", async () => {
    const { server, client } = await loggedIn({ replyBeforeConnect: true }, 10_000);
    for (const name of ["first.csv", "second.csv"]) await client.uploadFrom(Readable.from([Buffer.from(name)]), name);
    assert.deepEqual(server.uploads.map(String), ["first.csv", "second.csv"]);
  });

  it("falls back to PORT when EPRT is refused, and takes the upload only from the server's address", async () => {
    const { server, client } = await loggedIn({ refuseEprt: true, intruder: true }, 10_000);
    await client.uploadFrom(Readable.from([Buffer.from("via PORT\n")]), "port.csv");
    const port = server.lastDataPort()!;
    const announced = server.commands.filter((c) => /^(EPRT|PORT) /.test(c));
    assert.deepEqual(announced, [`EPRT |1|127.0.0.1|${port}|`, `PORT 127,0,0,1,${Math.floor(port / 256)},${port % 256}`]);
    assert.deepEqual(server.uploads.map(String), ["via PORT\n"]);
    assert.deepEqual(server.intruderRefused, [true], "the connection from 127.0.0.2 is closed");
    assert.equal(await connects(port), false, "the listener is closed once the data connection is taken");
  });

  it("listens on the first free port of a configured range, and fails naming the range when all are taken", async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const taken = (busy.address() as { port: number }).port;
    try {
      const { server, client } = await loggedIn({}, 10_000);
      client.prepareTransfer = activeTransfer({ timeoutMs: 10_000, ports: { min: taken, max: taken + 1 } });
      await client.uploadFrom(Readable.from([Buffer.from("ranged")]), "ranged.csv");
      assert.equal(server.lastDataPort(), taken + 1);
      assert.deepEqual(server.uploads.map(String), ["ranged"]);
      client.prepareTransfer = activeTransfer({ timeoutMs: 10_000, ports: { min: taken, max: taken } });
      await assert.rejects(
        client.uploadFrom(Readable.from([Buffer.from("x")]), "full.csv"),
        (err: unknown) => err instanceof RetryableError && new RegExp(`in ${taken}-${taken}: widen the range`).test(err.message),
      );
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
  });

  it("fails with a RetryableError naming `dataConnection` when the server never connects back, and closes the listener", async () => {
    const { server, client } = await loggedIn({ onStore: "silent" }, 300);
    await assert.rejects(
      client.uploadFrom(Readable.from([Buffer.from("x")]), "never.csv"),
      (err: unknown) =>
        err instanceof RetryableError &&
        /did not open the active-mode data connection within 300 ms.*`dataConnection`/.test(err.message) &&
        err.context.port === scripted?.lastDataPort(),
    );
    assert.deepEqual(server.uploads, []);
    assert.equal(await connects(server.lastDataPort()!), false, "the listener is closed");
  });
});

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s: Socket = connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}
