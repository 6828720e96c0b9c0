/**
 * Alerts and monitoring in the whole program (`index.ts` with `Pulumi.prod.yaml`) under Pulumi
 * mocks: every notifying alarm carries the stack's topic in its alarm AND OK actions (scaling
 * alarms keep their policies), the event rules target the topic with a readable message, a worker's
 * `alarmActions` route its alerts to its team's topic, the topic is encrypted with a rotating key
 * whose policy lets the publishers use it, and the dashboard is valid JSON reading only metrics
 * that exist in the program.
 */
import assert from "node:assert/strict";
import { dashboardMetrics, JOB_METRICS } from "../../components/alerts";
import { ACCOUNT_ID, type MockStack, readStackConfig, type RecordedResource, REGION, runProgram } from "../support/pulumi";

type Program = MockStack & { outputs: Record<string, unknown> };
const WORKERS = ["feed-normalize", "orders-webhook", "partner-protobuf-sftp"];
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT_ID}:alerts-topic`;
const TEAM_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT_ID}:orders-team-alerts`;

const alarms = (p: Program) => p.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
/** A scaling alarm's actions are App Auto Scaling policies; every other alarm notifies. */
const isScaling = (a: RecordedResource) => (a.inputs.alarmActions as string[]).some((x) => x.includes(":autoscaling:"));

describe("program: alerts and monitoring (prod)", () => {
  let prod: Program;
  before(async () => {
    prod = await runProgram(readStackConfig("prod"), { stack: "prod" });
  });

  it("every notifying alarm has the stack's topic as its alarm and OK action, and only that", () => {
    const notifying = alarms(prod).filter((a) => !isScaling(a));
    const names = notifying.map((a) => a.name).sort();
    const expected = [
      "backlog-publisher-errors",
      "jobworker-controller-errors",
      "jobworker-spot-short",
      "monitoring-backlog-publisher-stalled",
      "monitoring-fleet-below-target",
      "monitoring-spot-interruptions",
      ...WORKERS.flatMap((w) => [
        `${w}-dlq-not-empty`,
        `${w}-oldest-message`,
        `monitoring-${w}-error-lines`,
        `monitoring-${w}-failed-deliveries`,
        `monitoring-${w}-task-pending`,
      ]),
    ].sort();
    assert.deepEqual(names, expected);
    for (const a of notifying) {
      assert.deepEqual(a.inputs.alarmActions, [TOPIC], `${a.name} alarmActions`);
      assert.deepEqual(a.inputs.okActions, [TOPIC], `${a.name} okActions`);
      assert.equal(a.inputs.actionsEnabled, true, a.name);
    }
  });

  it("scaling alarms keep their scaling policy as the only action and notify nobody", () => {
    const scaling = alarms(prod).filter(isScaling);
    // Per worker: backlog-fast, backlog, tasks-needed, idle; and the fleet's shortfall alarm.
    assert.equal(scaling.length, WORKERS.length * 4 + 1);
    for (const a of scaling) {
      assert.ok(!(a.inputs.alarmActions as string[]).includes(TOPIC), a.name);
      assert.deepEqual(a.inputs.okActions ?? [], [], a.name);
    }
  });

  it("the topic is encrypted with a rotating key that lets CloudWatch and EventBridge use it; prod subscribes the on-call address", () => {
    const topic = prod.one("aws:sns/topic:Topic");
    const key = prod.one("aws:kms/key:Key", "alerts-key");
    assert.equal(topic.inputs.kmsMasterKeyId, `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/alerts-key`);
    assert.equal(key.inputs.enableKeyRotation, true);
    const services = JSON.parse(key.inputs.policy).Statement.flatMap((s: any) => (s.Principal.Service ? [s.Principal.Service] : []));
    assert.deepEqual(services, ["cloudwatch.amazonaws.com", "events.amazonaws.com"]);
    const sub = prod.one("aws:sns/topicSubscription:TopicSubscription");
    assert.deepEqual([sub.inputs.topic, sub.inputs.protocol, sub.inputs.endpoint], [TOPIC, "email", "oncall@example.com"]);
  });

  it("the topic policy lets the publishers in only for this account, and only over TLS", () => {
    const doc = JSON.parse(prod.one("aws:sns/topicPolicy:TopicPolicy").inputs.policy);
    assert.deepEqual(
      doc.Statement.map((s: any) => [s.Sid, s.Effect, s.Principal?.Service ?? s.Principal, s.Resource, s.Condition]),
      [
        [
          "CloudWatchAlarmsPublish",
          "Allow",
          "cloudwatch.amazonaws.com",
          TOPIC,
          {
            StringEquals: { "aws:SourceAccount": ACCOUNT_ID },
            ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${REGION}:${ACCOUNT_ID}:alarm:*` },
          },
        ],
        [
          "EventBridgeRulesPublish",
          "Allow",
          "events.amazonaws.com",
          TOPIC,
          {
            StringEquals: { "aws:SourceAccount": ACCOUNT_ID },
            ArnLike: { "aws:SourceArn": `arn:aws:events:${REGION}:${ACCOUNT_ID}:rule/*` },
          },
        ],
        ["DenyInsecureTransport", "Deny", "*", TOPIC, { Bool: { "aws:SecureTransport": "false" } }],
      ],
    );
  });

  it("each worker's failed-task and service-action rules target the topic with a readable message for that worker's service", () => {
    const targets = prod.ofType("aws:cloudwatch/eventTarget:EventTarget");
    for (const w of WORKERS) {
      for (const key of ["task-failed", "service-action"]) {
        const rule = prod.one("aws:cloudwatch/eventRule:EventRule", `monitoring-${w}-${key}`);
        const pattern = JSON.parse(rule.inputs.eventPattern);
        const target = targets.find((t) => t.name === `monitoring-${w}-${key}-0`)!;
        assert.equal(target.inputs.arn, TOPIC);
        assert.match(JSON.parse(target.inputs.inputTransformer.inputTemplate), new RegExp(`^jobworker ${w}: `));
        if (key === "task-failed") assert.deepEqual(pattern.detail.group, [`service:${w}-service-svc`]);
        else assert.deepEqual(pattern.resources, [`arn:aws:ecs:${REGION}:${ACCOUNT_ID}:service/${w}-service`]);
      }
    }
  });

  it("Spot interruption warnings go to an /aws/events/ log group EventBridge may write, counted by a metric filter", () => {
    const group = prod.one("aws:cloudwatch/logGroup:LogGroup", "monitoring-spot-interruptions");
    assert.equal(group.inputs.name, "/aws/events/jobworker/prod/spot-interruptions");
    const target = prod.ofType("aws:cloudwatch/eventTarget:EventTarget").find((t) => t.name === "monitoring-spot-interruptions")!;
    assert.equal(target.inputs.arn, `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/aws/events/jobworker/prod/spot-interruptions`);
    const policy = JSON.parse(prod.one("aws:cloudwatch/logResourcePolicy:LogResourcePolicy").inputs.policyDocument);
    assert.equal(policy.Statement[0].Resource, `${target.inputs.arn}:*`);
    const filter = prod.ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter").find((f) => f.name === "monitoring-spot-interruptions")!;
    assert.deepEqual(filter.inputs.metricTransformation, {
      namespace: "jobworker/prod",
      name: "SpotInterruptionWarnings",
      value: "1",
      defaultValue: "0",
      unit: "Count",
    });
  });

  it("the log metric filters read the cluster's container log group, one per metric for every worker (dimension Worker from $.worker)", () => {
    const filters = prod.ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter").filter((f) => f.name !== "monitoring-spot-interruptions");
    assert.deepEqual(
      filters.map((f) => [
        f.inputs.logGroupName,
        f.inputs.pattern,
        f.inputs.metricTransformation.name,
        f.inputs.metricTransformation.dimensions,
      ]),
      [
        ["/jobworker/prod/jobworker/containers", '{ $.level = "error" }', "ErrorLines", { Worker: "$.worker" }],
        [
          "/jobworker/prod/jobworker/containers",
          '{ $.level = "error" && $.msg = "delivery failed" }',
          "FailedDeliveries",
          { Worker: "$.worker" },
        ],
      ],
    );
  });

  it("the dashboard body is valid JSON and reads only metrics the program has (alarms, filters, AWS's, the runtime's EMF)", () => {
    const dashboard = prod.one("aws:cloudwatch/dashboard:Dashboard");
    const body = JSON.parse(dashboard.inputs.dashboardBody);
    const known = new Set<string>();
    for (const a of alarms(prod)) {
      if (a.inputs.metricName) known.add(`${a.inputs.namespace} ${a.inputs.metricName}`);
      for (const q of a.inputs.metricQueries ?? []) if (q.metric) known.add(`${q.metric.namespace} ${q.metric.metricName}`);
    }
    for (const f of prod.ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter")) {
      known.add(`${f.inputs.metricTransformation.namespace} ${f.inputs.metricTransformation.name}`);
    }
    for (const m of [JOB_METRICS.duration, JOB_METRICS.jobs, JOB_METRICS.bytesIn, JOB_METRICS.bytesOut])
      known.add(`${JOB_METRICS.namespace} ${m}`);
    // AWS's own metrics of resources the program creates (names as AWS documents them).
    for (const m of [
      "AWS/SQS ApproximateNumberOfMessagesNotVisible",
      "AWS/ECS CPUReservation",
      "AWS/ECS MemoryReservation",
      "ECS/ContainerInsights RunningTaskCount",
      "ECS/ContainerInsights DesiredTaskCount",
      "AWS/Lambda Invocations",
    ])
      known.add(m);
    const used = dashboardMetrics(body);
    assert.ok(used.length > 20);
    for (const m of used)
      assert.ok(
        known.has(`${m.namespace} ${m.metricName}`),
        `dashboard reads ${m.namespace} ${m.metricName}, which nothing in the program has`,
      );
    // Each worker's row names its own queue, DLQ and service.
    const queues = prod.ofType("aws:sqs/queue:Queue").map((q) => q.state.name as string);
    for (const m of used.filter((x) => x.dimensions.QueueName)) assert.ok(queues.includes(m.dimensions.QueueName!), m.dimensions.QueueName);
    for (const w of body.widgets) if (w.type === "metric") assert.ok(w.x + w.width <= 24 && Number.isInteger(w.width), JSON.stringify(w));
  });

  it("exports the dashboard's console link and the topic ARN; the dashboard's name starts with the cluster's (the ops console finds it so)", () => {
    assert.equal(prod.one("aws:cloudwatch/dashboard:Dashboard").inputs.dashboardName, "jobworker-cluster-dashboard");
    assert.equal(prod.outputs.alertTopicArn, TOPIC);
    assert.equal(
      prod.outputs.dashboardUrl,
      `https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#dashboards/dashboard/jobworker-cluster-dashboard`,
    );
  });
});

describe("program: a worker's alarmActions route its alerts to its team's topic", () => {
  let p: Program;
  before(async () => {
    const config = readStackConfig("prod");
    const workers = structuredClone(config["jobworker:workers"]) as Record<string, Record<string, unknown>>;
    workers["orders-webhook"]!.alarmActions = [TEAM_TOPIC];
    workers["orders-webhook"]!.alerts = { errorLines: 3 };
    p = await runProgram({ ...config, "jobworker:workers": workers }, { stack: "prod" });
  });

  it("the worker's alarms and rules notify the team topic; the other workers' stay on the stack topic", () => {
    for (const a of alarms(p).filter((x) => !isScaling(x))) {
      const expected = a.name.includes("orders-webhook") ? [TEAM_TOPIC] : [TOPIC];
      assert.deepEqual([a.inputs.alarmActions, a.inputs.okActions], [expected, expected], a.name);
    }
    for (const t of p
      .ofType("aws:cloudwatch/eventTarget:EventTarget")
      .filter((x) => x.name.includes("-task-failed-") || x.name.includes("-service-action-"))) {
      assert.equal(t.inputs.arn, t.name.includes("orders-webhook") ? TEAM_TOPIC : TOPIC, t.name);
    }
  });

  it("the worker's own log threshold replaces the stack's", () => {
    assert.equal(p.one("aws:cloudwatch/metricAlarm:MetricAlarm", "monitoring-orders-webhook-error-lines").inputs.threshold, 3);
    assert.equal(p.one("aws:cloudwatch/metricAlarm:MetricAlarm", "monitoring-feed-normalize-error-lines").inputs.threshold, 10);
  });
});
