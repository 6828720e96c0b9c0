/**
 * Checks resolved bootstrap settings before anything is rendered: every value ends up in a file or
 * a command line on the instance, so a newline or a stray character would break boot, not preview.
 */
import { BootstrapSettingsError } from "./errors";
import type { BootstrapSettings } from "./settings";

const SYSCTL_KEY = /^[a-z0-9_-]+(\.[a-z0-9_*-]+)+$/;
const SYSCTL_VALUE = /^[A-Za-z0-9 ._:,\/-]+$/;
const ECS_KEY = /^ECS_[A-Z0-9_]+$/;
const PACKAGE = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
const ABSOLUTE_PATH = /^\/[A-Za-z0-9._\/-]+$/;
/** Set by the cluster itself; overriding them would detach instances from it or undo draining. */
export const RESERVED_ECS_KEYS = ["ECS_CLUSTER", "ECS_ENABLE_SPOT_INSTANCE_DRAINING", "ECS_CONTAINER_STOP_TIMEOUT"] as const;

/** Throws `BootstrapSettingsError` for the first wrong setting; `prefix` is how the caller names them. */
export function validateBootstrapSettings(s: BootstrapSettings, prefix = "bootstrap"): void {
  for (const [k, v] of Object.entries(s.sysctl)) {
    const field = `${prefix}.sysctl["${k}"]`;
    if (!SYSCTL_KEY.test(k))
      throw new BootstrapSettingsError(
        field,
        `"${k}" is not a kernel parameter name; expected dotted lower case like "net.core.somaxconn"`,
      );
    if (typeof v === "number" ? !Number.isFinite(v) : !SYSCTL_VALUE.test(v)) {
      throw new BootstrapSettingsError(
        field,
        `${JSON.stringify(v)} is not a sysctl value; expected a number or words of [A-Za-z0-9 ._:,/-] on one line`,
      );
    }
  }
  const stop = s.containerStopTimeoutSeconds;
  if (!Number.isInteger(stop) || stop < 1 || stop > 600) {
    throw new BootstrapSettingsError(
      `${prefix}.containerStopTimeoutSeconds`,
      `${JSON.stringify(stop)} must be a whole number of seconds from 1 to 600 (a Spot notice leaves 120)`,
    );
  }
  for (const [k, v] of Object.entries(s.ecsConfig)) {
    const field = `${prefix}.ecsConfig.${k}`;
    if (!ECS_KEY.test(k)) throw new BootstrapSettingsError(field, `"${k}" is not an ECS agent setting; expected an upper-case ECS_* name`);
    if ((RESERVED_ECS_KEYS as readonly string[]).includes(k)) {
      throw new BootstrapSettingsError(
        field,
        `${k} is set by SpotEcsCluster itself; remove it (use containerStopTimeoutSeconds for the stop timeout)`,
      );
    }
    if (typeof v !== "string" || /[\r\n]/.test(v))
      throw new BootstrapSettingsError(field, `${JSON.stringify(v)} must be a one-line string`);
  }
  const store = s.instanceStore;
  if (
    !ABSOLUTE_PATH.test(store.mountPoint) ||
    store.mountPoint.includes("..") ||
    ["/", "/var/lib/docker"].includes(store.mountPoint.replace(/\/+$/, "") || "/")
  ) {
    throw new BootstrapSettingsError(
      `${prefix}.instanceStore.mountPoint`,
      `${JSON.stringify(store.mountPoint)} must be an absolute directory like "/mnt/instance-store" (not "/" nor /var/lib/docker)`,
    );
  }
  if (!["xfs", "ext4"].includes(store.filesystem)) {
    throw new BootstrapSettingsError(`${prefix}.instanceStore.filesystem`, `${JSON.stringify(store.filesystem)} must be "xfs" or "ext4"`);
  }
  const interval = s.interruptionWatcher.intervalSeconds;
  if (!Number.isInteger(interval) || interval < 1 || interval > 30) {
    throw new BootstrapSettingsError(
      `${prefix}.interruptionWatcher.intervalSeconds`,
      `${JSON.stringify(interval)} must be a whole number of seconds from 1 to 30 (a Spot notice comes 120 s ahead)`,
    );
  }
  s.packages.forEach((p, i) => {
    if (!PACKAGE.test(p)) throw new BootstrapSettingsError(`${prefix}.packages[${i}]`, `${JSON.stringify(p)} is not a package name`);
  });
}
