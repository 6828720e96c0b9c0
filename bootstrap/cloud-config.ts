/**
 * Renders the `#cloud-config` document every instance includes at boot, from typed settings. Pure:
 * same input, same text. Module reference: https://cloudinit.readthedocs.io/en/latest/reference/modules.html
 *
 * Order on the instance: `bootcmd` (init stage, every boot, before docker.service) mounts the
 * instance store under Docker's data directory; `write_files` puts ecs.config, the sysctl file, the
 * watcher and its unit in place; `packages` installs the AWS CLI; `runcmd` (final stage) applies
 * the sysctl file and starts the watcher. The ECS agent starts after cloud-final, so it reads the
 * ecs.config written here.
 */
import { renderEcsConfig } from "./ecs-config";
import { readInstanceStoreScript, readWatcherScript } from "./files";
import { renderWatcherUnit, WATCHER_PATH, WATCHER_SERVICE, WATCHER_UNIT_PATH } from "./interruption-watcher";
import { BootstrapSettings } from "./settings";
import { renderSysctlConf, SYSCTL_PATH } from "./sysctl";
import { validateBootstrapSettings } from "./validation";
import { toYaml, YamlValue } from "./yaml";

export interface CloudConfigInput {
  /** The ECS cluster instances join. */
  readonly clusterName: string;
  readonly settings: BootstrapSettings;
}

export type CloudConfigDocument = { readonly [key: string]: YamlValue };

/** The document as data (what `cloud-init` will see after parsing). */
export function cloudConfigDocument({ clusterName, settings }: CloudConfigInput): CloudConfigDocument {
  validateBootstrapSettings(settings);
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(clusterName))
    throw new Error(`cluster name ${JSON.stringify(clusterName)} is not a valid ECS cluster name`);
  const store = settings.instanceStore;
  const doc: Record<string, YamlValue> = {};
  if (store.enabled) {
    // A list command is run without a shell, quoted: bash -c <script> <$0> <$1> <$2>.
    doc.bootcmd = [["bash", "-c", readInstanceStoreScript(), "jobworker-instance-store", store.mountPoint, store.filesystem]];
  }
  doc.package_update = false;
  doc.package_upgrade = false;
  if (settings.packages.length > 0) doc.packages = [...settings.packages];
  doc.write_files = [
    { path: "/etc/ecs/ecs.config", owner: "root:root", permissions: "0644", content: renderEcsConfig(clusterName, settings) },
    { path: SYSCTL_PATH, owner: "root:root", permissions: "0644", content: renderSysctlConf(settings) },
    { path: WATCHER_PATH, owner: "root:root", permissions: "0755", content: readWatcherScript() },
    { path: WATCHER_UNIT_PATH, owner: "root:root", permissions: "0644", content: renderWatcherUnit(settings.interruptionWatcher) },
  ];
  doc.runcmd = [
    ["sysctl", "-p", SYSCTL_PATH],
    ["systemctl", "daemon-reload"],
    ["systemctl", "enable", "--now", "--no-block", WATCHER_SERVICE],
  ];
  return doc;
}

/** The document's text, starting with the `#cloud-config` header line. */
export function renderCloudConfig(input: CloudConfigInput): string {
  return `#cloud-config\n${toYaml(cloudConfigDocument(input))}`;
}
