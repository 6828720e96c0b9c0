import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { policies } from "../../policy/policies";
import { controlIdsOf } from "../../policy/support";

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

  it("names the AWS control each policy follows, or says it is the pack's own rule", () => {
    const own = policies.filter((p) => controlIdsOf(p.description).length === 0).map((p) => p.name);
    // The pack's own rules: the Spot Fleet shape, queue-driven scaling, the DLQ wiring, task limits, and
    // rules whose AWS counterpart is guidance without an id (confused deputy, image pinning, Access Analyzer's validation).
    assert.deepEqual(own.sort(), [
      "ecs-container-resource-limits",
      "ecs-image-pinned",
      "ecs-queue-consumer-scaling",
      "ecs-service-scalable-target",
      "iam-policy-document-valid",
      "iam-task-role-confused-deputy",
      "spot-fleet-diversified",
      "spot-fleet-no-max-price",
      "sqs-service-sender-restricted",
      "sqs-worker-queue-redrive",
    ]);
    assert.deepEqual(controlIdsOf(policies.find((p) => p.name === "ecs-no-host-namespaces")!.description), [
      "ECS.17",
      "ECS.3",
      "CKV_AWS_335",
    ]);
  });

  it("has the levels the issue asks for", () => {
    const levels = Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel]));
    assert.deepEqual(levels, {
      "ecs-container-resource-limits": "mandatory",
      "ecs-no-privileged-containers": "mandatory",
      "ecs-no-plaintext-secret-env": "mandatory",
      "ecs-no-credential-values-env": "mandatory",
      "ecs-container-non-root-user": "mandatory",
      "ecs-container-read-only-root-filesystem": "mandatory",
      "ecs-no-host-namespaces": "mandatory",
      "ecs-no-added-capabilities": "mandatory",
      "ecs-container-log-configuration": "mandatory",
      "ecs-image-pinned": "mandatory",
      "s3-bucket-public-access-blocked": "mandatory",
      "s3-bucket-encrypted": "mandatory",
      "s3-bucket-tls-only": "mandatory",
      "s3-bucket-policy-not-public": "mandatory",
      "s3-bucket-no-cross-account": "mandatory",
      "sqs-queue-encrypted": "mandatory",
      "sqs-worker-queue-redrive": "mandatory",
      "sqs-queue-tls-only": "mandatory",
      "sqs-queue-policy-not-public": "mandatory",
      "sqs-service-sender-restricted": "mandatory",
      "ec2-launch-template-imdsv2": "mandatory",
      "ec2-instance-imdsv2": "mandatory",
      "ec2-metadata-hop-limit": "mandatory",
      "ec2-ebs-encrypted": "mandatory",
      "ec2-no-public-ip": "mandatory",
      "ec2-security-group-no-public-ingress": "mandatory",
      "spot-fleet-no-max-price": "mandatory",
      "spot-fleet-diversified": "mandatory",
      "ecs-queue-consumer-scaling": "mandatory",
      "iam-policy-document-valid": "mandatory",
      "iam-no-wildcard-actions": "mandatory",
      "iam-no-wildcard-resource-write": "mandatory",
      "iam-no-admin-managed-policies": "mandatory",
      "iam-trust-no-wildcard-principal": "mandatory",
      "iam-task-role-confused-deputy": "mandatory",
      "cloudwatch-alarm-has-action": "mandatory",
      "cloudwatch-log-group-retention": "mandatory",
      "lambda-supported-runtime": "mandatory",
      "lambda-no-public-invoke": "mandatory",
      "kms-key-rotation": "mandatory",
      "ecr-repository-scan-on-push": "mandatory",
      "ecr-repository-immutable-tags": "mandatory",
      "ecr-repository-lifecycle-policy": "mandatory",
      "s3-bucket-versioning": "advisory",
      "s3-bucket-lifecycle": "advisory",
      "ecs-service-scalable-target": "advisory",
    });
  });

  it("is listed in the README's policy table, every rule with its level and AWS controls", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
    const rows = new Map(
      [...readme.matchAll(/^\| `([a-z0-9-]+)` \| ([a-z]+)(?: \(stack\))? \| ([^|]+) \|/gm)].map((m) => [
        m[1],
        { level: m[2], controls: m[3].trim() },
      ]),
    );
    for (const p of policies) {
      const row = rows.get(p.name);
      assert.ok(row, `README lists no \`${p.name}\``);
      assert.equal(row.level, p.enforcementLevel, p.name);
      const ids = controlIdsOf(p.description);
      assert.equal(row.controls, ids.length > 0 ? ids.join(", ") : "—", p.name);
    }
    assert.deepEqual([...rows.keys()].sort(), policies.map((p) => p.name).sort());
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
