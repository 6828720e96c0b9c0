/**
 * The local account the sshd and vsftpd fixtures log in as. vsftpd authenticates local users only
 * (through PAM), so the fixtures need a real account: `jobworker-test`, created on first use (root
 * only), with an empty home directory (vsftpd changes into it before `local_root`) and a random
 * password generated once per machine.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";

export const TEST_USER = "jobworker-test";
export const TEST_USER_HOME = "/var/lib/jobworker-test";
const PASSWORD_FILE = "/var/lib/jobworker-test.password";

let cached: { name: string; uid: number; gid: number; password: string } | undefined;

export function ensureTestUser(): { name: string; uid: number; gid: number; password: string } {
  if (cached) return cached;
  if (process.getuid?.() !== 0) {
    throw new Error(`the sshd/vsftpd fixtures must run as root (they create the local user \`${TEST_USER}\` and bind servers as root)`);
  }
  if (spawnSync("id", ["-u", TEST_USER]).status !== 0) {
    // /bin/sh: vsftpd's PAM stack (pam_shells) admits only shells listed in /etc/shells; sshd's
    // ForceCommand internal-sftp means the shell never runs there.
    execFileSync("useradd", ["--system", "--no-create-home", "--home-dir", TEST_USER_HOME, "--shell", "/bin/sh", TEST_USER]);
  }
  if (execFileSync("getent", ["passwd", TEST_USER]).toString().split(":")[5] !== TEST_USER_HOME) {
    execFileSync("usermod", ["--home", TEST_USER_HOME, TEST_USER]);
  }
  // One random password per machine, kept root-only next to the home directory: test processes
  // running at the same time (two mocha runs) must not change it under each other.
  let password: string;
  try {
    password = readFileSync(PASSWORD_FILE, "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    password = randomBytes(12).toString("hex");
    writeFileSync(PASSWORD_FILE, `${password}\n`, { mode: 0o600 });
  }
  execFileSync("chpasswd", [], { input: `${TEST_USER}:${password}\n` });
  const uid = Number(execFileSync("id", ["-u", TEST_USER]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", TEST_USER]).toString().trim());
  mkdirSync(TEST_USER_HOME, { recursive: true, mode: 0o755 });
  chownSync(TEST_USER_HOME, uid, gid);
  cached = { name: TEST_USER, uid, gid, password };
  return cached;
}
