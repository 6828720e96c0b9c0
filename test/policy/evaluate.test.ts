import assert from "node:assert/strict";
import type { Policy, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { enforcementLevelOf, evaluatePolicies, hasMandatory } from "../../policy/evaluate";
import { policies } from "../../policy/policies";
import { containerReadOnlyRootFilesystem, containerResourceLimits } from "../../policy/rules/ecs-containers";
import { container, resource, taskDefinition, UNKNOWN_STRING, without } from "./fixtures";

const limitsPolicy = containerResourceLimits as Policy;

describe("offline evaluation of the pack", () => {
  it("resolves the enforcement level: policy entry, then `all`, then the policy, then the pack (table)", () => {
    const cases: [string, Parameters<typeof enforcementLevelOf>[1], string][] = [
      ["no config: the policy's own level", {}, "mandatory"],
      ["a level string", { "ecs-container-resource-limits": "advisory" }, "advisory"],
      ["an object with a level", { "ecs-container-resource-limits": { enforcementLevel: "disabled", minCpuUnits: 2 } }, "disabled"],
      ["`all`", { all: "advisory" }, "advisory"],
      ["a policy entry beats `all`", { all: "advisory", "ecs-container-resource-limits": "mandatory" }, "mandatory"],
      ["remediate reports as mandatory", { "ecs-container-resource-limits": "remediate" }, "mandatory"],
    ];
    for (const [title, config, expected] of cases) assert.equal(enforcementLevelOf(limitsPolicy, config), expected, title);
    assert.equal(enforcementLevelOf({ name: "x", description: "Checks whether x" }, {}, "advisory"), "advisory", "pack default");
  });

  it("gives resource policies the inputs and stack policies the outputs", async () => {
    const seen: Record<string, unknown> = {};
    // Props arrive through the SDK's unknown-checking proxy, as the engine sends them: copy to compare.
    const resourcePolicy: ResourceValidationPolicy = {
      name: "sees-inputs",
      description: "Checks whether inputs arrive",
      enforcementLevel: "advisory",
      validateResource: (args) => {
        seen.resource = { ...args.props };
      },
    };
    const stackPolicy: StackValidationPolicy = {
      name: "sees-outputs",
      description: "Checks whether outputs arrive",
      enforcementLevel: "advisory",
      validateStack: (args) => {
        seen.stack = args.resources.map((r) => ({ ...r.props }));
      },
    };
    const r = resource("aws:sqs/queue:Queue", "q", { name: "q" }, { arn: "arn:q" });
    await evaluatePolicies([resourcePolicy, stackPolicy], [r]);
    assert.deepEqual(seen.resource, { name: "q" });
    assert.deepEqual(seen.stack, [{ id: "q-id", name: "q", arn: "arn:q" }]);
  });

  it("skips disabled policies and downgrades by config", async () => {
    const bad = taskDefinition([without(container({ readonlyRootFilesystem: false }), "memory")]);
    const all = await evaluatePolicies(policies, [bad]);
    assert.deepEqual(
      all.map((v) => [v.policyName, v.enforcementLevel]),
      [
        ["ecs-container-resource-limits", "mandatory"],
        ["ecs-container-read-only-root-filesystem", "mandatory"],
      ],
    );
    assert.equal(hasMandatory(all), true);
    const relaxed = await evaluatePolicies(policies, [bad], {
      "ecs-container-resource-limits": "advisory",
      [containerReadOnlyRootFilesystem.name]: "disabled",
    });
    assert.deepEqual(
      relaxed.map((v) => [v.policyName, v.enforcementLevel]),
      [["ecs-container-resource-limits", "advisory"]],
    );
    assert.equal(hasMandatory(relaxed), false);
  });

  it("reports a policy that reads a value unknown at preview as the engine does: can't run, advisory, never a crash", async () => {
    const readsBucket: ResourceValidationPolicy = {
      name: "reads-bucket",
      description: "Checks whether unknowns surface",
      enforcementLevel: "mandatory",
      validateResource: (args, report) => {
        if (args.props.bucket !== "b") report("wrong bucket");
      },
    };
    const readsStack: StackValidationPolicy = {
      name: "reads-stack",
      description: "Checks whether unknowns surface in stack policies",
      enforcementLevel: "mandatory",
      validateStack: (args) => {
        for (const r of args.resources) void r.props.bucket;
      },
    };
    const r = resource("aws:s3/bucketPolicy:BucketPolicy", "p", { bucket: UNKNOWN_STRING });
    const found = await evaluatePolicies([readsBucket, readsStack], [r]);
    assert.deepEqual(
      found.map((v) => [v.policyName, v.enforcementLevel, v.resource?.name]),
      [
        ["reads-bucket", "advisory", "p"],
        ["reads-stack", "advisory", undefined],
      ],
    );
    assert.match(
      found[0].message,
      /^can't run policy 'reads-bucket' during preview: string value at \.bucket can't be known during preview$/,
    );
  });

  it("treats notApplicable() as no violation and wraps a policy's own crash with its name", async () => {
    const notApplicable: ResourceValidationPolicy = {
      name: "not-here",
      description: "Checks whether n/a works",
      enforcementLevel: "mandatory",
      validateResource: (args) => args.notApplicable("not for this resource"),
    };
    assert.deepEqual(await evaluatePolicies([notApplicable], [taskDefinition()]), []);
    const crashing: ResourceValidationPolicy = {
      name: "crashes",
      description: "Checks whether crashes surface",
      enforcementLevel: "mandatory",
      validateResource: () => {
        throw new Error("boom");
      },
    };
    await assert.rejects(
      evaluatePolicies([crashing], [taskDefinition()]),
      /policy `crashes` failed on aws:ecs\/taskDefinition:TaskDefinition `feed-normalize-task`: boom/,
    );
  });
});
