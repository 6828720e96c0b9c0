/**
 * Partner file packaging (`workers/connectors/packaging.ts`), in this process: a generated CSV payload
 * (BENCH_PACKAGE_BYTES, default 256 MiB) streamed file to file through gzip, zip, and gzip + OpenPGP
 * (`gpg`, a throwaway key). Prints throughput and this process's peak RSS after each variant: the
 * packaging must not grow with the payload (each stage holds one stream buffer), so the peak should
 * stay near the baseline whatever BENCH_PACKAGE_BYTES is.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { packageFile, type PackagingOptions } from "../workers/connectors/packaging";
import { createPgpEncryptor } from "../workers/connectors/pgp";
import { createGpgKeyring } from "../test/support/gpg";
import { readFileSync } from "node:fs";

const BYTES = Number(process.env.BENCH_PACKAGE_BYTES ?? 256 * 1024 ** 2);
const MiB = 1024 ** 2;

/** CSV lines, different enough that gzip has work to do, 64 KiB a chunk. */
function csv(total: number): Readable {
  let sent = 0;
  let row = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const lines: string[] = [];
      let size = 0;
      while (size < 65_536) {
        const line = `${row},${(row * 7919) % 100_003},customer-${row % 977},${(row * 31) % 10_000}.${row % 100}\n`;
        lines.push(line);
        size += line.length;
        row++;
      }
      const chunk = Buffer.from(lines.join("")).subarray(0, Math.min(size, total - sent));
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

const rssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "jobworker-bench-package-"));
  const partner = createGpgKeyring("Bench partner");
  const pgp = await createPgpEncryptor({ publicKey: readFileSync(partner.publicKeyFile, "utf8") }, dir);
  try {
    console.log(`payload ${Math.round(BYTES / MiB)} MiB of CSV; peak RSS before: ${rssMiB()} MiB`);
    const variants: Array<[string, PackagingOptions]> = [
      ["gzip", { compression: "gzip" }],
      ["zip", { compression: "zip", zipEntryName: "bench.csv" }],
      ["gzip + OpenPGP (gpg)", { compression: "gzip", pgp }],
    ];
    for (const [name, options] of variants) {
      const started = performance.now();
      const out = await packageFile(csv(BYTES), join(dir, "out"), options);
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `${name.padEnd(22)} ${(BYTES / MiB / seconds).toFixed(1)} MiB/s in, ${Math.round(out.size / MiB)} MiB out, ${out.records} records; peak RSS so far ${rssMiB()} MiB`,
      );
      rmSync(out.path);
    }
  } finally {
    await pgp.close();
    partner.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
