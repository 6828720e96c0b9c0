import assert from "node:assert/strict";
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import type { Service, TaskDefinition } from "@aws-sdk/client-ecs";
import { alarmsFor, attentionReasons, clusterLogGroupOf, logsUrl, queueUrlOf, RowFacts, workerNameOf } from "../../../console/model";

const NOW = new Date("2026-01-01T12:00:00Z");
const healthy: RowFacts = {
  worker: "w",
  isWorker: true,
  serviceStatus: "ACTIVE",
  running: 1,
  pending: 0,
  queue: { url: "u", name: "q", arn: "a", visible: 3, inFlight: 1, delayed: 0 },
  dlqDepth: 0,
  alarms: [{ name: "backlog", state: "OK" }],
};
const secondsAgo = (s: number) => new Date(NOW.getTime() - s * 1000);

describe("console/model", () => {
  describe("attentionReasons", () => {
    const cases: [string, Partial<RowFacts>, string[]][] = [
      ["a healthy worker needs nothing", {}, []],
      ["a non-empty DLQ", { dlqDepth: 4 }, ["DLQ holds 4 message(s)"]],
      ["backlog with 0 running tasks", { running: 0 }, ["backlog of 3 with 0 running tasks"]],
      ["delayed messages count as backlog", { running: 0, queue: { ...healthy.queue!, visible: 0, delayed: 2 } }, ["backlog of 2 with 0 running tasks"]],
      ["no backlog and 0 running is scaled to zero, fine", { running: 0, queue: { ...healthy.queue!, visible: 0 } }, []],
      ["pending for 10 minutes is stuck", { pending: 2, pendingSince: secondsAgo(600) }, ["2 task(s) pending for 600s"]],
      ["pending for 9 minutes is not yet stuck", { pending: 2, pendingSince: secondsAgo(540) }, []],
      ["an alarm in ALARM", { alarms: [{ name: "age", state: "ALARM" }, { name: "x", state: "INSUFFICIENT_DATA" }] }, ["alarm age is in ALARM"]],
      ["a worker whose queue cannot be read", { queue: undefined }, ["queue not found or unreadable (JOBWORKER_QUEUE_URL in the task definition)"]],
      ["a service that is not a worker (log collector) is never flagged for its queue", { isWorker: false, queue: undefined }, []],
    ];
    for (const [title, change, expected] of cases) {
      it(title, () => {
        const facts = { ...healthy, ...change } as RowFacts;
        assert.deepEqual(attentionReasons(facts, NOW), expected);
      });
    }
    it("takes the stuck-pending threshold from the rules", () => {
      assert.deepEqual(attentionReasons({ ...healthy, pending: 1, pendingSince: secondsAgo(61) }, NOW, { pendingStuckSeconds: 60 }), ["1 task(s) pending for 61s"]);
    });
  });

  describe("finding a service's worker and queue", () => {
    const td = (env: Record<string, string>): TaskDefinition => ({ containerDefinitions: [{ name: "c", environment: Object.entries(env).map(([name, value]) => ({ name, value })) }] });
    const svc = (tags: Record<string, string> = {}): Service => ({ serviceName: "svc", tags: Object.entries(tags).map(([key, value]) => ({ key, value })) });
    const cases: [string, Service, TaskDefinition | undefined, { url?: string; source: string }, string][] = [
      ["the task definition's JOBWORKER_QUEUE_URL wins over the tag", svc({ "jobworker:queue-url": "tagged" }), td({ JOBWORKER_QUEUE_URL: "env", JOBWORKER_WORKER: "kind" }), { url: "env", source: "task-definition" }, "kind"],
      ["the tag when the task definition has none", svc({ "jobworker:queue-url": "tagged", "jobworker:worker": "tw" }), td({}), { url: "tagged", source: "tag" }, "tw"],
      ["neither: no queue, the service name", svc(), undefined, { source: "none" }, "svc"],
    ];
    for (const [title, service, taskDefinition, queue, worker] of cases) {
      it(title, () => {
        assert.deepEqual(queueUrlOf(service, taskDefinition), queue);
        assert.equal(workerNameOf(service, taskDefinition), worker);
      });
    }
  });

  it("matches alarms on the worker's queues or its ECS service, including metric-math alarms", () => {
    const alarms: MetricAlarm[] = [
      { AlarmName: "queue", StateValue: "ALARM", Dimensions: [{ Name: "QueueName", Value: "jw-a" }] },
      { AlarmName: "dlq", StateValue: "OK", Dimensions: [{ Name: "QueueName", Value: "jw-a-dlq" }] },
      { AlarmName: "other-queue", StateValue: "ALARM", Dimensions: [{ Name: "QueueName", Value: "jw-b" }] },
      { AlarmName: "cpu", StateValue: "OK", Dimensions: [{ Name: "ClusterName", Value: "c" }, { Name: "ServiceName", Value: "svc-a" }] },
      { AlarmName: "cpu-other-cluster", StateValue: "OK", Dimensions: [{ Name: "ClusterName", Value: "d" }, { Name: "ServiceName", Value: "svc-a" }] },
      { AlarmName: "math", StateValue: "INSUFFICIENT_DATA", Metrics: [{ Id: "m", MetricStat: { Metric: { Dimensions: [{ Name: "QueueName", Value: "jw-a" }] }, Period: 60, Stat: "Sum" } }] },
    ];
    assert.deepEqual(alarmsFor(alarms, "c", "svc-a", ["jw-a", "jw-a-dlq"]), [
      { name: "cpu", state: "OK" },
      { name: "dlq", state: "OK" },
      { name: "math", state: "INSUFFICIENT_DATA" },
      { name: "queue", state: "ALARM" },
    ]);
  });

  describe("logsUrl", () => {
    const withLog = (logConfiguration: NonNullable<TaskDefinition["containerDefinitions"]>[number]["logConfiguration"]): TaskDefinition => ({ containerDefinitions: [{ name: "c", logConfiguration }] });
    const cases: [string, TaskDefinition | undefined, string | undefined, string | undefined][] = [
      [
        "awslogs: the group and stream prefix, in the group's region",
        withLog({ logDriver: "awslogs", options: { "awslogs-group": "/jobworker/a", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "worker" } }),
        undefined,
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Fjobworker$252Fa$3FlogStreamNameFilter$3Dworker",
      ],
      [
        "fluentd (JobWorker): the cluster's group, filtered to container/<tag>",
        withLog({ logDriver: "fluentd", options: { tag: "jobworker.orders" } }),
        "/jobworker/prod/main/containers",
        "https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/$252Fjobworker$252Fprod$252Fmain$252Fcontainers$3FlogStreamNameFilter$3Dcontainer$252Fjobworker.orders",
      ],
      ["fluentd without a known cluster group: no link", withLog({ logDriver: "fluentd", options: { tag: "t" } }), undefined, undefined],
      ["no task definition: no link", undefined, "/g", undefined],
    ];
    for (const [title, td, group, expected] of cases) {
      it(title, () => assert.equal(logsUrl(td, "ap-northeast-1", group), expected));
    }
    it("finds the cluster's log group in the log collector's task definition", () => {
      assert.equal(
        clusterLogGroupOf([{ containerDefinitions: [{ name: "w" }] }, { containerDefinitions: [{ name: "collector", environment: [{ name: "LOG_GROUP_NAME", value: "/jobworker/prod/main/containers" }] }] }]),
        "/jobworker/prod/main/containers",
      );
    });
  });
});
