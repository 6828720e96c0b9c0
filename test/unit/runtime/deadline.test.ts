import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { DeadlineError, withDeadline } from "../../../workers/runtime/deadline";

const ROOT = join(__dirname, "..", "..", "..");

/**
 * The GC case runs in a child with `--expose-gc`, under the Node that runs the tests and under the
 * system's `node` (whatever version: AbortSignal.any lost its timeout to GC on Node 20).
 */
const SCRIPT = `
require("ts-node/register/transpile-only");
const { withDeadline } = require(${JSON.stringify(join(ROOT, "workers", "runtime", "deadline.ts"))});
const started = Date.now();
(function arm() {
  const { signal } = withDeadline(new AbortController().signal, 300, "test deadline");
  signal.addEventListener("abort", () => { console.log("aborted " + signal.reason.name + " " + (Date.now() - started)); process.exit(0); });
})();
setTimeout(() => globalThis.gc(), 100);
setTimeout(() => { console.log("never aborted"); process.exit(1); }, 3000);
`;

describe("deadline (a timer the code owns)", () => {
  for (const [which, node] of [
    ["the test runner's Node", process.execPath],
    ["the system's node", "node"],
  ] as const) {
    it(`still fires after a forced garbage collection mid-wait (${which})`, function () {
      this.timeout(20_000);
      const out = spawnSync(node, ["--expose-gc", "-e", SCRIPT], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, TS_NODE_PROJECT: join(ROOT, "tsconfig.json") },
      });
      assert.equal(out.status, 0, `${out.stdout}${out.stderr}`);
      assert.match(out.stdout, /^aborted DeadlineError \d+/);
    });
  }

  it("aborts with the parent's reason when the parent aborts first, and clear() stops the timer", async () => {
    const parent = new AbortController();
    const d = withDeadline(parent.signal, 60_000, "never");
    parent.abort(new Error("shutdown"));
    assert.equal(d.signal.aborted, true);
    assert.equal((d.signal.reason as Error).message, "shutdown");
    const cleared = withDeadline(undefined, 20, "cleared");
    cleared.clear();
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(cleared.signal.aborted, false);
  });

  it("aborts with a DeadlineError naming the deadline when the time runs out", async () => {
    const d = withDeadline(new AbortController().signal, 10, "job deadline reached (maxProcessingSeconds 1)");
    await new Promise((r) => d.signal.addEventListener("abort", r));
    assert.ok(d.signal.reason instanceof DeadlineError);
    assert.equal((d.signal.reason as DeadlineError).message, "job deadline reached (maxProcessingSeconds 1)");
    assert.equal((d.signal.reason as DeadlineError).timeoutMs, 10);
    d.clear();
  });
});
