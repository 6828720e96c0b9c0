import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import type { ResolvedOutputBinding } from "../../../catalog/contract";
import { createConnector, type Connector } from "../../../workers/connectors";
import type { Delivery } from "../../../workers/connectors/types";
import { ConfigError, PermanentError } from "../../../workers/errors";
import { createSecretResolver } from "../../../workers/secrets";
import { createGpgKeyring, type GpgKeyring } from "../../support/gpg";
import { startSshd, type SshdServer } from "../../support/sshd";
import { startVsftpd, type VsftpdServer } from "../../support/vsftpd";
import { waitFor } from "../../support/wait";
import { bufferDelivery, FAST_RETRY, recordingLogger } from "./helpers";

const CSV = "id,amount\n1,10\n2,20\n";
/** 22:30 UTC on 1 July is 00:30 on 2 July in Berlin (CEST, UTC+2). */
const EVENT_TIME = "2026-07-01T22:30:00.000Z";

describe("partner file delivery (sshd, vsftpd, gpg, gzip, unzip, sha256sum)", function () {
  this.timeout(120_000);
  let sshd: SshdServer;
  let ftpd: VsftpdServer;
  let partner: GpgKeyring;
  let ours: GpgKeyring;
  let scratch: string;
  let caFile: string;
  const open: Connector[] = [];
  before(async () => {
    [sshd, ftpd] = await Promise.all([startSshd(), startVsftpd()]);
    partner = createGpgKeyring("Partner");
    ours = createGpgKeyring("Jobworker", "correct horse battery");
    // The partner knows our public key, to verify what we sign.
    assert.equal(partner.gpg(["--import", ours.publicKeyFile]).status, 0);
    scratch = mkdtempSync(join(tmpdir(), "jobworker-partner-files-"));
    caFile = join(scratch, "ca.pem");
    writeFileSync(caFile, ftpd.certificatePem);
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
  });
  after(async () => {
    await Promise.all([sshd?.stop(), ftpd?.stop()]);
    partner?.remove();
    ours?.remove();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const servers = {
    sftp: () => ({
      binding: {
        type: "sftp" as const,
        host: sshd.host,
        port: sshd.port,
        username: sshd.username,
        hostKeySha256: sshd.hostKeySha256,
        passwordSecret: "env:SERVER_PASSWORD",
        directory: sshd.root,
      },
      password: sshd.password,
      root: sshd.root,
    }),
    ftp: () => ({
      binding: {
        type: "ftp" as const,
        host: ftpd.host,
        port: ftpd.port,
        username: ftpd.username,
        passwordSecret: "env:SERVER_PASSWORD",
        directory: ftpd.root,
        tlsCaSecret: `file:${caFile}`,
      },
      password: ftpd.password,
      root: ftpd.root,
    }),
  };
  type Server = keyof typeof servers;

  async function connector(server: Server, extra: Record<string, unknown>) {
    const s = servers[server]();
    const secrets = createSecretResolver({ env: { SERVER_PASSWORD: s.password } });
    const binding = { ...s.binding, ...extra } as ResolvedOutputBinding;
    const c = await createConnector(binding, {
      s3: undefined as never,
      logger: recordingLogger().logger,
      secrets,
      retry: FAST_RETRY,
      scratchDir: scratch,
      field: "JOBWORKER_OUTPUTS.partner",
    });
    open.push(c);
    return { c, root: s.root };
  }

  const naming = { key: "in/2026/orders.csv", eventTime: EVENT_TIME, slot: "partner", extension: ".csv" };
  const delivery = (name: string, body: string, extra: Partial<Delivery> = {}): Delivery => ({
    ...bufferDelivery(name, body, { idempotencyKey: "0123456789abcdef0123456789abcdef" }),
    naming,
    ...extra,
  });
  const clearRoot = (root: string) => {
    for (const f of readdirSync(root)) rmSync(join(root, f), { force: true, recursive: true });
  };

  it("delivers a gzip, encrypted and signed payload under its template name, then checksum sidecars, then a trigger file (sftp)", async () => {
    const { c, root } = await connector("sftp", {
      fileName: "ACME_{yyyy}{MM}{dd}_{HH}{mm}_{stem}_{id:8}.csv.gz.pgp",
      timeZone: "Europe/Berlin",
      compression: "gzip",
      pgpPublicKeySecret: `file:${partner.publicKeyFile}`,
      pgpSigningKeySecret: `file:${ours.secretKeyFile}`,
      pgpPassphraseSecret: `file:${ours.passphraseFile}`,
      checksumFiles: ["sha256", "md5"],
      triggerFile: { name: "{file}.ok", content: "sha256" },
    });
    clearRoot(root);
    const result = await c.deliver(delivery("ignored-by-template", CSV));
    const file = "ACME_20260702_0030_orders_01234567.csv.gz.pgp";
    assert.equal(result.target, `sftp://127.0.0.1:${sshd.port}${join(root, file)}`);
    assert.deepEqual(readdirSync(root).sort(), [file, `${file}.md5`, `${file}.ok`, `${file}.sha256`]);

    // The sidecars check with coreutils, beside the file, as a partner would.
    for (const tool of ["sha256sum", "md5sum"]) {
      const check = spawnSync(tool, ["-c", `${file}.${tool.slice(0, -3)}`], { cwd: root });
      assert.equal(check.status, 0, `${tool} -c: ${check.stdout.toString()}${check.stderr.toString()}`);
    }
    assert.equal(readFileSync(join(root, `${file}.ok`), "utf8"), readFileSync(join(root, `${file}.sha256`), "utf8"));

    // The partner decrypts with its key; the signature is good and ours.
    const decrypted = partner.gpg(["--status-fd", "2", "--decrypt"], readFileSync(join(root, file)));
    assert.equal(decrypted.status, 0, decrypted.stderr);
    assert.match(decrypted.stderr, /\[GNUPG:\] GOODSIG /);
    assert.match(decrypted.stderr, new RegExp(`\\[GNUPG:\\] VALIDSIG ${ours.fingerprint} `));
    const gz = join(scratch, "decrypted.gz");
    writeFileSync(gz, decrypted.stdout);
    execFileSync("gzip", ["-t", gz]);
    assert.equal(gunzipSync(decrypted.stdout).toString(), CSV);
  });

  it("signs so that `gpg --verify` of the decrypted message's signature holds: the message is signed by our key only", async () => {
    // gpg --verify reads signed (not encrypted) data: unwrap the encryption layer with --list-packets and check the signer.
    const { c, root } = await connector("sftp", {
      fileName: "{stem}.pgp",
      pgpPublicKeySecret: `file:${partner.publicKeyFile}`,
      pgpSigningKeySecret: `file:${ours.secretKeyFile}`,
      pgpPassphraseSecret: `file:${ours.passphraseFile}`,
      pgpArmor: true,
    });
    clearRoot(root);
    await c.deliver(delivery("x", CSV));
    const armoured = readFileSync(join(root, "orders.pgp"), "utf8");
    assert.match(armoured, /^-----BEGIN PGP MESSAGE-----/);
    // Decrypt without verifying, keeping the signed packets, then verify them.
    const inner = partner.gpg(["--skip-verify", "--unwrap", "--decrypt"], Buffer.from(armoured));
    assert.equal(inner.status, 0, inner.stderr);
    const verified = partner.gpg(["--status-fd", "2", "--verify"], inner.stdout);
    assert.equal(verified.status, 0, verified.stderr);
    assert.match(verified.stderr, new RegExp(`\\[GNUPG:\\] VALIDSIG ${ours.fingerprint} `));
  });

  it("zips into one entry named after the input, with the record count in the name (ftp)", async () => {
    const { c, root } = await connector("ftp", { fileName: "{stem}_{records}.zip", compression: "zip", checksumFiles: ["sha256"] });
    clearRoot(root);
    await c.deliver(delivery("x", CSV));
    assert.deepEqual(readdirSync(root).sort(), ["orders_3.zip", "orders_3.zip.sha256"]);
    execFileSync("unzip", ["-t", join(root, "orders_3.zip")]);
    assert.equal(execFileSync("unzip", ["-Z1", join(root, "orders_3.zip")]).toString(), "orders.csv\n");
    assert.equal(execFileSync("unzip", ["-p", join(root, "orders_3.zip")]).toString(), CSV);
    assert.equal(spawnSync("sha256sum", ["-c", "orders_3.zip.sha256"], { cwd: root }).status, 0);
  });

  it("without a template, appends what packaging adds to the runtime's name, and writes an empty `.done` trigger", async () => {
    const { c, root } = await connector("sftp", { compression: "gzip", triggerFile: {} });
    clearRoot(root);
    await c.deliver(delivery("orders.0011223344556677.csv", CSV));
    assert.deepEqual(readdirSync(root).sort(), ["orders.0011223344556677.csv.gz", "orders.0011223344556677.csv.gz.done"]);
    execFileSync("gzip", ["-t", join(root, "orders.0011223344556677.csv.gz")]);
    assert.equal(readFileSync(join(root, "orders.0011223344556677.csv.gz.done"), "utf8"), "");
  });

  it("fails a signing key whose passphrase is wrong, naming the field, without writing anything", async () => {
    const wrong = join(scratch, "wrong-passphrase");
    writeFileSync(wrong, "not it");
    const { c, root } = await connector("sftp", {
      fileName: "{stem}.pgp",
      pgpPublicKeySecret: `file:${partner.publicKeyFile}`,
      pgpSigningKeySecret: `file:${ours.secretKeyFile}`,
      pgpPassphraseSecret: `file:${wrong}`,
    });
    clearRoot(root);
    await assert.rejects(
      c.deliver(delivery("x", CSV)),
      (err: unknown) => err instanceof PermanentError && /JOBWORKER_OUTPUTS\.partner\.pgpPassphraseSecret/.test(err.message),
    );
    assert.deepEqual(readdirSync(root), []);
    assert.deepEqual(
      readdirSync(scratch).filter((f) => f.startsWith("package-")),
      [],
    );
  });

  it("refuses a public key secret that holds no OpenPGP key when the connector is created, naming the field", async () => {
    const junk = join(scratch, "junk.asc");
    writeFileSync(junk, "-----BEGIN PGP PUBLIC KEY BLOCK-----\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----\n");
    await assert.rejects(
      connector("sftp", { pgpPublicKeySecret: `file:${junk}` }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /`JOBWORKER_OUTPUTS\.partner\.pgpPublicKeySecret`/.test(err.message) &&
        !err.message.includes("not a key"),
    );
  });

  // --- arrival: what the directory shows while the payload is still uploading, then after
  const arrivals: Array<[string, Record<string, unknown>, RegExp]> = [
    ["rename", {}, /^\.orders\.csv\.[0-9a-f]{12}\.part$/],
    ["temp-prefix", { arrival: "temp-prefix" }, /^tmp-orders\.csv$/],
    ["temp-suffix", { arrival: "temp-suffix", tempAffix: "_uploading" }, /^orders\.csv_uploading$/],
    ["final-name-then-verify-size", { arrival: "final-name-then-verify-size" }, /^orders\.csv$/],
  ];
  for (const server of ["sftp", "ftp"] as const) {
    for (const [mode, extra, inFlight] of arrivals) {
      it(`arrival \`${mode}\` (${server}): the payload is written as ${inFlight.source} and ends as orders.csv with a trigger after it`, async () => {
        const { c, root } = await connector(server, { ...extra, triggerFile: { content: "size" } });
        clearRoot(root);
        let release!: () => void;
        const released = new Promise<void>((resolve) => (release = resolve));
        const first = Buffer.alloc(70_000, "a");
        const pending = c.deliver(
          delivery("orders.csv", "", {
            open: () =>
              Readable.from(
                (async function* () {
                  yield first;
                  await released;
                  yield Buffer.from("tail\n");
                })(),
              ),
            size: undefined,
          }),
        );
        const seen = await waitFor(`the in-flight file in ${root}`, () => {
          const files = readdirSync(root);
          return files.length > 0 ? files : undefined;
        });
        release();
        await pending;
        assert.deepEqual(seen.length, 1, `one file while uploading: ${seen.join(", ")}`);
        assert.match(seen[0]!, inFlight);
        assert.deepEqual(readdirSync(root).sort(), ["orders.csv", "orders.csv.done"]);
        assert.equal(readFileSync(join(root, "orders.csv")).length, 70_005);
        assert.equal(readFileSync(join(root, "orders.csv.done"), "utf8"), "70005\n");
      });
    }
  }
});
