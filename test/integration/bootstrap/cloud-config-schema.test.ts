/** The rendered cloud-config passes `cloud-init schema` (Debian package cloud-init) for default and changed settings. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderCloudConfig } from "../../../bootstrap/cloud-config";
import { BootstrapSettingsInput, resolveBootstrapSettings } from "../../../bootstrap/settings";

function cloudInit(): string {
  const found = spawnSync("sh", ["-c", "command -v cloud-init"], { encoding: "utf8" });
  if (found.status !== 0) throw new Error("cloud-init is not installed: run `bash scripts/setup.sh` (Debian package cloud-init)");
  return found.stdout.trim();
}

describe("cloud-config against `cloud-init schema`", function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    cloudInit();
    dir = mkdtempSync(join(tmpdir(), "cloud-config-"));
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  const variants: { what: string; settings: BootstrapSettingsInput }[] = [
    { what: "the defaults", settings: {} },
    {
      what: "changed sysctl, ecs.config, ext4, a slower watcher, extra packages",
      settings: {
        sysctl: { "kernel.pid_max": 4194304, "net.ipv4.ip_local_port_range": "1024 65535" },
        ecsConfig: { ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: "10m", ECS_RESERVED_MEMORY: "256" },
        containerStopTimeoutSeconds: 60,
        instanceStore: { filesystem: "ext4", mountPoint: "/data" },
        interruptionWatcher: { intervalSeconds: 10, drainOnRebalance: false },
        packages: ["awscli-2", "jq"],
      },
    },
    { what: "no instance store and no packages", settings: { instanceStore: { enabled: false }, packages: [] } },
  ];
  for (const v of variants) {
    it(`accepts the document rendered from ${v.what}`, () => {
      const file = join(dir, `${v.what.replace(/\W+/g, "-")}.yaml`);
      writeFileSync(file, renderCloudConfig({ clusterName: "jobworker-cluster-0a1b2c", settings: resolveBootstrapSettings(v.settings) }));
      const out = spawnSync(cloudInit(), ["schema", "--config-file", file], { encoding: "utf8" });
      assert.equal(out.status, 0, `cloud-init schema failed:\n${out.stdout}\n${out.stderr}`);
      assert.match(out.stdout, /Valid schema|Valid cloud-config/);
    });
  }

  it("rejects a document with a wrong module shape (the check can fail)", () => {
    const file = join(dir, "broken.yaml");
    writeFileSync(file, "#cloud-config\nwrite_files:\n  - content: no path here\nruncmd: 42\n");
    const out = spawnSync(cloudInit(), ["schema", "--config-file", file], { encoding: "utf8" });
    assert.notEqual(out.status, 0, out.stdout);
  });
});
