/**
 * `jobworker:alerts` and the alert keys under a worker: accepted shapes, errors naming the key, the
 * prod warning for a topic nobody reads.
 */
import assert from "node:assert/strict";
import { loadAlertsConfig, parseAlertsConfig } from "../../../config/alerts";
import type { ConfigReader } from "../../../config/cluster";
import { StackConfigError } from "../../../config/errors";
import { parseWorkersConfig, WorkersConfigError } from "../../../config/workers";

const reader = (values: Record<string, unknown>): ConfigReader => ({
  name: "jobworker",
  get: ((key: string) => (key in values ? JSON.stringify(values[key]) : undefined)) as ConfigReader["get"],
});

describe("config: jobworker:alerts", () => {
  it("reads subscriptions, Chatbot, thresholds", () => {
    const c = parseAlertsConfig("jobworker", "prod", {
      subscriptions: [
        { protocol: "email", endpoint: "oncall@example.com" },
        { protocol: "https", endpoint: "https://events.pagerduty.com/integration/abc/enqueue" },
      ],
      chatbot: { slack: { workspaceId: "T0123ABCD", channelId: "C0123ABCD" } },
      logAlarms: { errorLines: 5 },
      alarms: { taskPendingMinutes: 20 },
    });
    assert.deepEqual(c.topic.subscriptions, [
      { protocol: "email", endpoint: "oncall@example.com" },
      { protocol: "https", endpoint: "https://events.pagerduty.com/integration/abc/enqueue" },
    ]);
    assert.deepEqual(c.topic.chatbot, { slack: { workspaceId: "T0123ABCD", channelId: "C0123ABCD" } });
    assert.deepEqual(c.logAlarms, { errorLines: 5 });
    assert.deepEqual(c.alarms, { taskPendingMinutes: 20 });
    assert.deepEqual(c.warnings, []);
  });

  it("warns on a prod stack without a subscriber, naming `jobworker:alerts.subscriptions`; not on staging", () => {
    const prod = loadAlertsConfig(reader({}), "prod");
    assert.equal(prod.warnings.length, 1);
    assert.match(prod.warnings[0]!, /`jobworker:alerts\.subscriptions`/);
    assert.match(prod.warnings[0]!, /oncall@example\.com/);
    assert.deepEqual(loadAlertsConfig(reader({}), "staging").warnings, []);
    assert.deepEqual(
      loadAlertsConfig(reader({ alerts: { chatbot: { slack: { workspaceId: "T1", channelId: "C1" } } } }), "prod").warnings,
      [],
    );
  });

  const bad: { raw: unknown; key: string; text: RegExp }[] = [
    {
      raw: { subscriptions: [{ protocol: "email", endpoint: "oncall" }] },
      key: "jobworker:alerts.subscriptions[0].endpoint",
      text: /e-mail address/,
    },
    {
      raw: { subscriptions: [{ protocol: "https", endpoint: "http://x.example.com" }] },
      key: "jobworker:alerts.subscriptions[0].endpoint",
      text: /https:\/\/ URL/,
    },
    {
      raw: { subscriptions: [{ protocol: "sms", endpoint: "+8190" }] },
      key: "jobworker:alerts.subscriptions[0].protocol",
      text: /email, https, sqs, lambda/,
    },
    { raw: { subscription: [] }, key: "jobworker:alerts.subscription", text: /docs\/alerts\.md/ },
    { raw: { logAlarms: { errorLines: -1 } }, key: "jobworker:alerts.logAlarms.errorLines", text: /0 or more/ },
    { raw: { alarms: { taskPendingMinutes: 0 } }, key: "jobworker:alerts.alarms.taskPendingMinutes", text: /at least 1 minute/ },
    { raw: { kmsKeyArn: "alias/aws/sns" }, key: "jobworker:alerts.kmsKeyArn", text: /KMS key ARN/ },
  ];
  for (const c of bad) {
    it(`fails on ${JSON.stringify(c.raw)}, naming \`${c.key}\``, () => {
      assert.throws(
        () => parseAlertsConfig("jobworker", "prod", c.raw),
        (err: unknown) => err instanceof StackConfigError && err.key === c.key && c.text.test(err.message),
      );
    });
  }
});

describe("config: a worker's alert keys", () => {
  const worker = {
    cpu: 256,
    memory: 512,
    outputs: { api: { type: "rest", url: "https://orders.example.com/v1", method: "POST", mode: "records", timeoutSeconds: 30 } },
  };
  it("accepts `alarmActions` (SNS topic ARNs) and `alerts` thresholds under a worker", () => {
    const parsed = parseWorkersConfig({
      "orders-webhook": {
        ...worker,
        alarmActions: ["arn:aws:sns:ap-northeast-1:123456789012:orders-team"],
        alerts: { errorLines: 3, failedDeliveries: 1 },
      },
    });
    assert.deepEqual(parsed["orders-webhook"]!.alarmActions, ["arn:aws:sns:ap-northeast-1:123456789012:orders-team"]);
    assert.deepEqual(parsed["orders-webhook"]!.alerts, { errorLines: 3, failedDeliveries: 1 });
  });
  it("refuses more than 5 topics in `alarmActions` (an alarm's and a rule's limit), naming the key", () => {
    const arns = [1, 2, 3, 4, 5, 6].map((n) => `arn:aws:sns:ap-northeast-1:123456789012:team-${n}`);
    assert.throws(
      () => parseWorkersConfig({ "orders-webhook": { ...worker, alarmActions: arns } }),
      (err: unknown) =>
        err instanceof WorkersConfigError &&
        err.issues.some((i) => i.key === "jobworker:workers.orders-webhook.alarmActions" && /at most 5/.test(i.message)),
    );
  });
  it("refuses an `alarmActions` entry that is not an SNS topic ARN, naming the key", () => {
    assert.throws(
      () => parseWorkersConfig({ "orders-webhook": { ...worker, alarmActions: ["oncall@example.com"] } }),
      (err: unknown) =>
        err instanceof WorkersConfigError &&
        err.issues.some((i) => i.key === "jobworker:workers.orders-webhook.alarmActions.0" && /SNS topic ARN/.test(i.message)),
    );
  });
});
