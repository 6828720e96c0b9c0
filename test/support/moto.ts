/**
 * moto server on loopback, started per test file and stopped after it. Installed into .venv by
 * scripts/setup.sh; a missing install fails the test with the command to run.
 */
import { ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./ports";
import { waitFor } from "./wait";

export const MOTO_BIN = join(__dirname, "..", "..", ".venv", "bin", "moto_server");

export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  /** Settings for AWS SDK v3 clients pointed at this server. */
  readonly clientConfig: {
    region: string;
    endpoint: string;
    forcePathStyle: boolean;
    credentials: { accessKeyId: string; secretAccessKey: string };
  };
  /** Environment for child processes (`jobworker run`, the AWS CLI). */
  readonly env: Record<string, string>;
  /** Drops all state (moto's reset API). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export const TEST_REGION = "ap-northeast-1";

export async function startMoto(): Promise<MotoServer> {
  if (!existsSync(MOTO_BIN)) {
    throw new Error(`moto server is not installed at ${MOTO_BIN}: run \`bash scripts/setup.sh\` (creates .venv with moto[server])`);
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(MOTO_BIN, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: "true" },
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  let exited = false;
  child.once("exit", () => (exited = true));
  await waitFor(
    `moto server on ${endpoint}`,
    async () => {
      if (exited) throw new Error(`moto server exited: ${stderr}`);
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      return res.ok;
    },
    { timeoutMs: 30_000, intervalMs: 150 },
  );
  const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
  return {
    endpoint,
    port,
    clientConfig: { region: TEST_REGION, endpoint, forcePathStyle: true, credentials },
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: TEST_REGION,
      AWS_DEFAULT_REGION: TEST_REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_S3_FORCE_PATH_STYLE: "true",
    },
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      if (!res.ok) throw new Error(`moto reset failed: ${res.status}`);
    },
    async stop() {
      if (exited) return;
      const done = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await done;
      clearTimeout(timer);
    },
  };
}
