/**
 * OpenPGP encryption (and signing) by GnuPG, run as a child process: `gpg` streams stdin to stdout,
 * so memory stays bounded whatever the payload's size, and it is the implementation partners test
 * against. Chosen over the `openpgp` npm package (LGPL-3.0, not a permissive licence; it also holds
 * whole messages in memory for signing unless driven with web streams). The worker image installs
 * `gnupg` (workers/Dockerfile).
 *
 * Each connector gets a keyring of its own in a private directory (mode 0700) under the scratch
 * directory: the partner's public key, and our signing key when set. The keys' values never reach a
 * command line or a log; the passphrase goes through a pipe (`--passphrase-fd 3`).
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { ConfigError, PermanentError } from "../errors";

export interface PgpKeys {
  /** ASCII-armoured public key(s) of the recipient. */
  readonly publicKey: string;
  /** ASCII-armoured private key to sign with. */
  readonly signingKey?: string;
  readonly passphrase?: string;
  /** ASCII armour instead of binary output. @default false */
  readonly armor?: boolean;
  /** The binding's field names, for errors: `JOBWORKER_OUTPUTS.partner.pgpPublicKeySecret`. */
  readonly fieldPrefix?: string;
}

/** A keyring ready to encrypt; `close` removes it and stops its agent. */
export interface PgpEncryptor {
  /** Starts `gpg` encrypting (and signing) `stdin` to `stdout`; `done` settles when it exits. */
  encrypt(): { readonly stdin: Writable; readonly stdout: Readable; readonly done: Promise<void>; kill(): void };
  close(): Promise<void>;
}

/** What `gpg` printed, without key material (it prints none), trimmed for an error message. */
function tail(stderr: string): string {
  return stderr.trim().split("\n").slice(-4).join(" | ");
}

function runGpg(home: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("gpg", ["--batch", "--no-tty", "--homedir", home, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.once("error", (e) =>
      reject(new ConfigError(`cannot run gpg (install GnuPG: the \`gnupg\` package): ${e.message}`, { cause: e })),
    );
    child.once("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`gpg ${args[0]} exited ${code}: ${tail(err)}`))));
    child.stdin.end(input ?? "");
  });
}

/** Fingerprints of the primary keys in the keyring, `secret` ones or public ones. */
async function fingerprints(home: string, secret: boolean): Promise<string[]> {
  const listing = await runGpg(home, ["--with-colons", secret ? "--list-secret-keys" : "--list-keys"]);
  const lines = listing.split("\n");
  const result: string[] = [];
  lines.forEach((line, i) => {
    if ((line.startsWith("pub:") || line.startsWith("sec:")) && lines[i + 1]?.startsWith("fpr:")) {
      result.push(lines[i + 1]!.split(":")[9]!);
    }
  });
  return result;
}

/** Imports the keys into a fresh keyring under `baseDir`; a key that does not import is a `ConfigError` naming its field. */
export async function createPgpEncryptor(keys: PgpKeys, baseDir: string): Promise<PgpEncryptor> {
  const prefix = keys.fieldPrefix ?? "binding";
  const home = await mkdtemp(join(baseDir, "gpg-"));
  try {
    const importKey = async (armoured: string, field: string) => {
      try {
        await runGpg(home, ["--import"], armoured);
      } catch (err) {
        if (err instanceof ConfigError) throw err;
        throw new ConfigError(`\`${prefix}.${field}\` does not hold an OpenPGP key gpg can import: ${(err as Error).message}`, {
          cause: err,
          context: { field: `${prefix}.${field}` },
        });
      }
    };
    await importKey(keys.publicKey, "pgpPublicKeySecret");
    const recipients = await fingerprints(home, false);
    if (recipients.length === 0) {
      throw new ConfigError(`\`${prefix}.pgpPublicKeySecret\` holds no public key`, { context: { field: `${prefix}.pgpPublicKeySecret` } });
    }
    let signer: string | undefined;
    if (keys.signingKey !== undefined) {
      await importKey(keys.signingKey, "pgpSigningKeySecret");
      signer = (await fingerprints(home, true))[0];
      if (signer === undefined) {
        throw new ConfigError(`\`${prefix}.pgpSigningKeySecret\` holds no private key`, {
          context: { field: `${prefix}.pgpSigningKeySecret` },
        });
      }
    }
    // The signing key imported alongside is also a public key: encrypt to the partner's keys only.
    const partner = signer === undefined ? recipients : recipients.filter((r) => r !== signer);
    const args = [
      "--trust-model",
      "always",
      "--output",
      "-",
      ...(keys.armor === true ? ["--armor"] : []),
      ...partner.flatMap((r) => ["--recipient", r]),
      ...(signer === undefined ? [] : ["--sign", "--local-user", signer, "--pinentry-mode", "loopback", "--passphrase-fd", "3"]),
      "--encrypt",
    ];
    return {
      encrypt() {
        const child = spawn("gpg", ["--batch", "--no-tty", "--homedir", home, ...args], {
          stdio: ["pipe", "pipe", "pipe", signer === undefined ? "ignore" : "pipe"],
        });
        const [stdin, stdout, stderr] = [child.stdin!, child.stdout!, child.stderr!];
        if (signer !== undefined) (child.stdio[3] as Writable).end(keys.passphrase ?? "");
        let err = "";
        stderr.on("data", (c: Buffer) => (err = (err + c.toString()).slice(-4096)));
        const done = new Promise<void>((resolve, reject) => {
          child.once("error", (e) =>
            reject(new ConfigError(`cannot run gpg (install GnuPG: the \`gnupg\` package): ${e.message}`, { cause: e })),
          );
          child.once("close", (code, signal) => {
            if (code === 0) resolve();
            else {
              const bad = /bad passphrase|no secret key|unusable/i.test(err);
              const message = `gpg encryption failed (exit ${code ?? signal}): ${tail(err)}${bad ? ` (check \`${prefix}.pgpPassphraseSecret\`)` : ""}`;
              reject(new PermanentError(message, { context: { field: `${prefix}.pgpPublicKeySecret` } }));
            }
          });
        });
        return {
          stdin,
          stdout,
          done,
          kill: () => {
            child.kill("SIGKILL");
          },
        };
      },
      close: () => closeHome(home),
    };
  } catch (err) {
    await closeHome(home);
    throw err;
  }
}

async function closeHome(home: string): Promise<void> {
  // The agent that an imported secret key starts lives until told to stop.
  await new Promise<void>((resolve) => {
    const child = spawn("gpgconf", ["--homedir", home, "--kill", "gpg-agent"], { stdio: "ignore" });
    child.once("error", () => resolve());
    child.once("close", () => resolve());
  });
  await rm(home, { recursive: true, force: true });
}
