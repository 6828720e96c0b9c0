import assert from "node:assert/strict";
import { policies } from "../../policy/policies";

describe("the policy list", () => {
  it("names every policy once, in kebab-case, never the reserved `all`", () => {
    const names = policies.map((p) => p.name);
    assert.equal(new Set(names).size, names.length, `duplicate names: ${names.join(", ")}`);
    for (const name of names) {
      assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.notEqual(name, "all");
    }
  });

  it("describes every policy as a check", () => {
    for (const p of policies) assert.match(p.description, /^Checks whether /, p.name);
  });

  it("has the levels the issue asks for", () => {
    const levels = Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel]));
    assert.deepEqual(levels, {
      "ecs-container-resource-limits": "mandatory",
      "ecs-no-privileged-containers": "mandatory",
      "ecs-no-plaintext-secret-env": "mandatory",
      "s3-bucket-public-access-blocked": "mandatory",
      "s3-bucket-encrypted": "mandatory",
      "sqs-queue-encrypted": "mandatory",
      "sqs-worker-queue-redrive": "mandatory",
      "ec2-launch-template-imdsv2": "mandatory",
      "spot-fleet-no-max-price": "mandatory",
      "spot-fleet-diversified": "mandatory",
      "ecs-queue-consumer-scaling": "mandatory",
      "iam-policy-document-valid": "mandatory",
      "lambda-supported-runtime": "mandatory",
      "ecs-container-non-root-user": "advisory",
      "ecs-container-read-only-root-filesystem": "advisory",
      "ecr-repository-scan-on-push": "advisory",
      "ecr-repository-immutable-tags": "advisory",
      "ecs-service-scalable-target": "advisory",
    });
  });

  it("gives every config property a default and never declares `enforcementLevel` (the engine rejects it)", () => {
    for (const p of policies) {
      for (const [key, property] of Object.entries(p.configSchema?.properties ?? {})) {
        assert.notEqual(key, "enforcementLevel", p.name);
        assert.notEqual(property.default, undefined, `${p.name}.${key} has no default`);
      }
    }
  });
});
