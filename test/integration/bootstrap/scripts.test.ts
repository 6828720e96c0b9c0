/** The shell scripts shipped to instances pass shellcheck, and the instance store script does nothing harmful on a type without one. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { INSTANCE_STORE_SCRIPT_FILE, WATCHER_SCRIPT_FILE } from "../../../bootstrap/files";

function requireShellcheck(): void {
  if (spawnSync("sh", ["-c", "command -v shellcheck"]).status !== 0)
    throw new Error("shellcheck is not installed: run `bash scripts/setup.sh` (Debian package shellcheck)");
}

describe("bootstrap shell scripts", () => {
  before(requireShellcheck);

  for (const file of [WATCHER_SCRIPT_FILE, INSTANCE_STORE_SCRIPT_FILE]) {
    it(`${file.split("/").pop()} passes shellcheck (bash, all severities)`, () => {
      const out = spawnSync("shellcheck", ["--shell=bash", "--severity=style", file], { encoding: "utf8" });
      assert.equal(out.status, 0, out.stdout);
    });
  }

  it("shellcheck does flag a broken script (the check can fail)", () => {
    const dir = mkdtempSync(join(tmpdir(), "sc-"));
    try {
      const bad = join(dir, "bad.sh");
      writeFileSync(bad, "#!/bin/bash\nrm -rf $DIR/*\n");
      assert.notEqual(spawnSync("shellcheck", [bad]).status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("instance-store.sh only creates the scratch directory when no NVMe instance store is present", () => {
    const dir = mkdtempSync(join(tmpdir(), "store-"));
    try {
      // A fake /sys/block with one EBS NVMe volume (the root) and no instance store.
      mkdirSync(join(dir, "sys", "nvme0n1", "device"), { recursive: true });
      writeFileSync(join(dir, "sys", "nvme0n1", "device", "model"), "Amazon Elastic Block Store              \n");
      const mount = join(dir, "mnt");
      const out = spawnSync("bash", [INSTANCE_STORE_SCRIPT_FILE, mount, "xfs"], {
        encoding: "utf8",
        env: { PATH: process.env.PATH, SYS_BLOCK: join(dir, "sys"), DOCKER_DIR: join(dir, "docker") },
      });
      assert.equal(out.status, 0, out.stderr);
      assert.match(out.stderr, /no NVMe instance store on this instance type/);
      assert.ok(statSync(join(mount, "scratch")).isDirectory());
      assert.equal(existsSync(join(dir, "docker")), false, "Docker's directory untouched");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
