/**
 * `npm run policy:check` as CI runs it: a child process, judged by its exit code and output.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { ROOT } from "../support/pulumi";

function policyCheck(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync("npm", ["run", "-s", "policy:check", "--", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
    // Type checking is `npm run typecheck`'s job; the check itself runs transpile-only here for speed.
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true" },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run policy:check", function () {
  this.timeout(150_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "policy-check-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The prod stack file with one change, written to a temporary file. */
  function prodWith(change: (config: Record<string, any>) => void): string {
    const doc = parseYaml(readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, any> };
    change(doc.config);
    const file = join(dir, `Pulumi.broken-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, stringifyYaml(doc));
    return file;
  }

  for (const stack of ["prod", "staging"]) {
    it(`exits 0 on the ${stack} stack and prints the verdict like pulumi preview`, () => {
      const { status, stdout, stderr } = policyCheck("--stack", stack);
      assert.equal(status, 0, `${stdout}\n${stderr}`);
      assert.match(
        stdout,
        new RegExp(
          String.raw`^Policies:\n {4}\S+ +jobworker@v0\.1\.0 \(local: policy, offline check of stack ${stack}: \d+ resources, 46 policies\)`,
        ),
      );
      assert.match(stdout, / 0 mandatory, \d+ advisory violation\(s\)$/m);
    });
  }

  it("exits 1 when a mandatory policy is violated, naming the resource and the policy", () => {
    // A pack config the prod fleet cannot meet: more instance types than it lists.
    const listed = (parseYaml(readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8")).config["jobworker:fleet"].instanceTypes as string[])
      .length;
    const policyConfig = join(dir, "strict.json");
    // A config file replaces policy/config.json (as --policy-pack-config does), so it keeps the repository's settings.
    const repository = JSON.parse(readFileSync(join(ROOT, "policy", "config.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(policyConfig, JSON.stringify({ ...repository, "spot-fleet-diversified": { minInstanceTypes: listed + 1 } }));
    const { status, stdout } = policyCheck("--stack", "prod", "--policy-config", policyConfig);
    assert.equal(status, 1, stdout);
    assert.match(stdout, /^ {4}❌ jobworker@v0\.1\.0/m);
    // Grouped by resource: the fleet request's header, then its violation (level, policy, description, message).
    assert.match(
      stdout,
      new RegExp(
        String.raw`^ {8}aws:ec2/spotFleetRequest:SpotFleetRequest: \S+\n {10}- \[mandatory\] {2}spot-fleet-diversified {2}\[jobworker\]\n {12}Checks whether .*\n` +
          String.raw` {12}Spot Fleet request \S+ lists ${listed} instance type\(s\) .*: list at least ${listed + 1} `,
        "m",
      ),
    );
    assert.match(stdout, /^ {4}1 mandatory, \d+ advisory violation\(s\)$/m);
  });

  it("exits 2 with the key when the stack configuration is broken (a worker with no memory limit)", () => {
    // The program validates its config before declaring resources, so a worker without a memory limit
    // never reaches the policies: the check fails with the key (and the pack would catch it if it did).
    const broken = prodWith((config) => delete config["jobworker:workers"]["feed-normalize"].memory);
    const { status, stdout, stderr } = policyCheck("--config", broken);
    assert.equal(status, 2, `${stdout}\n${stderr}`);
    assert.match(stderr, /^policy check could not run: the program failed: [\s\S]*`jobworker:workers\.feed-normalize\.memory`/);
    assert.equal(stdout, "", "no verdict is printed when the program did not run");
  });

  it("exits 2 on a bad argument or a missing file", () => {
    const unknown = policyCheck("--stak", "prod");
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown argument `--stak`/);
    const missing = policyCheck("--stack", "nosuchstack");
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /stack config file `.*Pulumi\.nosuchstack\.yaml` does not exist/);
  });
});
