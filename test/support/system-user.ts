/**
 * The local account the sshd and vsftpd fixtures log in as. vsftpd authenticates local users only
 * (through PAM), so the fixtures need a real account: `jobworker-test`, created on first use (root
 * only), with no home directory and a fresh random password per test process.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";

export const TEST_USER = "jobworker-test";

let cached: { name: string; uid: number; gid: number; password: string } | undefined;

export function ensureTestUser(): { name: string; uid: number; gid: number; password: string } {
  if (cached) return cached;
  if (process.getuid?.() !== 0) {
    throw new Error(`the sshd/vsftpd fixtures must run as root (they create the local user \`${TEST_USER}\` and bind servers as root)`);
  }
  if (spawnSync("id", ["-u", TEST_USER]).status !== 0) {
    // /bin/sh: vsftpd's PAM stack (pam_shells) admits only shells listed in /etc/shells; sshd's
    // ForceCommand internal-sftp means the shell never runs there.
    execFileSync("useradd", ["--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/bin/sh", TEST_USER]);
  }
  const password = randomBytes(12).toString("hex");
  execFileSync("chpasswd", [], { input: `${TEST_USER}:${password}\n` });
  const uid = Number(execFileSync("id", ["-u", TEST_USER]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", TEST_USER]).toString().trim());
  cached = { name: TEST_USER, uid, gid, password };
  return cached;
}
