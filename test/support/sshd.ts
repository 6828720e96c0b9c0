/**
 * A real OpenSSH sshd on a free loopback port, sftp-only (`ForceCommand internal-sftp`), with two
 * host keys (ed25519 and ECDSA, as a server mid-rotation offers) and two client keys (one plain, one
 * protected by a passphrase) generated into a temp dir; started per test file, stopped after.
 * Needs Debian `openssh-server` and root (sshd re-executes itself by absolute path and needs the
 * privilege-separation directory `/run/sshd`).
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports";
import { descendants, killPids } from "./process-tree";
import { ensureTestUser } from "./system-user";
import { waitFor } from "./wait";

export const SSHD_BIN = "/usr/sbin/sshd";

export interface SshdServer {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** Client private key (OpenSSH format) authorised for `username`. */
  readonly privateKey: string;
  /** `SHA256:...` of the server's ed25519 host key (what ssh2 picks first), as `ssh-keygen -lf` prints it. */
  readonly hostKeySha256: string;
  /** `SHA256:...` of the server's second host key, ECDSA P-256 (`ecdsa-sha2-nistp256`). */
  readonly ecdsaHostKeySha256: string;
  /** A second authorised client key (OpenSSH format), encrypted with `privateKeyPassphrase`. */
  readonly encryptedPrivateKey: string;
  readonly privateKeyPassphrase: string;
  /** The sftp start directory, as seen by the client (an absolute path on this machine). */
  readonly root: string;
  /** Kills every per-connection sshd process (monitor and session): open connections drop, the listener stays. */
  dropConnections(): number;
  stop(): Promise<void>;
}

const PASSPHRASE = "correct horse battery staple";

function keygen(path: string, type: "ed25519" | "ecdsa" = "ed25519", passphrase = ""): void {
  execFileSync("ssh-keygen", [
    "-q",
    "-t",
    type,
    ...(type === "ecdsa" ? ["-b", "256"] : []),
    "-N",
    passphrase,
    "-C",
    "jobworker-test",
    "-f",
    path,
  ]);
}

function fingerprintOf(pub: string): string {
  return execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", pub]).toString().split(" ")[1]!;
}

export async function startSshd(): Promise<SshdServer> {
  if (!existsSync(SSHD_BIN)) throw new Error(`${SSHD_BIN} is missing: install Debian \`openssh-server\` (scripts/setup.sh does)`);
  const user = ensureTestUser();
  mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), "jobworker-sshd-"));
  chmodSync(dir, 0o755);
  const root = join(dir, "root");
  mkdirSync(root, { recursive: true });
  chownSync(root, user.uid, user.gid);
  keygen(join(dir, "host_ed25519"));
  keygen(join(dir, "host_ecdsa"), "ecdsa");
  keygen(join(dir, "client_ed25519"));
  keygen(join(dir, "client_encrypted"), "ed25519", PASSPHRASE);
  writeFileSync(
    join(dir, "authorized_keys"),
    readFileSync(join(dir, "client_ed25519.pub"), "utf8") + readFileSync(join(dir, "client_encrypted.pub"), "utf8"),
  );
  const fingerprint = fingerprintOf(join(dir, "host_ed25519.pub"));
  const port = await freePort();
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host_ed25519")}`,
      `HostKey ${join(dir, "host_ecdsa")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      "UsePAM no",
      "PasswordAuthentication yes",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      // The temp dir belongs to root but sits under a world-writable /tmp.
      "StrictModes no",
      `AllowUsers ${user.name}`,
      "PermitRootLogin no",
      "Subsystem sftp internal-sftp",
      `ForceCommand internal-sftp -d ${root}`,
      "AllowTcpForwarding no",
      "X11Forwarding no",
      "MaxStartups 50",
      "LogLevel INFO",
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(SSHD_BIN, ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let exited = false;
  // If the test process dies without `stop()`, take the server with it.
  const reap = () => child.kill("SIGKILL");
  process.once("exit", reap);
  child.once("exit", () => {
    exited = true;
    process.removeListener("exit", reap);
  });
  await waitFor(
    `sshd banner on 127.0.0.1:${port}`,
    () => {
      if (exited) throw new Error(`sshd exited: ${stderr}`);
      return new Promise<boolean>((resolve) => {
        const socket = connect(port, "127.0.0.1");
        socket.once("data", (d: Buffer) => {
          socket.destroy();
          resolve(d.toString().startsWith("SSH-2.0"));
        });
        socket.once("error", () => resolve(false));
      });
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );
  return {
    host: "127.0.0.1",
    port,
    username: user.name,
    password: user.password,
    privateKey: readFileSync(join(dir, "client_ed25519"), "utf8"),
    hostKeySha256: fingerprint,
    ecdsaHostKeySha256: fingerprintOf(join(dir, "host_ecdsa.pub")),
    encryptedPrivateKey: readFileSync(join(dir, "client_encrypted"), "utf8"),
    privateKeyPassphrase: PASSPHRASE,
    root,
    dropConnections() {
      // Each connection is a privileged monitor (child of the listener) and an unprivileged session
      // process (its child) that also holds the socket: kill the whole subtree.
      return child.pid === undefined ? 0 : killPids(descendants(child.pid));
    },
    async stop() {
      if (!exited) {
        const done = new Promise<void>((r) => child.once("exit", () => r()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await done;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
