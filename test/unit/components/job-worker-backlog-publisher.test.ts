/**
 * The BacklogPublisher component under mocks (the function, its schedule, its narrow role) and its
 * packaging: the transpiled archive loads in Node and exposes the handler the function names.
 */
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { BACKLOG_PUBLISHER_DEFAULTS, validateBacklogPublisherArgs } from "../../../components/backlog-publisher/args";
import {
  BUNDLED_FUNCTION_DIR,
  bundledSources,
  PUBLISHER_HANDLER,
  publisherSources,
  transpileSources,
} from "../../../components/backlog-publisher/code";
import { PUBLISHER_ENV } from "../../../workers/backlog-publisher/publisher";
import { judgeIamDocuments } from "../../support/iam";
import { ACCOUNT_ID, type MockStack, REGION, ROOT, startMocks } from "../../support/pulumi";

describe("BacklogPublisher component", () => {
  let stack: MockStack;
  before(async () => {
    stack = startMocks({ stack: "staging" });
    const { BacklogPublisher } = await import("../../../components/backlog-publisher");
    new BacklogPublisher("backlog", { alarmActions: ["arn:aws:sns:ap-northeast-1:123456789012:oncall"] });
    await stack.settle();
  });

  it("runs a small Node.js function once a minute that publishes for the whole minute", () => {
    const fn = stack.one("aws:lambda/function:Function").inputs;
    assert.equal(fn.runtime, "nodejs24.x");
    assert.equal(fn.handler, PUBLISHER_HANDLER);
    assert.equal(fn.memorySize, 128);
    assert.ok(fn.timeout > 60, "the last pass finishes before the timeout");
    assert.deepEqual(fn.environment.variables, {
      [PUBLISHER_ENV.queueNamePrefix]: "jw-staging-",
      [PUBLISHER_ENV.namespace]: "Jobworker/SQS",
      [PUBLISHER_ENV.intervalSeconds]: "10",
      [PUBLISHER_ENV.windowSeconds]: "60",
    });
    assert.equal(stack.one("aws:cloudwatch/eventRule:EventRule").inputs.scheduleExpression, "rate(1 minute)");
    const target = stack.one("aws:cloudwatch/eventTarget:EventTarget").inputs;
    assert.equal(target.arn, stack.one("aws:lambda/function:Function").state.arn);
    const permission = stack.one("aws:lambda/permission:Permission").inputs;
    assert.deepEqual(
      [permission.principal, permission.sourceArn],
      ["events.amazonaws.com", stack.one("aws:cloudwatch/eventRule:EventRule").state.arn],
    );
  });

  it("may read only the worker queues, put metrics only in its namespace and write only its logs", () => {
    const doc = JSON.parse(stack.one("aws:iam/rolePolicy:RolePolicy").inputs.policy);
    const bySid = Object.fromEntries(doc.Statement.map((s: { Sid: string }) => [s.Sid, s]));
    assert.deepEqual(Object.keys(bySid).sort(), ["ListQueues", "PutOwnMetrics", "ReadWorkerQueues", "WriteOwnLogs"]);
    assert.equal(bySid.ReadWorkerQueues.Resource, `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:jw-staging-*`);
    assert.deepEqual(bySid.PutOwnMetrics.Condition, { StringEquals: { "cloudwatch:namespace": "Jobworker/SQS" } });
    assert.equal(bySid.WriteOwnLogs.Resource, `${stack.one("aws:cloudwatch/logGroup:LogGroup").state.arn}:*`);
  });

  it("with a cluster: publishes its capacity metrics, may read that cluster only and put into both namespaces", async () => {
    const s = startMocks({ stack: "staging" });
    const { BacklogPublisher } = await import("../../../components/backlog-publisher");
    const pulumi = await import("@pulumi/pulumi");
    new BacklogPublisher("backlog", {
      capacity: { clusterName: pulumi.output("jw-cluster"), namespace: "Jobworker/Capacity", periodSeconds: 10 },
    });
    await s.settle();
    const env = s.one("aws:lambda/function:Function").inputs.environment.variables;
    assert.deepEqual([env[PUBLISHER_ENV.capacityCluster], env[PUBLISHER_ENV.capacityNamespace]], ["jw-cluster", "Jobworker/Capacity"]);
    const doc = JSON.parse(s.one("aws:iam/rolePolicy:RolePolicy").inputs.policy);
    const bySid = Object.fromEntries(doc.Statement.map((st: { Sid: string }) => [st.Sid, st]));
    assert.deepEqual(bySid.PutOwnMetrics.Condition, { StringEquals: { "cloudwatch:namespace": ["Jobworker/SQS", "Jobworker/Capacity"] } });
    assert.equal(bySid.ListContainerInstances.Resource, `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/jw-cluster`);
    assert.deepEqual(bySid.ListServices.Condition, {
      ArnEquals: { "ecs:cluster": `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/jw-cluster` },
    });
    assert.deepEqual(bySid.ReadWorkerQueues.Action, ["sqs:GetQueueAttributes", "sqs:ListQueueTags"]);
    const { messages } = await judgeIamDocuments(s.resources);
    assert.deepEqual(messages, []);
  });

  it("renders a trust policy, a role policy and an invoke permission IAM accepts", async () => {
    const { messages, documents } = await judgeIamDocuments(stack.resources);
    assert.deepEqual(messages, []);
    assert.deepEqual(documents, ["backlog-policy.policy", "backlog-role.assumeRolePolicy"]);
    assert.equal(stack.one("aws:lambda/permission:Permission").inputs.action, "lambda:InvokeFunction");
  });

  it("alarms when the function fails, since scale-out then waits for SQS's slower metrics", () => {
    const alarm = stack.one("aws:cloudwatch/metricAlarm:MetricAlarm").inputs;
    assert.deepEqual(
      [alarm.namespace, alarm.metricName, alarm.threshold, alarm.alarmActions],
      ["AWS/Lambda", "Errors", 0, ["arn:aws:sns:ap-northeast-1:123456789012:oncall"]],
    );
  });

  it("packages transpiled sources that load in Node and export the handler", () => {
    const files = transpileSources(join(ROOT, "workers"));
    assert.deepEqual(Object.keys(files).sort(), [
      "backlog-publisher/capacity-metrics.js",
      "backlog-publisher/handler.js",
      "backlog-publisher/publisher.js",
      "backlog-publisher/tasks-needed.js",
      "capacity/cluster-state.js",
      "capacity/placement.js",
      "errors.js",
      "runtime/backoff.js",
    ]);
    // Written under the repository so `@aws-sdk/*` resolves as the Lambda runtime provides it.
    const dir = join(ROOT, "test-artifacts", "backlog-publisher-package");
    rmSync(dir, { recursive: true, force: true });
    try {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      const [file, exported] = PUBLISHER_HANDLER.split(/\.(?=[^.]+$)/);
      const mod = require(join(dir, `${file}.js`));
      assert.equal(typeof mod[exported], "function");
      assert.deepEqual(transpileSources(join(ROOT, "workers")), files, "deterministic: same sources, same package");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes the function's code from workersDir when given, else the built package's copy, else the checkout's workers/", () => {
    const fromWorkers = transpileSources(join(ROOT, "workers"));
    assert.equal(bundledSources(), undefined, `running from sources: no ${BUNDLED_FUNCTION_DIR}`);
    assert.deepEqual(publisherSources(), fromWorkers);
    const dir = join(ROOT, "test-artifacts", "backlog-publisher-bundled");
    rmSync(dir, { recursive: true, force: true });
    try {
      for (const [path, text] of Object.entries(fromWorkers)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      assert.deepEqual(bundledSources(dir), fromWorkers, "the built package's copy reads back as written");
      assert.throws(() => publisherSources(join(dir, "no-such-workers")), /ENOENT/, "an override is used, not silently replaced");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const good = { queueNamePrefix: "jw-prod-", namespace: "Jobworker/SQS", intervalSeconds: 10, memoryMiB: 128, logRetentionDays: 14 };
  const invalid: [string, Partial<typeof good>, RegExp][] = [
    ["a queue name prefix longer than 21 characters", { queueNamePrefix: "a".repeat(22) }, /`queueNamePrefix` is `a{22}`; use at most 21/],
    ["a queue name prefix with a dot", { queueNamePrefix: "jw.prod" }, /`queueNamePrefix`/],
    ["an AWS namespace", { namespace: "AWS/SQS" }, /`namespace` is `AWS\/SQS`/],
    ["an interval no alarm period matches", { intervalSeconds: 15 }, /`intervalSeconds` is 15; use 10, 30 or 60/],
    ["memory below Lambda's minimum", { memoryMiB: 64 }, /`memoryMiB` is 64/],
    ["a retention CloudWatch does not offer", { logRetentionDays: 10 }, /`logRetentionDays` is 10/],
    [
      "capacity metrics on another period than the publisher's",
      { capacity: { namespace: "Jobworker/Capacity", periodSeconds: 30 } } as Partial<typeof good>,
      /`capacity` has period 30 s but the publisher publishes every 10 s/,
    ],
    [
      "capacity metrics in the queue metrics' namespace",
      { capacity: { namespace: "Jobworker/SQS", periodSeconds: 10 } } as Partial<typeof good>,
      /`capacity` uses the namespace `Jobworker\/SQS`/,
    ],
  ];
  for (const [what, change, message] of invalid) {
    it(`rejects ${what}`, () => {
      assert.throws(() => validateBacklogPublisherArgs({ ...good, ...change }), message);
    });
  }

  it("accepts its defaults", () => {
    validateBacklogPublisherArgs({ ...good, intervalSeconds: BACKLOG_PUBLISHER_DEFAULTS.intervalSeconds });
  });
});
