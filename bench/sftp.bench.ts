/**
 * SFTP delivery throughput (`npm run bench -- sftp`): the same payload (32 MiB by default) delivered
 * to one loopback OpenSSH sshd, through the SFTP connector and through OpenSSH's own `sftp -b`
 * client, best of a few rounds each, printed side by side in MiB/s. The connector should reach at
 * least half the OpenSSH client's rate.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReadStream } from "node:fs";
import pino from "pino";
import { fixedSecrets } from "../workers/connectors/binding-secrets";
import { createSftpConnector } from "../workers/connectors/sftp";
import { startSshd } from "../test/support/sshd";

const BYTES = Number(process.env.BENCH_SFTP_BYTES ?? 32 * 1024 ** 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MiB = 1024 ** 2;

function rate(bytes: number, ms: number): string {
  return (bytes / MiB / (ms / 1000)).toFixed(1);
}

async function main(): Promise<void> {
  const sshd = await startSshd();
  const dir = mkdtempSync(join(tmpdir(), "jobworker-sftp-bench-"));
  try {
    const payload = join(dir, "payload.bin");
    // Random bytes: ssh compression is off by default, but incompressible data keeps it honest.
    writeFileSync(payload, execFileSync("head", ["-c", String(BYTES), "/dev/urandom"], { maxBuffer: BYTES + 1024 }));
    const keyFile = join(dir, "client_key");
    writeFileSync(keyFile, sshd.privateKey, { mode: 0o600 });
    const knownHosts = join(dir, "known_hosts");
    writeFileSync(knownHosts, "");

    const connector = createSftpConnector(
      { type: "sftp", host: sshd.host, port: sshd.port, username: sshd.username, hostKeySha256: sshd.hostKeySha256, directory: sshd.root },
      { logger: pino({ level: "warn" }), secrets: fixedSecrets({ privateKeySecret: sshd.privateKey }) },
    );
    let connectorMs = Infinity;
    let opensshMs = Infinity;
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        let started = performance.now();
        await connector.deliver({
          name: `connector-${round}.bin`,
          open: () => createReadStream(payload),
          size: BYTES,
          idempotencyKey: `bench-${round}`,
          signal: new AbortController().signal,
        });
        connectorMs = Math.min(connectorMs, performance.now() - started);
        if (statSync(join(sshd.root, `connector-${round}.bin`)).size !== BYTES) throw new Error("connector upload has the wrong size");

        const batch = join(dir, "batch");
        writeFileSync(batch, `put ${payload} ${join(sshd.root, `openssh-${round}.bin`)}\n`);
        started = performance.now();
        execFileSync(
          "sftp",
          [
            "-b",
            batch,
            "-i",
            keyFile,
            "-P",
            String(sshd.port),
            "-o",
            "BatchMode=yes",
            "-o",
            `UserKnownHostsFile=${knownHosts}`,
            "-o",
            "StrictHostKeyChecking=no",
            `${sshd.username}@${sshd.host}`,
          ],
          { stdio: ["ignore", "ignore", "pipe"] },
        );
        opensshMs = Math.min(opensshMs, performance.now() - started);
        if (statSync(join(sshd.root, `openssh-${round}.bin`)).size !== BYTES) throw new Error("openssh upload has the wrong size");
      }
    } finally {
      await connector.close();
    }
    const mib = (BYTES / MiB).toFixed(0);
    const ratio = opensshMs / connectorMs;
    console.log(`sftp ${mib} MiB to loopback sshd, best of ${ROUNDS}:`);
    console.log(`  jobworker sftp connector  ${rate(BYTES, connectorMs).padStart(7)} MiB/s  (${(connectorMs / 1000).toFixed(2)} s)`);
    console.log(`  OpenSSH sftp -b           ${rate(BYTES, opensshMs).padStart(7)} MiB/s  (${(opensshMs / 1000).toFixed(2)} s)`);
    console.log(`  connector / OpenSSH       ${ratio.toFixed(2)} (target >= 0.50)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sshd.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
