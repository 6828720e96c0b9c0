/**
 * Starts a policy pack under the Pulumi CLI's own policy-pack runner (`@pulumi/pulumi/cmd/run-policy-pack`,
 * what `pulumi preview --policy-pack` spawns) and waits for the analyzer port it prints; stops it after.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { waitFor } from "./wait";

export interface RunnerStart {
  readonly port: number;
  /** What the runner wrote to stderr while loading the pack (errors and warnings). */
  readonly stderr: string;
}

/** Loads the pack in `packDir` with the runner under `nodeModules`; resolves once it serves, then stops it. */
export async function startPolicyPackRunner(packDir: string, nodeModules: string, timeoutMs: number): Promise<RunnerStart> {
  const runner = join(nodeModules, "@pulumi", "pulumi", "cmd", "run-policy-pack");
  const env = { ...process.env };
  // The runner registers ts-node itself (type-checked, with the pack's tsconfig.json): do not inherit
  // mocha's transpile-only settings.
  delete env.TS_NODE_TRANSPILE_ONLY;
  delete env.TS_NODE_PROJECT;
  const child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: packDir, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  try {
    const port = await waitFor(
      "the policy pack's analyzer port on stdout",
      () => {
        if (child.exitCode !== null) throw new Error(`runner exited ${child.exitCode}: ${stderr}`);
        return /^(\d+)\s*$/m.exec(stdout)?.[1];
      },
      { timeoutMs, intervalMs: 200 },
    );
    return { port: Number(port), stderr };
  } finally {
    child.kill("SIGTERM");
  }
}
