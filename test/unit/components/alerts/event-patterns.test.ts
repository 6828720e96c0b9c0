/**
 * The alert rules' event patterns against the sample events of AWS's documentation (fixtures/, with
 * their sources in fixtures/README.md): shape (the fields the patterns and transformers read exist
 * in the samples, with the types used) and match (test/support/event-pattern.ts).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type ServiceRef,
  serviceActionMessage,
  serviceActionPattern,
  SPOT_INTERRUPTION_PATTERN,
  taskFailureMessage,
  taskFailurePattern,
} from "../../../../components/alerts/event-patterns";
import { matchesPattern } from "../../../support/event-pattern";

const sample = (file: string) => JSON.parse(readFileSync(join(__dirname, "fixtures", file), "utf8"));

const service: ServiceRef = {
  worker: "feed-normalize",
  clusterName: "jobworker-cluster",
  clusterArn: "arn:aws:ecs:ap-northeast-1:123456789012:cluster/jobworker-cluster",
  serviceName: "feed-normalize-svc",
  serviceArn: "arn:aws:ecs:ap-northeast-1:123456789012:service/jobworker-cluster/feed-normalize-svc",
  region: "ap-northeast-1",
};
const otherService: ServiceRef = {
  ...service,
  worker: "orders-webhook",
  serviceName: "orders-webhook-svc",
  serviceArn: "arn:aws:ecs:ap-northeast-1:123456789012:service/jobworker-cluster/orders-webhook-svc",
};

/** A JSONPath of the `$.a.b[0].c` form an input transformer takes, read from an event. */
function readPath(event: unknown, path: string): unknown {
  const steps = path
    .replace(/^\$\./, "")
    .split(".")
    .flatMap((s) => s.split(/\[(\d+)\]/).filter((x) => x !== ""));
  return steps.reduce<unknown>((v, s) => (v === null || typeof v !== "object" ? undefined : (v as Record<string, unknown>)[s]), event);
}

describe("alert event patterns", () => {
  const cases: { rule: string; pattern: Record<string, unknown>; file: string; matches: boolean }[] = [
    { rule: "task failed", pattern: taskFailurePattern(service), file: "ecs-task-stopped-exit-1.json", matches: true },
    { rule: "task failed", pattern: taskFailurePattern(service), file: "ecs-task-stopped-oom.json", matches: true },
    { rule: "task failed", pattern: taskFailurePattern(service), file: "ecs-task-stopped-pull-failure.json", matches: true },
    { rule: "task failed", pattern: taskFailurePattern(service), file: "ecs-task-stopped-scale-in.json", matches: false },
    { rule: "task failed", pattern: taskFailurePattern(service), file: "ecs-task-running.json", matches: false },
    {
      rule: "task failed (another worker's rule)",
      pattern: taskFailurePattern(otherService),
      file: "ecs-task-stopped-exit-1.json",
      matches: false,
    },
    { rule: "task failed", pattern: taskFailurePattern(service), file: "ecs-service-placement-failure.json", matches: false },
    { rule: "service action", pattern: serviceActionPattern(service), file: "ecs-service-placement-failure.json", matches: true },
    { rule: "service action", pattern: serviceActionPattern(service), file: "ecs-service-steady-state.json", matches: false },
    {
      rule: "service action (another worker's rule)",
      pattern: serviceActionPattern(otherService),
      file: "ecs-service-placement-failure.json",
      matches: false,
    },
    { rule: "service action", pattern: serviceActionPattern(service), file: "ecs-task-stopped-exit-1.json", matches: false },
    { rule: "Spot interruption", pattern: SPOT_INTERRUPTION_PATTERN, file: "ec2-spot-interruption-warning.json", matches: true },
    { rule: "Spot interruption", pattern: SPOT_INTERRUPTION_PATTERN, file: "ecs-task-stopped-exit-1.json", matches: false },
  ];
  for (const c of cases) {
    it(`the ${c.rule} rule ${c.matches ? "matches" : "does not match"} ${c.file}`, () => {
      assert.equal(matchesPattern(c.pattern, sample(c.file)), c.matches);
    });
  }

  it("the task-failure message reads worker, task, reason, exit code and a console link from the sample event", () => {
    const t = taskFailureMessage(service);
    const event = sample("ecs-task-stopped-oom.json");
    for (const [name, path] of Object.entries(t.inputPaths)) {
      if (name === "stopCode" || name === "containerReason") continue; // absent on some stops: EventBridge sends an empty value
      assert.notEqual(readPath(event, path), undefined, `${name} (${path}) in the sample`);
    }
    assert.equal(readPath(event, t.inputPaths.exitCode), 137);
    assert.equal(readPath(event, t.inputPaths.containerReason), "OutOfMemoryError: Container killed due to memory usage");
    // A plain-text template is one JSON string; every placeholder is an input path.
    const text = JSON.parse(t.inputTemplate) as string;
    for (const placeholder of text.match(/<[a-zA-Z]+>/g) ?? []) assert.ok(placeholder.slice(1, -1) in t.inputPaths, placeholder);
    assert.match(text, /^jobworker feed-normalize: a task stopped/);
    assert.match(
      text,
      /https:\/\/ap-northeast-1\.console\.aws\.amazon\.com\/ecs\/v2\/clusters\/jobworker-cluster\/services\/feed-normalize-svc\/tasks/,
    );
  });

  it("the service-action message reads event type, name and reason from the sample event", () => {
    const t = serviceActionMessage(service);
    const event = sample("ecs-service-placement-failure.json");
    assert.deepEqual(Object.fromEntries(Object.entries(t.inputPaths).map(([k, p]) => [k, readPath(event, p)])), {
      eventType: "ERROR",
      eventName: "SERVICE_TASK_PLACEMENT_FAILURE",
      reason: "RESOURCE:MEMORY",
      time: "2026-03-21T09:55:38Z",
    });
  });
});

describe("event pattern matcher (test support)", () => {
  const table: { pattern: Record<string, unknown>; event: unknown; matches: boolean }[] = [
    { pattern: { a: ["x"] }, event: { a: "x" }, matches: true },
    { pattern: { a: ["x"] }, event: { a: "y" }, matches: false },
    { pattern: { a: [{ prefix: "Can" }] }, event: { a: "CannotPull" }, matches: true },
    { pattern: { a: [{ prefix: "Can" }] }, event: { a: "Error" }, matches: false },
    { pattern: { a: [{ "anything-but": 0 }] }, event: { a: 1 }, matches: true },
    { pattern: { a: [{ "anything-but": 0 }] }, event: { a: 0 }, matches: false },
    { pattern: { a: [{ "anything-but": 0 }] }, event: {}, matches: false },
    { pattern: { a: [{ numeric: [">", 0, "<=", 5] }] }, event: { a: 5 }, matches: true },
    { pattern: { a: [{ numeric: [">", 0, "<=", 5] }] }, event: { a: 6 }, matches: false },
    { pattern: { a: [{ exists: false }] }, event: {}, matches: true },
    { pattern: { a: [{ exists: true }] }, event: {}, matches: false },
    { pattern: { a: { b: [1] } }, event: { a: [{ b: 0 }, { b: 1 }] }, matches: true },
    { pattern: { $or: [{ a: ["x"] }, { b: ["y"] }] }, event: { b: "y" }, matches: true },
    { pattern: { $or: [{ a: ["x"] }, { b: ["y"] }] }, event: { c: "z" }, matches: false },
  ];
  for (const [i, c] of table.entries()) {
    it(`case ${i}: ${JSON.stringify(c.pattern)} ${c.matches ? "matches" : "does not match"} ${JSON.stringify(c.event)}`, () => {
      assert.equal(matchesPattern(c.pattern, c.event as never), c.matches);
    });
  }
  it("throws on syntax it does not implement, so an untested operator cannot pass silently", () => {
    assert.throws(() => matchesPattern({ a: [{ wildcard: "*x" }] }, { a: "yx" }), /unsupported pattern operator/);
  });
});
