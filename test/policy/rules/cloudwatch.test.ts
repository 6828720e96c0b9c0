import { alarmHasAction, logGroupRetention } from "../../../policy/rules/cloudwatch";
import { TYPES } from "../../../policy/types";
import { policyTable, resource } from "../fixtures";

const alarm = (inputs: Record<string, unknown> = {}) =>
  resource(TYPES.metricAlarm, "feed-normalize-dlq-not-empty", {
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    comparisonOperator: "GreaterThanThreshold",
    threshold: 0,
    evaluationPeriods: 1,
    alarmActions: ["arn:aws:sns:ap-northeast-1:123456789012:jobworker-alerts"],
    ...inputs,
  });

describe("policy cloudwatch-alarm-has-action", () => {
  policyTable(alarmHasAction, [
    { title: "an SNS action passes", resources: [alarm()], expected: [] },
    {
      title: "an Auto Scaling action passes",
      resources: [
        alarm({
          alarmActions: ["arn:aws:autoscaling:ap-northeast-1:123456789012:scalingPolicy:x:resource/ecs/service/c/s:policyName/out"],
        }),
      ],
      expected: [],
    },
    {
      title: "an alarm that notifies nobody",
      resources: [alarm({ alarmActions: [] })],
      expected: [/^CloudWatch alarm `feed-normalize-dlq-not-empty` has no `alarmActions`: add the alerts SNS topic's ARN/],
    },
    { title: "actions disabled", resources: [alarm({ actionsEnabled: false })], expected: [/sets `actionsEnabled` false/] },
    {
      title: "an exempt alarm (config allow-list)",
      resources: [alarm({ alarmActions: undefined })],
      config: { "cloudwatch-alarm-has-action": { exemptAlarmNames: ["*-dlq-not-empty"] } },
      expected: [],
    },
  ]);
});

describe("policy cloudwatch-log-group-retention", () => {
  const group = (inputs: Record<string, unknown>) =>
    resource(TYPES.logGroup, "containers", { name: "/jobworker/prod/containers", ...inputs });
  policyTable(logGroupRetention, [
    { title: "30 days passes", resources: [group({ retentionInDays: 30 })], expected: [] },
    {
      title: "never expires",
      resources: [group({})],
      expected: [/^CloudWatch log group `\/jobworker\/prod\/containers` keeps its events forever: set `retentionInDays`/],
    },
    { title: "1 day, below the default 7", resources: [group({ retentionInDays: 1 })], expected: [/sets `retentionInDays` 1, below 7/] },
    {
      title: "a stricter minimum from config",
      resources: [group({ retentionInDays: 30 })],
      config: { "cloudwatch-log-group-retention": { minRetentionDays: 365 } },
      expected: [/sets `retentionInDays` 30, below 365/],
    },
  ]);
});
