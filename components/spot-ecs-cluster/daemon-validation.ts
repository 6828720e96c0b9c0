/**
 * Checks of a daemon's container beyond name and size: environment names, no credential in a plain
 * variable, secrets as references IAM can grant, absolute read-only mounts, the network mode and the
 * privileged flag. Errors name the field and the fix, and never repeat a value that may be a secret.
 */
import { secretLookalike, splitSecretRef } from "../../catalog/secret-ref";
import type { DaemonSpec } from "./args";
import { SpotEcsClusterArgsError } from "./errors";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ABSOLUTE_PATH = /^\/[A-Za-z0-9._\/-]*$/;

function fail(field: string, detail: string): never {
  throw new SpotEcsClusterArgsError(field, detail);
}

export function validateDaemonContainer(d: DaemonSpec, at: string): void {
  if (d.networkMode !== undefined && d.networkMode !== "host" && d.networkMode !== "bridge")
    fail(`${at}.networkMode`, `${JSON.stringify(d.networkMode)} must be "host" or "bridge"`);
  if (d.privileged !== undefined && typeof d.privileged !== "boolean") fail(`${at}.privileged`, "must be true or false");
  for (const [name, value] of Object.entries(d.environment ?? {})) {
    if (!ENV_NAME.test(name)) fail(`${at}.environment`, `${JSON.stringify(name)} is not an environment variable name`);
    if (typeof value !== "string") fail(`${at}.environment.${name}`, "must be a string");
    const why = secretLookalike(name, value);
    if (why !== undefined)
      fail(
        `${at}.environment.${name}`,
        `looks like a secret (${why}); plain variables are visible in the task definition: store it in Secrets Manager or SSM and give it under \`secrets\` as \`${name}: secretsmanager:<name or ARN>\``,
      );
  }
  for (const [name, ref] of Object.entries(d.secrets ?? {})) {
    if (!ENV_NAME.test(name)) fail(`${at}.secrets`, `${JSON.stringify(name)} is not an environment variable name`);
    if (d.environment !== undefined && name in d.environment) fail(`${at}.secrets.${name}`, "is also in `environment`; give it once");
    const split = splitSecretRef(ref, "deployed");
    // The reference is not the value, but a value pasted by mistake would be: never echo it.
    if (split.problem !== undefined) fail(`${at}.secrets.${name}`, `is not a secret reference: ${split.problem}`);
  }
  const containerPaths = new Set<string>();
  (d.mounts ?? []).forEach((m, j) => {
    for (const key of ["hostPath", "containerPath"] as const) {
      const path = m[key];
      if (typeof path !== "string" || !ABSOLUTE_PATH.test(path) || path.split("/").includes(".."))
        fail(`${at}.mounts[${j}].${key}`, `${JSON.stringify(path)} must be an absolute path without \`..\`, like "/var/run/docker.sock"`);
    }
    if (containerPaths.has(m.containerPath)) fail(`${at}.mounts[${j}].containerPath`, `"${m.containerPath}" is mounted twice`);
    containerPaths.add(m.containerPath);
  });
}
