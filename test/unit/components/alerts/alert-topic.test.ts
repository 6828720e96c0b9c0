/**
 * The AlertTopic component under mocks with every option: a given key (none created), one
 * subscription per protocol, Slack and Teams through AWS Chatbot; its IAM documents against IAM's
 * grammar (the policy pack's `iam-policy-document-valid`).
 */
import assert from "node:assert/strict";
import { judgeIamDocuments } from "../../../support/iam";
import { ACCOUNT_ID, type MockStack, REGION, startMocks } from "../../../support/pulumi";

const KEY = `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

describe("AlertTopic component", () => {
  let stack: MockStack;
  before(async () => {
    stack = startMocks({ stack: "staging" });
    const { AlertTopic } = await import("../../../../components/alerts");
    new AlertTopic("alerts", {
      kmsKeyArn: KEY,
      subscriptions: [
        { protocol: "email", endpoint: "oncall@example.com" },
        { protocol: "https", endpoint: "https://events.pagerduty.com/integration/abc/enqueue" },
        { protocol: "sqs", endpoint: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:alerts-archive` },
        { protocol: "lambda", endpoint: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:alert-router` },
      ],
      chatbot: {
        slack: { workspaceId: "T0123ABCD", channelId: "C0123ABCD" },
        teams: {
          teamId: "5f3a8a55-1234-4e0b-9a7e-0c5d3e9f1a2b",
          channelId: "19:abc@thread.tacv2",
          tenantId: "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
        },
      },
    });
    await stack.settle();
  });

  it("encrypts the topic with the given key and creates none", () => {
    assert.equal(stack.one("aws:sns/topic:Topic").inputs.kmsMasterKeyId, KEY);
    assert.equal(stack.ofType("aws:kms/key:Key").length, 0);
  });

  it("subscribes each configured endpoint with its protocol", () => {
    assert.deepEqual(
      stack.ofType("aws:sns/topicSubscription:TopicSubscription").map((s) => [s.inputs.protocol, s.inputs.endpoint]),
      [
        ["email", "oncall@example.com"],
        ["https", "https://events.pagerduty.com/integration/abc/enqueue"],
        ["sqs", `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:alerts-archive`],
        ["lambda", `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:alert-router`],
      ],
    );
  });

  it("posts to Slack and Teams through AWS Chatbot with a read-only guardrail, as a role only Chatbot of this account assumes", () => {
    const topicArn = `arn:aws:sns:${REGION}:${ACCOUNT_ID}:alerts-topic`;
    const slack = stack.one("aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration").inputs;
    assert.deepEqual([slack.slackTeamId, slack.slackChannelId, slack.snsTopicArns], ["T0123ABCD", "C0123ABCD", [topicArn]]);
    const teams = stack.one("aws:chatbot/teamsChannelConfiguration:TeamsChannelConfiguration").inputs;
    assert.deepEqual(teams.snsTopicArns, [topicArn]);
    for (const c of [slack, teams]) assert.deepEqual(c.guardrailPolicyArns, ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"]);
    const trust = JSON.parse(stack.one("aws:iam/role:Role", "alerts-chatbot").inputs.assumeRolePolicy);
    assert.deepEqual(trust.Statement[0].Principal, { Service: "chatbot.amazonaws.com" });
    assert.deepEqual(trust.Statement[0].Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } });
  });

  it("its IAM documents pass IAM's grammar", async () => {
    const { messages, documents } = await judgeIamDocuments(stack.resources);
    assert.deepEqual(messages, []);
    assert.ok(
      documents.some((d) => d.startsWith("alerts-topic-policy")),
      documents.join(", "),
    );
  });
});
