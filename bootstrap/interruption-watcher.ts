/** The Spot interruption watcher as installed on an instance: its script and its systemd unit. */
import type { InterruptionWatcherSettings } from "./settings";

export const WATCHER_SERVICE = "jobworker-spot-interruption-watcher.service";
export const WATCHER_PATH = "/usr/local/bin/jobworker-spot-interruption-watcher";
export const WATCHER_UNIT_PATH = `/etc/systemd/system/${WATCHER_SERVICE}`;

/** The systemd unit: restarts on failure, exits 0 once it has drained the instance. */
export function renderWatcherUnit(settings: InterruptionWatcherSettings): string {
  return [
    "[Unit]",
    "Description=jobworker: drain this ECS container instance on a Spot interruption notice or rebalance recommendation",
    "Wants=network-online.target",
    "After=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `Environment=WATCHER_INTERVAL_SECONDS=${settings.intervalSeconds}`,
    `Environment=WATCHER_DRAIN_ON_REBALANCE=${settings.drainOnRebalance ? "true" : "false"}`,
    "Environment=WATCHER_STATE_DIR=/run/jobworker",
    `ExecStart=${WATCHER_PATH}`,
    "Restart=on-failure",
    "RestartSec=5",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}
