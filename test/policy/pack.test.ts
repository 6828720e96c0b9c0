/**
 * The pack as the Pulumi CLI loads it (`pulumi preview --policy-pack policy`): the analyzer runs
 * `@pulumi/pulumi/cmd/run-policy-pack` in the pack's directory, which compiles `main` with ts-node
 * (type-checked, policy/tsconfig.json) and constructs the PolicyPack, whose gRPC server prints its port.
 * Run in a child process and stopped: constructing a pack in the test process would start a server here.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { ROOT } from "../support/pulumi";
import { waitFor } from "../support/wait";

const PACK = join(ROOT, "policy");

describe("policy pack packaging", () => {
  it("has a PulumiPolicy.yaml for the Node runtime and a versioned package whose main exists", () => {
    const manifest = parseYaml(readFileSync(join(PACK, "PulumiPolicy.yaml"), "utf8")) as { runtime: unknown; description: string };
    assert.equal(manifest.runtime, "nodejs");
    const pkg = JSON.parse(readFileSync(join(PACK, "package.json"), "utf8")) as {
      main: string;
      version: string;
      dependencies: Record<string, string>;
    };
    assert.equal(pkg.main, "index.ts");
    assert.ok(existsSync(join(PACK, pkg.main)));
    assert.match(pkg.version, /^\d+\.\d+\.\d+/, "PolicyPack refuses to start without a version");
    assert.ok(pkg.dependencies["@pulumi/policy"], "depends on @pulumi/policy");
    assert.deepEqual(
      JSON.parse(readFileSync(join(PACK, "config.json"), "utf8")),
      {},
      "config.json is the pack config the workflows pass; levels live in policies.ts",
    );
  });

  it("starts under the CLI's policy-pack runner and serves the analyzer", async function () {
    this.timeout(120_000);
    const runner = join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
    const env = { ...process.env };
    // The runner registers ts-node itself (type-checked, with policy/tsconfig.json): do not inherit
    // mocha's transpile-only settings.
    delete env.TS_NODE_TRANSPILE_ONLY;
    delete env.TS_NODE_PROJECT;
    const child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: PACK, env, stdio: ["ignore", "pipe", "pipe"] });
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
        { timeoutMs: 100_000, intervalMs: 200 },
      );
      assert.ok(Number(port) > 0, `port ${port}`);
      assert.equal(stderr.trim(), "", "no errors or warnings while loading the pack");
    } finally {
      child.kill("SIGTERM");
    }
  });
});
