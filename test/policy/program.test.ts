/**
 * The whole program (index.ts with the prod stack's configuration) against the pack, through the same
 * path `npm run policy:check` takes: the prod stack must pass every mandatory policy.
 */
import assert from "node:assert/strict";
import { evaluatePolicies, hasMandatory } from "../../policy/evaluate";
import { policies } from "../../policy/policies";
import { TYPES } from "../../policy/types";
import { check, toSnapshot } from "../../scripts/policy-check";
import { readStackConfig, runProgram } from "../support/pulumi";

describe("the prod program against the policy pack", () => {
  it("passes every mandatory policy", async () => {
    const { violations, report } = await check({ stack: "prod" });
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
    assert.deepEqual(mandatory.map((v) => `${v.policyName}: ${v.message}`), [], report);
  });

  it("gives the policies the resources they judge (the check cannot pass by seeing nothing)", async () => {
    const program = await runProgram(readStackConfig("prod"), { stack: "prod" });
    const types = new Set(program.resources.map((r) => r.type));
    for (const type of [TYPES.taskDefinition, TYPES.service, TYPES.launchTemplate, TYPES.spotFleetRequest, TYPES.bucket, TYPES.publicAccessBlock, TYPES.encryption]) {
      assert.ok(types.has(type), `the prod program registers no ${type}; registered: ${[...types].sort().join(", ")}`);
    }
    assert.ok(program.resources.every((r) => r.urn?.startsWith("urn:pulumi:prod::jobworker::")), "every resource has its URN");
  });

  it("fails when one container of the real program loses its memory limit", async () => {
    const program = await runProgram(readStackConfig("prod"), { stack: "prod" });
    const snapshots = program.resources.map((r) => toSnapshot(r, "prod"));
    const index = snapshots.findIndex((s) => s.type === TYPES.taskDefinition);
    const target = snapshots[index];
    const containers = JSON.parse(target.inputs.containerDefinitions) as Record<string, unknown>[];
    delete containers[0].memory;
    delete containers[0].memoryReservation;
    snapshots[index] = { ...target, inputs: { ...target.inputs, containerDefinitions: JSON.stringify(containers) } };
    const violations = await evaluatePolicies(policies, snapshots);
    assert.equal(hasMandatory(violations), true);
    const limits = violations.filter((v) => v.policyName === "ecs-container-resource-limits");
    assert.equal(limits.length, 1);
    assert.match(limits[0].message, new RegExp(`^container \`${String(containers[0].name)}\` of task definition \`.+\` must set a hard \`memory\` limit`));
    assert.equal(limits[0].resource?.urn, target.urn);
  });
});
