/**
 * The catalogue: realistic misconfigurations, as small programs under Pulumi mocks and as stack files
 * run through the real program, each caught by the pack (with the pack config CI passes) at its
 * documented level, on its resource, with a message naming that resource and field.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PolicyPackConfig } from "@pulumi/policy";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { evaluatePolicies, type Violation } from "../../policy/evaluate";
import { policies } from "../../policy/policies";
import { check, toSnapshot } from "../../scripts/policy-check";
import { ROOT, startMocks } from "../support/pulumi";
import { MISCONFIGURATIONS, STACK_FILE_MISCONFIGURATIONS } from "./catalogue.fixtures";

const packConfig = JSON.parse(readFileSync(join(ROOT, "policy", "config.json"), "utf8")) as PolicyPackConfig;

/** The level a policy is documented at (README's table is generated from the same list). */
function documentedLevel(name: string): string {
  const policy = policies.find((p) => p.name === name);
  assert.ok(policy, `no policy \`${name}\``);
  return policy.enforcementLevel ?? "advisory";
}

function assertCaught(found: readonly Violation[], c: { policy: string; resource: string; names: string }): void {
  const hits = found.filter((v) => v.policyName === c.policy && v.resource?.name === c.resource);
  assert.ok(
    hits.length > 0,
    `${c.policy} did not catch \`${c.resource}\`; findings: ${JSON.stringify(
      found.map((v) => `${v.policyName} on ${v.resource?.name}: ${v.message}`),
      null,
      2,
    )}`,
  );
  for (const v of hits) assert.equal(v.enforcementLevel, documentedLevel(c.policy), `${c.policy} level`);
  assert.ok(
    hits.some((v) => v.message.includes(c.names)),
    `no message names ${JSON.stringify(c.names)}: ${JSON.stringify(hits.map((v) => v.message))}`,
  );
}

describe("catalogue of misconfigurations as small programs", function () {
  this.timeout(60_000);

  it("holds at least 40 distinct misconfigurations across every category", () => {
    assert.ok(MISCONFIGURATIONS.length >= 40, `${MISCONFIGURATIONS.length}`);
    assert.equal(new Set(MISCONFIGURATIONS.map((m) => m.title)).size, MISCONFIGURATIONS.length);
    const categories = new Set(MISCONFIGURATIONS.map((m) => m.category));
    assert.deepEqual([...categories].sort(), ["CloudWatch", "EC2", "ECR", "ECS", "IAM", "KMS", "Lambda", "S3", "SQS"]);
  });

  for (const m of MISCONFIGURATIONS) {
    it(`${m.category}: catches ${m.title} (${m.policy})`, async () => {
      const stack = startMocks({ stack: "catalogue" });
      m.program();
      await stack.settle();
      const found = await evaluatePolicies(
        policies,
        stack.resources.map((r) => toSnapshot(r, "catalogue")),
        packConfig,
      );
      assertCaught(found, m);
    });
  }
});

describe("catalogue of misconfigurations as stack files (the real program, as npm run policy:check runs it)", function () {
  this.timeout(300_000);
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), "policy-catalogue-"))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [i, m] of STACK_FILE_MISCONFIGURATIONS.entries()) {
    it(`catches ${m.title} (${m.policy})`, async () => {
      const doc = parseYaml(readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, any> };
      m.change(doc.config);
      const file = join(dir, `Pulumi.catalogue-${i}.yaml`);
      writeFileSync(file, stringifyYaml(doc));
      const { violations, report } = await check({ stack: "prod", configFile: file });
      assertCaught(violations, m);
      assert.match(
        report,
        new RegExp(`- \\[${documentedLevel(m.policy)}\\] {2}${m.policy} {2}\\[[^\\]]+\\]`),
        "the report names the policy and its controls",
      );
    });
  }
});
