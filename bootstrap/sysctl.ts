/** `/etc/sysctl.d/90-jobworker.conf`: the kernel parameters of `BootstrapSettings.sysctl`. */
import type { BootstrapSettings } from "./settings";

export const SYSCTL_PATH = "/etc/sysctl.d/90-jobworker.conf";

export function renderSysctlConf(settings: BootstrapSettings): string {
  const lines = Object.entries(settings.sysctl)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} = ${v}\n`);
  return `# Written by jobworker's cloud-config; applied at boot by systemd-sysctl and by runcmd on first boot.\n${lines.join("")}`;
}
