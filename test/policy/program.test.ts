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
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { PolicyPackConfig } from "@pulumi/policy";
import { readStackConfig, ROOT, runProgram } from "../support/pulumi";

/** The pack config the workflows and `npm run policy:check` pass (`--policy-pack-config policy/config.json`). */
const packConfig = JSON.parse(readFileSync(join(ROOT, "policy", "config.json"), "utf8")) as PolicyPackConfig;

describe("the prod program against the policy pack", () => {
  let program: Awaited<ReturnType<typeof runProgram>>;
  let snapshots: ResourceSnapshot[];
  before(async () => {
    program = await runProgram(readStackConfig("prod"), { stack: "prod" });
    snapshots = program.resources.map((r) => toSnapshot(r, "prod"));
  });

  it("passes every policy with the pack config CI passes: 0 mandatory and 0 advisory findings", async () => {
    const violations = await evaluatePolicies(policies, snapshots, packConfig);
    assert.deepEqual(
      violations.map((v) => `[${v.enforcementLevel}] ${v.policyName} on ${v.resource?.name}: ${v.message}`),
      [],
    );
  });

  it("runs the log collector as the pack's one host-network exception, and only through the config's allow-list", async () => {
    const violations = await evaluatePolicies(policies, snapshots);
    const host = violations.filter((v) => v.policyName === "ecs-no-host-namespaces");
    assert.deepEqual(
      host.map((v) => v.resource?.name),
      ["jobworker-log-collector"],
    );
    const collector = snapshots.find((s) => s.type === TYPES.taskDefinition && s.name === "jobworker-log-collector")!;
    const [container] = JSON.parse(collector.inputs.containerDefinitions as string) as Record<string, any>[];
    assert.equal(container.user, "65534:65534");
    assert.equal(container.readonlyRootFilesystem, true);
    assert.deepEqual(container.linuxParameters.tmpfs, [{ containerPath: "/tmp", size: 8 }]);
    assert.match(container.image, /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/.+@sha256:[0-9a-f]{64}$/);
    assert.match(container.command[0], /> '\/tmp\/jobworker\.conf' && exec .* '-c' '\/tmp\/jobworker\.conf'$/);
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
    const violations = await evaluatePolicies(policies, mutated, packConfig);
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
