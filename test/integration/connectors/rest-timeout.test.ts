import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { startHttpRecorder, type HttpRecorder } from "../../support/http-recorder";

const ROOT = join(__dirname, "..", "..", "..");
const CHILD = join(__dirname, "fixtures", "rest-gc-child.ts");
/**
 * The system `nodejs` package (Node 20 on this machine, where `AbortSignal.any` lost its
 * `AbortSignal.timeout` after a collection); scripts/setup.sh installs it when missing.
 */
const SYSTEM_NODE = "/usr/bin/node";
const TIMEOUT_SECONDS = 1;
/** Far beyond the 1 s timeout: a child still running then has lost its timeout. */
const CHILD_LIMIT_MS = 15_000;

interface ChildOutcome {
  readonly outcome: "delivered" | "rejected";
  readonly retryable?: boolean;
  readonly message?: string;
  readonly ms?: number;
}

/** Runs the child under `node --expose-gc`; kills it (and reports "pending") when it outlives the limit. */
function runChild(node: string, url: string): Promise<ChildOutcome | "pending"> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, ["--expose-gc", "-r", "ts-node/register/transpile-only", CHILD, url, String(TIMEOUT_SECONDS)], {
      cwd: ROOT,
      env: { ...process.env, TS_NODE_PROJECT: join(ROOT, "tsconfig.json") },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
    }, CHILD_LIMIT_MS);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (killed) return resolve("pending");
      if (code !== 0) return reject(new Error(`child exited ${code}: ${err}`));
      resolve(JSON.parse(out.trim().split("\n").pop()!) as ChildOutcome);
    });
  });
}

describe("REST connector per-request timeout under garbage collection (node --expose-gc)", function () {
  this.timeout(60_000);
  let server: HttpRecorder;
  before(async () => {
    server = await startHttpRecorder();
    // Reads every request and never answers.
    server.script(() => "hang");
  });
  after(async () => server?.stop());

  const nodes: Array<[string, string]> = [
    ["Node 24 (the worker image's)", process.execPath],
    [`the system node ${execFileSync(SYSTEM_NODE, ["--version"]).toString().trim()}`, SYSTEM_NODE],
  ];
  for (const [what, node] of nodes) {
    it(`rejects as retryable when a server never answers, with collections forced mid-request, on ${what}`, async () => {
      const before = server.requests.length;
      const result = await runChild(node, `${server.url}/v1/hang`);
      assert.notEqual(result, "pending", `deliver() was still pending ${CHILD_LIMIT_MS} ms after the request: the timeout was lost`);
      assert.equal(server.requests.length - before, 1, "the server read the one request");
      const { outcome, retryable, message } = result as ChildOutcome;
      assert.deepEqual(
        { outcome, retryable, message },
        { outcome: "rejected", retryable: true, message: `gave up after 1 attempts: no response within ${TIMEOUT_SECONDS * 1000} ms` },
      );
    });
  }
});
