/**
 * The prod program with the observability options on — the log archive and both documented daemons
 * (Mackerel, CloudWatch agent) — against the policy pack: still no mandatory violation, and every IAM
 * document it renders passes the IAM rule.
 */
import assert from "node:assert/strict";
import { evaluatePolicies } from "../../policy/evaluate";
import { policies } from "../../policy/policies";
import { toSnapshot } from "../../scripts/policy-check";
import { documentedDaemonExamples } from "../support/monitoring-doc";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PolicyPackConfig } from "@pulumi/policy";
import { readStackConfig, ROOT, runProgram } from "../support/pulumi";

describe("the prod program with the log archive and monitoring daemons against the policy pack", function () {
  this.timeout(180_000);

  it("passes every mandatory policy and the IAM document rule, judging the archive's and daemons' resources", async () => {
    const config = structuredClone(readStackConfig("prod"));
    config["jobworker:logging"] = { ...((config["jobworker:logging"] as object | undefined) ?? {}), archive: {} };
    config["jobworker:daemons"] = [...documentedDaemonExamples().values()].flat();
    const program = await runProgram(config, { stack: "prod" });
    const names = program.resources.map((r) => r.name);
    for (const expected of ["jobworker-archive", "jobworker-firehose", "jobworker-mackerel-execution", "jobworker-cloudwatch-agent-task"])
      assert.ok(names.includes(expected), `the program declares ${expected}`);
    // With the pack config CI passes (the log collector's host network is its documented exception).
    const packConfig = JSON.parse(readFileSync(join(ROOT, "policy", "config.json"), "utf8")) as PolicyPackConfig;
    const violations = await evaluatePolicies(
      policies,
      program.resources.map((r) => toSnapshot(r, "prod")),
      packConfig,
    );
    assert.deepEqual(
      violations
        .filter((v) => v.enforcementLevel === "mandatory" || v.policyName === "iam-policy-document-valid")
        .map((v) => `${v.policyName} on ${v.resource?.name}: ${v.message}`),
      [],
    );
  });
});
