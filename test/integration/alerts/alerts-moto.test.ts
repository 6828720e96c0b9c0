/**
 * Alerts against moto server: the DLQ alarm (the program's own spec, with the topic as its alarm and
 * OK action) and an SQS subscription of the alert topic; the log metric filters accepted by
 * CloudWatch Logs' PutMetricFilter.
 *
 * What moto (5.2.5) does not do, and what is tested instead:
 * - its CloudWatch `SetAlarmState` records the new state but runs no action (`Alarm.update_state`
 *   only appends history): nothing reaches SNS. So the test sets the state (checking moto took the
 *   alarm with the topic in both action lists and the ALARM state), then publishes the notification
 *   CloudWatch would send for that state (its documented JSON, built from the alarm moto returns) to
 *   the topic, and checks the queue subscribed to the topic receives it in SNS's envelope.
 * - its CloudWatch Logs stores metric filters but evaluates only plain-term patterns (a JSON
 *   pattern matches every event), so the patterns are evaluated in the unit tier against the
 *   runtime's real lines (test/unit/components/alerts/log-alerts.test.ts); here moto checks only
 *   that the API takes them as the program sends them.
 */
import assert from "node:assert/strict";
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type MetricAlarm,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { LOG_METRIC_DIMENSION, LOG_METRICS } from "../../../components/alerts/log-alerts";
import { alarmSpecs } from "../../../components/job-worker/scaling";
import { type MotoServer, startMoto, TEST_REGION } from "../../support/moto";
import { waitFor } from "../../support/wait";

/** A request to moto for a service without an SDK client here: moto picks the service from the credential scope. */
async function awsCall(moto: MotoServer, service: string, body: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(moto.endpoint, {
    method: "POST",
    headers: {
      ...headers,
      Authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${TEST_REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${service} ${body.slice(0, 80)}: ${res.status} ${text.slice(0, 500)}`);
  return text;
}
const sns = (moto: MotoServer, params: Record<string, string>) =>
  awsCall(moto, "sns", new URLSearchParams({ ...params, Version: "2010-03-31" }).toString(), {
    "Content-Type": "application/x-www-form-urlencoded",
  });
const logs = (moto: MotoServer, target: string, input: unknown) =>
  awsCall(moto, "logs", JSON.stringify(input), { "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": `Logs_20140328.${target}` });
const xmlValue = (xml: string, tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];

/**
 * The JSON CloudWatch publishes for an alarm's state change (CloudWatch User Guide, "Using Amazon
 * CloudWatch alarms": notification format), from the alarm as DescribeAlarms returns it.
 */
function alarmNotification(a: MetricAlarm, accountId: string, oldState: string): { subject: string; message: string } {
  const message = {
    AlarmName: a.AlarmName,
    AlarmDescription: a.AlarmDescription,
    AWSAccountId: accountId,
    NewStateValue: a.StateValue,
    NewStateReason: a.StateReason,
    StateChangeTime: a.StateUpdatedTimestamp?.toISOString(),
    Region: "Asia Pacific (Tokyo)",
    AlarmArn: a.AlarmArn,
    OldStateValue: oldState,
    Trigger: {
      MetricName: a.MetricName,
      Namespace: a.Namespace,
      StatisticType: "Statistic",
      Statistic: a.Statistic?.toUpperCase(),
      Unit: null,
      Dimensions: (a.Dimensions ?? []).map((d) => ({ value: d.Value, name: d.Name })),
      Period: a.Period,
      EvaluationPeriods: a.EvaluationPeriods,
      ComparisonOperator: a.ComparisonOperator,
      Threshold: a.Threshold,
      TreatMissingData: a.TreatMissingData,
    },
  };
  return { subject: `${a.StateValue}: "${a.AlarmName}" in Asia Pacific (Tokyo)`, message: JSON.stringify(message) };
}

describe("alerts (moto server)", function () {
  this.timeout(60_000);
  let moto: MotoServer;
  let sqs: SQSClient;
  let cloudwatch: CloudWatchClient;

  before(async () => {
    moto = await startMoto();
    sqs = new SQSClient(moto.clientConfig);
    cloudwatch = new CloudWatchClient(moto.clientConfig);
  });
  after(async () => {
    sqs?.destroy();
    cloudwatch?.destroy();
    await moto?.stop();
  });

  it("a queue subscribed to the alert topic receives the DLQ alarm's ALARM notification", async () => {
    const topicArn = xmlValue(await sns(moto, { Action: "CreateTopic", Name: "jobworker-alerts" }), "TopicArn")!;
    const { QueueUrl: inbox } = await sqs.send(new CreateQueueCommand({ QueueName: "oncall-inbox" }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: inbox, AttributeNames: ["QueueArn"] }));
    const inboxArn = Attributes!.QueueArn!;
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: inbox,
        Attributes: {
          Policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: "sns.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: inboxArn,
                Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
              },
            ],
          }),
        },
      }),
    );
    await sns(moto, { Action: "Subscribe", TopicArn: topicArn, Protocol: "sqs", Endpoint: inboxArn });

    // The worker's DLQ alarm as the component builds it: the program's spec, the topic on ALARM and OK.
    const dlq = alarmSpecs({
      worker: "orders-webhook",
      queueName: "jw-itest-orders-webhook",
      deadLetterQueueName: "jw-itest-orders-webhook-dlq",
      scaleInIdleSeconds: 600,
      oldestMessageAlarmSeconds: 1800,
    }).find((s) => s.key === "dlq-not-empty")!;
    const alarmName = "orders-webhook-dlq-not-empty";
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: alarmName,
        AlarmDescription: dlq.description,
        Namespace: dlq.metric!.namespace,
        MetricName: dlq.metric!.metricName,
        Dimensions: Object.entries(dlq.metric!.dimensions).map(([Name, Value]) => ({ Name, Value })),
        Statistic: dlq.metric!.stat,
        Period: dlq.metric!.period,
        EvaluationPeriods: dlq.evaluationPeriods,
        Threshold: dlq.threshold,
        ComparisonOperator: dlq.comparisonOperator,
        TreatMissingData: dlq.treatMissingData,
        AlarmActions: [topicArn],
        OKActions: [topicArn],
        ActionsEnabled: true,
      }),
    );
    await cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: alarmName,
        StateValue: "ALARM",
        StateReason: "Threshold Crossed: 1 datapoint [3.0] was greater than the threshold (0.0).",
      }),
    );
    const alarm = (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }))).MetricAlarms![0]!;
    assert.equal(alarm.StateValue, "ALARM");
    assert.deepEqual([alarm.AlarmActions, alarm.OKActions], [[topicArn], [topicArn]]);

    // moto runs no alarm action: publish what CloudWatch would, through the real topic → subscription path.
    const notification = alarmNotification(alarm, "123456789012", "OK");
    await sns(moto, { Action: "Publish", TopicArn: topicArn, Subject: notification.subject, Message: notification.message });

    let body: { Type: string; TopicArn: string; Subject: string; Message: string } | undefined;
    await waitFor(
      "the alarm notification in the subscribed queue",
      async () => {
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: inbox, WaitTimeSeconds: 1, MaxNumberOfMessages: 1 }));
        if (Messages?.[0]?.Body) body = JSON.parse(Messages[0].Body);
        return body !== undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100 },
    );
    assert.equal(body!.Type, "Notification");
    assert.equal(body!.TopicArn, topicArn);
    assert.equal(body!.Subject, 'ALARM: "orders-webhook-dlq-not-empty" in Asia Pacific (Tokyo)');
    const message = JSON.parse(body!.Message);
    assert.equal(message.AlarmName, alarmName);
    assert.equal(message.NewStateValue, "ALARM");
    assert.deepEqual(message.Trigger.Dimensions, [{ value: "jw-itest-orders-webhook-dlq", name: "QueueName" }]);
  });

  it("CloudWatch Logs takes the log metric filters as the program sends them", async () => {
    const logGroupName = "/jobworker/itest/jobworker/containers";
    await logs(moto, "CreateLogGroup", { logGroupName });
    for (const m of LOG_METRICS) {
      await logs(moto, "PutMetricFilter", {
        logGroupName,
        filterName: m.key,
        filterPattern: m.pattern,
        metricTransformations: [
          {
            metricNamespace: "jobworker/itest",
            metricName: m.metricName,
            metricValue: "1",
            unit: "Count",
            dimensions: { [LOG_METRIC_DIMENSION.name]: LOG_METRIC_DIMENSION.field },
          },
        ],
      });
    }
    const described = JSON.parse(await logs(moto, "DescribeMetricFilters", { logGroupName })) as {
      metricFilters: { filterName: string; filterPattern: string }[];
    };
    assert.deepEqual(
      described.metricFilters.map((f) => [f.filterName, f.filterPattern]).sort(),
      LOG_METRICS.map((m) => [m.key, m.pattern]).sort(),
    );
  });
});
