/**
 * The parts of a daemon's task definition that come from its spec beyond image and size: secrets by
 * reference (`valueFrom`), read-only host mounts (task `volumes` + container `mountPoints`) and the
 * privileged flag. Pure functions of plain values; the component resolves the account and region first.
 */
import type { AwsScope } from "../job-worker/policies";
import { ecsSecretValueFrom } from "../job-worker/policies";
import type { DaemonMount, DaemonSpec } from "./args";

/** The task volume name of a daemon's `i`-th mount. */
export const mountVolumeName = (i: number): string => `host-${i}`;

/** Task definition `volumes`: one bind mount per host path. */
export function daemonVolumes(mounts: readonly DaemonMount[] = []): { name: string; hostPath: string }[] {
  return mounts.map((m, i) => ({ name: mountVolumeName(i), hostPath: m.hostPath }));
}

/**
 * Container definition members for secrets, mounts and privilege (empty members are left out).
 * `secretScope` (account and region secret names resolve in) is needed only when the daemon has secrets.
 */
export function daemonContainerExtras(d: DaemonSpec, secretScope?: AwsScope): Record<string, unknown> {
  const entries = Object.entries(d.secrets ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length > 0 && secretScope === undefined)
    throw new Error(`daemon \`${d.name}\` has secrets but no account scope to resolve them in`);
  const secrets = entries.map(([name, ref]) => ({ name, valueFrom: ecsSecretValueFrom(ref, secretScope!) }));
  const mountPoints = (d.mounts ?? []).map((m, i) => ({
    sourceVolume: mountVolumeName(i),
    containerPath: m.containerPath,
    readOnly: true,
  }));
  return {
    ...(secrets.length > 0 ? { secrets } : {}),
    ...(mountPoints.length > 0 ? { mountPoints } : {}),
    privileged: d.privileged ?? false,
  };
}
