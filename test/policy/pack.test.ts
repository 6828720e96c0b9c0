/**
 * The pack as the Pulumi CLI loads it (`pulumi preview --policy-pack policy`): the analyzer runs
 * `@pulumi/pulumi/cmd/run-policy-pack` in the pack's directory, which compiles `main` with ts-node
 * (type-checked, policy/tsconfig.json) and constructs the PolicyPack, whose gRPC server prints its port.
 * Run in a child process and stopped: constructing a pack in the test process would start a server here.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { ROOT } from "../support/pulumi";
import { startPolicyPackRunner } from "../support/policy-runner";

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
    // config.json is the pack config the workflows pass: policy settings only; levels live in policies.ts.
    const config = JSON.parse(readFileSync(join(PACK, "config.json"), "utf8")) as Record<string, unknown>;
    for (const [name, entry] of Object.entries(config)) {
      assert.equal(typeof entry, "object", `${name} sets a level in config.json`);
      assert.equal((entry as Record<string, unknown>).enforcementLevel, undefined, `${name} sets a level in config.json`);
    }
  });

  it("starts under the CLI's policy-pack runner and serves the analyzer", async function () {
    this.timeout(120_000);
    const { port, stderr } = await startPolicyPackRunner(PACK, join(ROOT, "node_modules"), 100_000);
    assert.ok(port > 0, `port ${port}`);
    assert.equal(stderr.trim(), "", "no errors or warnings while loading the pack");
  });
});
