/** The rendered cloud-config as data: what each module gets, from typed settings. */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { cloudConfigDocument, renderCloudConfig } from "../../../bootstrap/cloud-config";
import { renderEcsConfig } from "../../../bootstrap/ecs-config";
import { readInstanceStoreScript, readWatcherScript } from "../../../bootstrap/files";
import { renderWatcherUnit } from "../../../bootstrap/interruption-watcher";
import { BOOTSTRAP_DEFAULTS, resolveBootstrapSettings } from "../../../bootstrap/settings";
import { renderSysctlConf } from "../../../bootstrap/sysctl";
import { renderUserData } from "../../../bootstrap/user-data";

const CLUSTER = "jobworker-cluster-1a2b3c";

function fileOf(doc: any, path: string): { path: string; permissions: string; content: string } {
  const f = doc.write_files.find((w: any) => w.path === path);
  assert.ok(f, `write_files has ${path}`);
  return f;
}

describe("cloud-config", () => {
  const text = renderCloudConfig({ clusterName: CLUSTER, settings: resolveBootstrapSettings() });
  const doc = parse(text, { version: "1.1" });

  it("starts with the #cloud-config header and parses back to exactly the document it was rendered from", () => {
    assert.ok(text.startsWith("#cloud-config\n"));
    assert.deepEqual(doc, JSON.parse(JSON.stringify(cloudConfigDocument({ clusterName: CLUSTER, settings: resolveBootstrapSettings() }))));
  });

  it("mounts the instance store from bootcmd with the shipped script, mount point and filesystem as arguments", () => {
    assert.deepEqual(doc.bootcmd, [["bash", "-c", readInstanceStoreScript(), "jobworker-instance-store", "/mnt/instance-store", "xfs"]]);
  });

  it("leaves bootcmd out when the instance store is disabled", () => {
    const d = cloudConfigDocument({ clusterName: CLUSTER, settings: resolveBootstrapSettings({ instanceStore: { enabled: false } }) });
    assert.equal(d.bootcmd, undefined);
  });

  it("writes ecs.config with the cluster, Spot draining, the stop timeout and the fluentd and awslogs drivers", () => {
    const f = fileOf(doc, "/etc/ecs/ecs.config");
    const lines = f.content.trimEnd().split("\n");
    for (const line of [
      `ECS_CLUSTER=${CLUSTER}`,
      "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true",
      "ECS_CONTAINER_STOP_TIMEOUT=110s",
      'ECS_AVAILABLE_LOGGING_DRIVERS=["json-file","awslogs","fluentd"]',
      "ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST=true",
    ]) {
      assert.ok(lines.includes(line), `${line} in\n${f.content}`);
    }
    assert.equal(f.permissions, "0644");
  });

  it("adds extra ecs.config settings after the cluster's own", () => {
    const out = renderEcsConfig(
      CLUSTER,
      resolveBootstrapSettings({ ecsConfig: { ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION: "10m" }, containerStopTimeoutSeconds: 90 }),
    );
    assert.match(out, /^ECS_CLUSTER=jobworker-cluster-1a2b3c\n/);
    assert.match(out, /\nECS_CONTAINER_STOP_TIMEOUT=90s\n/);
    assert.match(out, /\nECS_ENGINE_TASK_CLEANUP_WAIT_DURATION=10m\n$/);
  });

  it("writes the sysctl defaults merged with configured values, sorted, one per line", () => {
    const out = renderSysctlConf(resolveBootstrapSettings({ sysctl: { "net.core.somaxconn": 8192, "kernel.pid_max": 4194304 } }));
    const lines = out.split("\n").filter((l) => l && !l.startsWith("#"));
    assert.deepEqual(
      lines.filter((l) => /^(kernel\.pid_max|net\.core\.somaxconn|vm\.swappiness) /.test(l)),
      ["kernel.pid_max = 4194304", "net.core.somaxconn = 8192", "vm.swappiness = 0"],
    );
    assert.equal(lines.length, Object.keys(BOOTSTRAP_DEFAULTS.sysctl).length + 1);
    assert.equal(fileOf(doc, "/etc/sysctl.d/90-jobworker.conf").content, renderSysctlConf(resolveBootstrapSettings()));
  });

  it("installs the watcher script and its systemd unit, and starts it from runcmd after applying sysctl", () => {
    const script = fileOf(doc, "/usr/local/bin/jobworker-spot-interruption-watcher");
    assert.equal(script.content, readWatcherScript());
    assert.equal(script.permissions, "0755");
    const unit = fileOf(doc, "/etc/systemd/system/jobworker-spot-interruption-watcher.service");
    assert.match(unit.content, /\nExecStart=\/usr\/local\/bin\/jobworker-spot-interruption-watcher\n/);
    assert.match(unit.content, /\nEnvironment=WATCHER_INTERVAL_SECONDS=5\n/);
    assert.match(unit.content, /\nEnvironment=WATCHER_DRAIN_ON_REBALANCE=true\n/);
    assert.match(unit.content, /\nRestart=on-failure\n/);
    assert.deepEqual(doc.runcmd, [
      ["sysctl", "-p", "/etc/sysctl.d/90-jobworker.conf"],
      ["systemctl", "daemon-reload"],
      ["systemctl", "enable", "--now", "--no-block", "jobworker-spot-interruption-watcher.service"],
    ]);
  });

  it("installs the AWS CLI the watcher needs, without a package upgrade at boot", () => {
    assert.deepEqual(doc.packages, ["awscli-2"]);
    assert.equal(doc.package_update, false);
    assert.equal(doc.package_upgrade, false);
  });

  it("renders the watcher unit from its settings", () => {
    const unit = renderWatcherUnit({ intervalSeconds: 2, drainOnRebalance: false });
    assert.match(unit, /WATCHER_INTERVAL_SECONDS=2\n/);
    assert.match(unit, /WATCHER_DRAIN_ON_REBALANCE=false\n/);
  });

  it("refuses a cluster name ECS would not accept", () => {
    assert.throws(
      () => renderCloudConfig({ clusterName: "bad name\nECS_X=1", settings: resolveBootstrapSettings() }),
      /not a valid ECS cluster name/,
    );
  });
});

describe("user data", () => {
  it("is exactly #include and the URL", () => {
    assert.equal(
      renderUserData("https://b.s3.ap-northeast-1.amazonaws.com/cloud-config/cloud-config.yaml"),
      "#include\nhttps://b.s3.ap-northeast-1.amazonaws.com/cloud-config/cloud-config.yaml\n",
    );
  });

  for (const bad of ["http://b.s3.amazonaws.com/k", "https://b/k\nhttps://evil/x", ""]) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.throws(() => renderUserData(bad), /one https URL/));
  }
});
