/**
 * Structural checks of the delivery workflows (.github/workflows): they parse, they run the steps the
 * delivery flow promises, and they use OIDC roles rather than stored keys. The stack-listing step is
 * executed for real against a temporary directory.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { ROOT } from "../support/pulumi";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  id?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  uses?: string;
  needs?: string | string[];
  environment?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown>; "max-parallel"?: number };
  container?: string;
  outputs?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  name: string;
  on: Record<string, any>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, Job>;
}

const DIR = join(ROOT, ".github", "workflows");

function load(file: string): Workflow {
  const doc = parseDocument(readFileSync(join(DIR, file), "utf8"), { uniqueKeys: true });
  assert.deepEqual(
    doc.errors.map((e) => e.message),
    [],
    `${file} is not valid YAML`,
  );
  return doc.toJS() as Workflow;
}

function step(job: Job, uses: string): Step {
  const found = (job.steps ?? []).filter((s) => s.uses?.startsWith(`${uses}@`));
  assert.equal(found.length, 1, `expected one step using ${uses}`);
  return found[0];
}

describe("delivery workflows", () => {
  it("every workflow file parses as YAML with unique keys", () => {
    const files = readdirSync(DIR)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort();
    assert.deepEqual(files, ["checks.yml", "deploy.yml", "pull-request.yml"]);
    for (const f of files) load(f);
  });

  describe("checks.yml (called by both)", () => {
    const checks = load("checks.yml");

    it("is reusable and hands the stack list to its callers", () => {
      assert.ok(checks.on.workflow_call, "on.workflow_call");
      assert.equal(checks.on.workflow_call.outputs.stacks.value, "${{ jobs.stacks.outputs.stacks }}");
    });

    it("runs the whole test suite through .ci/run on a clean Debian container", () => {
      const test = checks.jobs.test;
      assert.match(test.container ?? "", /^node:24-bookworm/);
      assert.ok(
        test.steps?.some((s) => s.run?.trim() === ".ci/run"),
        "a step runs .ci/run",
      );
    });

    it("runs the offline policy check for every stack", () => {
      const job = checks.jobs["policy-check"];
      assert.equal(job.strategy?.matrix?.stack, "${{ fromJSON(needs.stacks.outputs.stacks) }}");
      assert.ok(job.steps?.some((s) => s.run === 'npm run policy:check -- --stack "${{ matrix.stack }}"'));
      assert.ok(
        job.steps?.some((s) => s.run?.startsWith("npm ci")),
        "installs with npm ci first",
      );
    });

    it("lists one stack per Pulumi.<stack>.yaml, prod last (the step's script, executed)", () => {
      const list = (checks.jobs.stacks.steps ?? []).find((s) => s.id === "list");
      assert.ok(list?.run);
      const dir = mkdtempSync(join(tmpdir(), "stacks-"));
      try {
        for (const f of ["Pulumi.yaml", "Pulumi.prod.yaml", "Pulumi.staging.yaml", "Pulumi.dev.yaml", "README.md"])
          writeFileSync(join(dir, f), "");
        const output = join(dir, "github-output");
        writeFileSync(output, "");
        execFileSync("bash", ["-e", "-c", list.run], { cwd: dir, env: { ...process.env, GITHUB_OUTPUT: output }, timeout: 30_000 });
        assert.equal(readFileSync(output, "utf8").trim(), 'stacks=["dev","staging","prod"]');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe("pull-request.yml", () => {
    const pr = load("pull-request.yml");
    const preview = pr.jobs.preview;

    it("runs on pull requests: checks first, then a preview per stack", () => {
      assert.ok(pr.on.pull_request, "on.pull_request");
      assert.equal(pr.jobs.checks.uses, "./.github/workflows/checks.yml");
      assert.equal(preview.needs, "checks");
      assert.equal(preview.strategy?.matrix?.stack, "${{ fromJSON(needs.checks.outputs.stacks) }}");
    });

    it("previews with the policy pack through the official action and comments on the pull request", () => {
      const pulumi = step(preview, "pulumi/actions");
      assert.equal(pulumi.with?.command, "preview");
      assert.equal(pulumi.with?.policyPacks, "policy");
      assert.equal(pulumi.with?.policyPackConfigs, "policy/config.json");
      assert.equal(pulumi.with?.["comment-on-pr"], true);
      assert.match(String(pulumi.with?.["stack-name"]), /\$\{\{ matrix\.stack \}\}$/);
      assert.equal(preview.permissions?.["pull-requests"], "write");
    });

    it("gets AWS credentials by assuming the preview role with OIDC", () => {
      const aws = step(preview, "aws-actions/configure-aws-credentials");
      assert.equal(aws.with?.["role-to-assume"], "${{ vars.AWS_PREVIEW_ROLE_ARN }}");
      assert.equal(preview.permissions?.["id-token"], "write");
      const order = (preview.steps ?? []).map((s) => s.uses?.split("@")[0]);
      assert.ok(order.indexOf("aws-actions/configure-aws-credentials") < order.indexOf("pulumi/actions"), "credentials before preview");
    });
  });

  describe("deploy.yml", () => {
    const deploy = load("deploy.yml");
    const up = deploy.jobs.up;

    it("runs on pushes to main, after the checks, one deployment at a time", () => {
      assert.deepEqual(deploy.on.push.branches, ["main"]);
      assert.equal(deploy.jobs.checks.uses, "./.github/workflows/checks.yml");
      assert.equal(up.needs, "checks");
      assert.equal(deploy.concurrency?.["cancel-in-progress"], false);
      assert.equal(up.strategy?.["max-parallel"], 1);
    });

    it("runs pulumi up with the policy pack, each stack in its own GitHub environment (prod's requires approval)", () => {
      assert.equal(up.environment, "${{ matrix.stack }}");
      const pulumi = step(up, "pulumi/actions");
      assert.equal(pulumi.with?.command, "up");
      assert.equal(pulumi.with?.policyPacks, "policy");
      assert.match(String(pulumi.with?.["stack-name"]), /\$\{\{ matrix\.stack \}\}$/);
    });

    it("assumes the environment's deploy role with OIDC", () => {
      assert.equal(step(up, "aws-actions/configure-aws-credentials").with?.["role-to-assume"], "${{ vars.AWS_DEPLOY_ROLE_ARN }}");
      assert.equal(up.permissions?.["id-token"], "write");
    });
  });

  it("stores no long-lived cloud keys: no access keys, no Pulumi access token secret", () => {
    for (const file of readdirSync(DIR)) {
      const text = readFileSync(join(DIR, file), "utf8");
      for (const banned of [
        /aws-access-key-id/i,
        /aws-secret-access-key/i,
        /AWS_SECRET_ACCESS_KEY/,
        /AWS_ACCESS_KEY_ID/,
        /secrets\.PULUMI_ACCESS_TOKEN/,
      ]) {
        assert.doesNotMatch(text, banned, `${file} mentions ${banned}`);
      }
      assert.deepEqual(load(file).permissions, { contents: "read" }, `${file}: read-only by default; jobs widen it`);
    }
  });
});
