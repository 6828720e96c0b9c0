/**
 * The whole program (index.ts with the prod stack's configuration) against the pack, through the same
 * path `npm run policy:check` takes (mocks → snapshots → evaluatePolicies): the prod stack must pass
 * every mandatory policy, and the check must be able to fail on the real graph.
 */
import assert from "node:assert/strict";
import { evaluatePolicies, hasMandatory, type ResourceSnapshot } from "../../policy/evaluate";
import { policies } from "../../policy/policies";
import { TYPES } from "../../policy/types";
import { toSnapshot } from "../../scripts/policy-check";
import { readStackConfig, runProgram } from "../support/pulumi";

describe("the prod program against the policy pack", () => {
  let program: Awaited<ReturnType<typeof runProgram>>;
  let snapshots: ResourceSnapshot[];
  before(async () => {
    program = await runProgram(readStackConfig("prod"), { stack: "prod" });
    snapshots = program.resources.map((r) => toSnapshot(r, "prod"));
  });

  it("passes every mandatory policy", async () => {
    const violations = await evaluatePolicies(policies, snapshots);
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
    assert.deepEqual(
      mandatory.map((v) => `${v.policyName} on ${v.resource?.name}: ${v.message}`),
      [],
    );
  });

  it("has no finding of the IAM document and Lambda runtime policies, advisory ones included", async () => {
    const violations = await evaluatePolicies(
      policies.filter((p) => p.name === "iam-policy-document-valid" || p.name === "lambda-supported-runtime"),
      snapshots,
    );
    assert.deepEqual(
      violations.map((v) => `${v.policyName} on ${v.resource?.name}: ${v.message}`),
      [],
    );
  });

  it("gives the policies the resources they judge (the check cannot pass by seeing nothing)", () => {
    const types = new Set(program.resources.map((r) => r.type));
    for (const type of [
      TYPES.taskDefinition,
      TYPES.service,
      TYPES.launchTemplate,
      TYPES.spotFleetRequest,
      TYPES.bucket,
      TYPES.publicAccessBlock,
      TYPES.encryption,
      TYPES.queue,
      TYPES.ecrRepository,
      TYPES.scalableTarget,
      TYPES.scalingPolicy,
      TYPES.metricAlarm,
      TYPES.role,
      TYPES.rolePolicy,
      TYPES.bucketPolicy,
      TYPES.queuePolicy,
      TYPES.kmsKey,
      TYPES.lambdaFunction,
      TYPES.lambdaPermission,
    ]) {
      assert.ok(types.has(type), `the prod program registers no ${type}; registered: ${[...types].sort().join(", ")}`);
    }
    assert.ok(
      program.resources.every((r) => r.urn?.startsWith("urn:pulumi:prod::jobworker::")),
      "every resource has its URN",
    );
  });

  it("fails when one container of the real program loses its memory limit", async () => {
    const index = snapshots.findIndex((s) => s.type === TYPES.taskDefinition);
    const target = snapshots[index];
    const containers = JSON.parse(target.inputs.containerDefinitions as string) as Record<string, unknown>[];
    delete containers[0].memory;
    delete containers[0].memoryReservation;
    const mutated = snapshots.map((s, i) =>
      i === index ? { ...s, inputs: { ...s.inputs, containerDefinitions: JSON.stringify(containers) } } : s,
    );
    const violations = await evaluatePolicies(policies, mutated);
    assert.equal(hasMandatory(violations), true);
    const limits = violations.filter((v) => v.policyName === "ecs-container-resource-limits");
    assert.equal(limits.length, 1);
    assert.match(
      limits[0].message,
      new RegExp(`^container \`${String(containers[0].name)}\` of task definition \`.+\` must set a hard \`memory\` limit`),
    );
    assert.equal(limits[0].resource?.urn, target.urn);
  });

  it("fails when the workers' roles trust with a `Resource` again (IAM refuses such a role)", async () => {
    const roles = snapshots.filter((s) => s.type === TYPES.role && s.name.endsWith("-task-role"));
    assert.ok(roles.length >= 3, "one task role per worker");
    const mutated = snapshots.map((s) => {
      if (!roles.includes(s)) return s;
      const trust = JSON.parse(s.inputs.assumeRolePolicy as string);
      trust.Statement[0].Resource = "*";
      return { ...s, inputs: { ...s.inputs, assumeRolePolicy: JSON.stringify(trust) } };
    });
    const violations = (await evaluatePolicies(policies, mutated)).filter((v) => v.policyName === "iam-policy-document-valid");
    assert.deepEqual(
      violations.map((v) => v.resource?.urn),
      roles.map((r) => r.urn),
    );
    for (const v of violations) {
      assert.equal(v.enforcementLevel, "mandatory");
      assert.match(v.message, /^IAM role `[^`]+-task-role`: `assumeRolePolicy\.Statement\[0\]\.Resource` is not allowed in a trust policy/);
    }
  });

  it("fails when a worker's backlog alarms are gone (the stack policy follows the real graph)", async () => {
    const services = snapshots.filter((s) => s.type === TYPES.service && s.inputs.schedulingStrategy !== "DAEMON");
    assert.ok(services.length >= 3, "one service per worker");
    const withoutAlarms = snapshots.filter((s) => s.type !== TYPES.metricAlarm);
    const violations = (await evaluatePolicies(policies, withoutAlarms)).filter((v) => v.policyName === "ecs-queue-consumer-scaling");
    assert.deepEqual(new Set(violations.map((v) => v.resource?.urn)), new Set(services.map((s) => s.urn)));
    for (const v of violations) assert.match(v.message, /consumes SQS queue `[^`]+` but no CloudWatch alarm watches its backlog/);
  });
});
