/**
 * The alert topic's policy and its key's policy (pure functions), and the topic's argument checks.
 */
import assert from "node:assert/strict";
import { AlertTopicArgsError, validateAlertTopicArgs } from "../../../../components/alerts/args";
import { topicKeyPolicy, topicPolicy } from "../../../../components/alerts/policies";

const scope = { accountId: "123456789012", region: "ap-northeast-1", partition: "aws" };
const topicArn = "arn:aws:sns:ap-northeast-1:123456789012:alerts-topic";
const bySid = (doc: { Statement: readonly { Sid?: string }[] }) => Object.fromEntries(doc.Statement.map((s) => [s.Sid, s]));

describe("alert topic policies", () => {
  it("lets CloudWatch and EventBridge publish only for this account's alarms and rules", () => {
    const s = bySid(topicPolicy(topicArn, scope));
    assert.deepEqual(s.CloudWatchAlarmsPublish, {
      Sid: "CloudWatchAlarmsPublish",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: {
        StringEquals: { "aws:SourceAccount": "123456789012" },
        ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:*" },
      },
    });
    assert.deepEqual(s.EventBridgeRulesPublish, {
      Sid: "EventBridgeRulesPublish",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: {
        StringEquals: { "aws:SourceAccount": "123456789012" },
        ArnLike: { "aws:SourceArn": "arn:aws:events:ap-northeast-1:123456789012:rule/*" },
      },
    });
  });

  it("denies publishing over plain HTTP to everyone", () => {
    assert.deepEqual(bySid(topicPolicy(topicArn, scope)).DenyInsecureTransport, {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });

  it("every Allow of the topic policy carries both confused-deputy conditions", () => {
    for (const st of topicPolicy(topicArn, scope).Statement.filter((x) => x.Effect === "Allow")) {
      assert.equal(st.Condition?.StringEquals?.["aws:SourceAccount"], "123456789012", st.Sid);
      assert.ok(st.Condition?.ArnLike?.["aws:SourceArn"], st.Sid);
    }
  });

  it("the key lets the account administer it and the two publishers encrypt with it, on the same conditions", () => {
    const s = bySid(topicKeyPolicy(scope));
    assert.deepEqual(Object.keys(s), ["AccountAdministers", "CloudWatchAlarmsEncrypt", "EventBridgeRulesEncrypt"]);
    assert.deepEqual(s.AccountAdministers, {
      Sid: "AccountAdministers",
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::123456789012:root" },
      Action: "kms:*",
      Resource: "*",
    });
    for (const [sid, service, arn] of [
      ["CloudWatchAlarmsEncrypt", "cloudwatch.amazonaws.com", "arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:*"],
      ["EventBridgeRulesEncrypt", "events.amazonaws.com", "arn:aws:events:ap-northeast-1:123456789012:rule/*"],
    ] as const) {
      assert.deepEqual(s[sid], {
        Sid: sid,
        Effect: "Allow",
        Principal: { Service: service },
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: "*",
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" }, ArnLike: { "aws:SourceArn": arn } },
      });
    }
  });
});

describe("alert topic args", () => {
  const bad: { subscription: { protocol: string; endpoint: string }; field: string }[] = [
    { subscription: { protocol: "email", endpoint: "oncall" }, field: "subscriptions[0].endpoint" },
    { subscription: { protocol: "https", endpoint: "http://hooks.example.com/x" }, field: "subscriptions[0].endpoint" },
    {
      subscription: { protocol: "sqs", endpoint: "https://sqs.ap-northeast-1.amazonaws.com/123456789012/q" },
      field: "subscriptions[0].endpoint",
    },
    { subscription: { protocol: "lambda", endpoint: "my-function" }, field: "subscriptions[0].endpoint" },
    { subscription: { protocol: "sms", endpoint: "+8190" }, field: "subscriptions[0].protocol" },
  ];
  for (const c of bad) {
    it(`refuses a ${c.subscription.protocol} subscription to \`${c.subscription.endpoint}\`, naming \`${c.field}\``, () => {
      assert.throws(
        () => validateAlertTopicArgs({ subscriptions: [c.subscription as never] }),
        (err: unknown) =>
          err instanceof AlertTopicArgsError &&
          err.field === c.field &&
          err.message.includes(c.subscription.endpoint === "+8190" ? "sms" : c.subscription.endpoint),
      );
    });
  }
  it("accepts one subscription of each protocol", () => {
    validateAlertTopicArgs({
      subscriptions: [
        { protocol: "email", endpoint: "oncall@example.com" },
        { protocol: "https", endpoint: "https://events.pagerduty.com/integration/abc/enqueue" },
        { protocol: "sqs", endpoint: "arn:aws:sqs:ap-northeast-1:123456789012:alerts-archive" },
        { protocol: "lambda", endpoint: "arn:aws:lambda:ap-northeast-1:123456789012:function:alert-router" },
      ],
    });
  });
});
