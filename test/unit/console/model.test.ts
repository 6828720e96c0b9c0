import assert from "node:assert/strict";
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import type { Service, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import {
  alarmRole,
  alarmsFor,
  attentionReasons,
  byAttention,
  clusterLogGroupOf,
  deploymentInfo,
  logsUrl,
  pendingReason,
  queueUrlOf,
  RowFacts,
  scalingState,
  taskLogsUrl,
  workerNameOf,
} from "../../../console/model";
import type { AlarmState, WorkerRow } from "../../../console/types";

const NOW = new Date("2026-01-01T12:00:00Z");
const secondsAgo = (s: number) => new Date(NOW.getTime() - s * 1000);
const alarm = (name: string, role: AlarmState["role"], state: string): AlarmState => ({ name, role, state });
// A worker scaled out on its backlog: its backlog alarms fire (that is how it scaled out), its idle alarm is OK.
const healthy: RowFacts = {
  worker: "w",
  isWorker: true,
  serviceStatus: "ACTIVE",
  running: 2,
  pending: 0,
  queue: { url: "u", name: "q", arn: "a", visible: 30, inFlight: 4, delayed: 0 },
  dlqDepth: 0,
  alarms: [
    alarm("w-backlog-fast-1a2b3c4", "scale-out", "ALARM"),
    alarm("w-backlog-5d6e7f8", "scale-out", "ALARM"),
    alarm("w-idle-9a8b7c6", "scale-in", "OK"),
    alarm("w-dlq-not-empty-1234567", "notify", "OK"),
  ],
  oldestMessageAgeSeconds: 120,
  maxTasks: 10,
  backlogTrend: { from: 10, to: 30 },
  stoppedTasks: [],
};
const idle: Partial<RowFacts> = {
  running: 0,
  queue: { ...healthy.queue!, visible: 0, inFlight: 0 },
  oldestMessageAgeSeconds: 0,
  alarms: [alarm("w-backlog-5d6e7f8", "scale-out", "OK"), alarm("w-idle-9a8b7c6", "scale-in", "ALARM")],
};
const stopped = (change: Partial<Task>): Task => ({
  taskArn: "arn:aws:ecs:r:1:task/c/t1",
  stoppedAt: secondsAgo(60),
  stopCode: "EssentialContainerExited",
  containers: [{ name: "worker", exitCode: 0 }],
  ...change,
});

describe("console/model", () => {
  describe("attentionReasons: a row is flagged only when a person must act", () => {
    const cases: [string, Partial<RowFacts>, string[]][] = [
      ["a worker scaling out on its backlog (backlog alarms in ALARM) needs nothing", {}, []],
      ["an idle worker (idle alarm in ALARM, 0 tasks, empty queue) needs nothing", idle, []],
      ["a scale-from-zero in progress (backlog, 0 running, fresh messages) needs nothing", { running: 0, oldestMessageAgeSeconds: 45 }, []],
      [
        "a notifying alarm in ALARM, named",
        { alarms: [...healthy.alarms, alarm("w-oldest-message-abc1234", "notify", "ALARM")] },
        ["alarm w-oldest-message-abc1234 is in ALARM"],
      ],
      [
        "a notifying alarm in INSUFFICIENT_DATA is not trouble",
        { alarms: [alarm("w-dlq-not-empty-1234567", "notify", "INSUFFICIENT_DATA")] },
        [],
      ],
      ["a non-empty DLQ", { dlqDepth: 4 }, ["DLQ holds 4 message(s)"]],
      ["an oldest message beyond 30 minutes", { oldestMessageAgeSeconds: 2_400 }, ["oldest message is 40 min old (limit 30 min)"]],
      ["an oldest message of exactly 30 minutes is not yet beyond", { oldestMessageAgeSeconds: 1_800 }, []],
      ["pending for 10 minutes is stuck", { pending: 2, pendingSince: secondsAgo(600) }, ["2 task(s) pending for 10 min"]],
      ["pending for 9 minutes is not yet stuck", { pending: 2, pendingSince: secondsAgo(540) }, []],
      [
        "pending for 10 minutes, with ECS's newest event since as the reason",
        {
          pending: 1,
          pendingSince: secondsAgo(700),
          events: [
            { at: secondsAgo(2_000).toISOString(), message: "(service jw-w) has reached a steady state." },
            {
              at: secondsAgo(60).toISOString(),
              message: "(service jw-w) was unable to place a task because no container instance met all of its requirements.",
            },
          ],
        },
        ["1 task(s) pending for 11 min: was unable to place a task because no container instance met all of its requirements."],
      ],
      [
        "a task that crashed (non-zero exit) a minute ago",
        {
          stoppedTasks: [stopped({ stoppedReason: "Essential container in task exited", containers: [{ name: "worker", exitCode: 137 }] })],
        },
        ["1 task(s) crashed or failed to start in 15 min: container worker exited 137 (Essential container in task exited)"],
      ],
      [
        "a task that failed to start",
        {
          stoppedTasks: [
            stopped({
              stopCode: "TaskFailedToStart",
              stoppedReason: "CannotPullContainerError: pull access denied",
              containers: [{ name: "worker" }],
            }),
          ],
        },
        ["1 task(s) crashed or failed to start in 15 min: failed to start: CannotPullContainerError: pull access denied"],
      ],
      [
        "a task stopped by scale-in that exited 0 is not a failure",
        { stoppedTasks: [stopped({ stopCode: "ServiceSchedulerInitiated", stoppedReason: "Scaling activity initiated by deployment" })] },
        [],
      ],
      [
        "a crash older than the failure window is not counted",
        { stoppedTasks: [stopped({ stoppedAt: secondsAgo(1_000), containers: [{ name: "worker", exitCode: 1 }] })] },
        [],
      ],
      [
        "at maxTasks with a growing backlog",
        { running: 10, backlogTrend: { from: 200, to: 450 } },
        ["at maxTasks (10) and the backlog grows (200 → 450)"],
      ],
      ["at maxTasks with a shrinking backlog is autoscaling at work", { running: 10, backlogTrend: { from: 450, to: 200 } }, []],
      ["below maxTasks with a growing backlog is autoscaling at work", { running: 9, backlogTrend: { from: 200, to: 450 } }, []],
      [
        "a failed deployment",
        {
          deployment: {
            id: "ecs-svc/1",
            rolloutState: "FAILED",
            rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
            failedTasks: 3,
            circuitBreaker: "rollback",
          },
        },
        ["deployment ecs-svc/1 failed: ECS deployment circuit breaker: tasks failed to start."],
      ],
      [
        "a deployment in progress with failed tasks",
        { deployment: { id: "ecs-svc/2", rolloutState: "IN_PROGRESS", failedTasks: 2, circuitBreaker: "off" } },
        ["deployment ecs-svc/2 is failing: 2 task(s) failed"],
      ],
      [
        "a completed deployment",
        { deployment: { id: "ecs-svc/2", rolloutState: "COMPLETED", failedTasks: 0, circuitBreaker: "rollback" } },
        [],
      ],
      ["a worker whose queue cannot be found", { queue: undefined }, ["queue not found (JOBWORKER_QUEUE_URL in the task definition)"]],
      [
        "a worker whose queue read failed is unknown, not missing (an SQS outage is not 60 problems)",
        { queue: undefined, queueUnread: true },
        [],
      ],
      ["a service that is not a worker (log collector) is never flagged for its queue", { isWorker: false, queue: undefined }, []],
      [
        "several problems, each named",
        { dlqDepth: 1, oldestMessageAgeSeconds: 3_600 },
        ["DLQ holds 1 message(s)", "oldest message is 60 min old (limit 30 min)"],
      ],
    ];
    for (const [title, change, expected] of cases) {
      it(title, () => {
        const facts = { ...healthy, ...change } as RowFacts;
        assert.deepEqual(attentionReasons(facts, NOW), expected);
      });
    }
    it("takes its thresholds from the rules", () => {
      const rules = { pendingStuckSeconds: 60, oldestMessageSeconds: 300, failureWindowSeconds: 30 };
      const facts = {
        ...healthy,
        pending: 1,
        pendingSince: secondsAgo(61),
        oldestMessageAgeSeconds: 301,
        stoppedTasks: [stopped({ containers: [{ name: "worker", exitCode: 1 }] })],
      };
      assert.deepEqual(attentionReasons(facts, NOW, rules), ["oldest message is 5 min old (limit 5 min)", "1 task(s) pending for 1 min"]);
    });
  });

  describe("alarmRole and scalingState: scaling alarms are state, not trouble", () => {
    const policy = (name: string) =>
      `arn:aws:autoscaling:ap-northeast-1:123456789012:scalingPolicy:0f1e2d3c:resource/ecs/service/c/jw-a:policyName/${name}`;
    const roles: [string, MetricAlarm, AlarmState["role"]][] = [
      [
        "JobWorker's backlog alarm (scale-out policy)",
        { AlarmName: "jw-a-backlog-1a2b3c4", AlarmActions: [policy("jw-a-scale-out")], ComparisonOperator: "GreaterThanThreshold" },
        "scale-out",
      ],
      [
        "JobWorker's idle alarm (scale-in policy, ≤ 0)",
        { AlarmName: "jw-a-idle-1a2b3c4", AlarmActions: [policy("jw-a-scale-in")], ComparisonOperator: "LessThanOrEqualToThreshold" },
        "scale-in",
      ],
      [
        "a notifying alarm (SNS)",
        {
          AlarmName: "jw-a-dlq-not-empty-1a2b3c4",
          AlarmActions: ["arn:aws:sns:ap-northeast-1:123456789012:ops"],
          ComparisonOperator: "GreaterThanThreshold",
        },
        "notify",
      ],
      [
        "an alarm with no action at all is someone's watch: notify",
        { AlarmName: "hand-made", ComparisonOperator: "LessThanThreshold" },
        "notify",
      ],
    ];
    for (const [title, a, role] of roles) it(`${title} is ${role}`, () => assert.equal(alarmRole(a), role));

    const states: [string, AlarmState[], number, string][] = [
      ["a backlog alarm in ALARM is scaling out", [alarm("b", "scale-out", "ALARM"), alarm("i", "scale-in", "OK")], 3, "scaling out"],
      ["the idle alarm in ALARM is idle", [alarm("b", "scale-out", "OK"), alarm("i", "scale-in", "ALARM")], 1, "idle"],
      ["desired 0 without alarms is idle", [], 0, "idle"],
      ["quiet alarms and tasks is steady", [alarm("b", "scale-out", "OK"), alarm("i", "scale-in", "OK")], 2, "steady"],
      ["a notifying alarm says nothing about scaling", [alarm("d", "notify", "ALARM")], 2, "steady"],
    ];
    for (const [title, alarms, desired, expected] of states) it(title, () => assert.equal(scalingState(alarms, desired), expected));
  });

  describe("finding a service's worker and queue", () => {
    const td = (env: Record<string, string>): TaskDefinition => ({
      containerDefinitions: [{ name: "c", environment: Object.entries(env).map(([name, value]) => ({ name, value })) }],
    });
    const svc = (tags: Record<string, string> = {}): Service => ({
      serviceName: "svc",
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    });
    const cases: [string, Service, TaskDefinition | undefined, { url?: string; source: string }, string][] = [
      [
        "the task definition's JOBWORKER_QUEUE_URL wins over the tag",
        svc({ "jobworker:queue-url": "tagged" }),
        td({ JOBWORKER_QUEUE_URL: "env", JOBWORKER_WORKER: "kind" }),
        { url: "env", source: "task-definition" },
        "kind",
      ],
      [
        "the tag when the task definition has none",
        svc({ "jobworker:queue-url": "tagged", "jobworker:worker": "tw" }),
        td({}),
        { url: "tagged", source: "tag" },
        "tw",
      ],
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
      { AlarmName: "queue", StateValue: "ALARM", Dimensions: [{ Name: "QueueName", Value: "jw-a" }], StateUpdatedTimestamp: NOW },
      { AlarmName: "dlq", StateValue: "OK", Dimensions: [{ Name: "QueueName", Value: "jw-a-dlq" }] },
      { AlarmName: "other-queue", StateValue: "ALARM", Dimensions: [{ Name: "QueueName", Value: "jw-b" }] },
      {
        AlarmName: "cpu",
        StateValue: "OK",
        Dimensions: [
          { Name: "ClusterName", Value: "c" },
          { Name: "ServiceName", Value: "svc-a" },
        ],
      },
      {
        AlarmName: "cpu-other-cluster",
        StateValue: "OK",
        Dimensions: [
          { Name: "ClusterName", Value: "d" },
          { Name: "ServiceName", Value: "svc-a" },
        ],
      },
      {
        AlarmName: "math",
        StateValue: "INSUFFICIENT_DATA",
        Metrics: [{ Id: "m", MetricStat: { Metric: { Dimensions: [{ Name: "QueueName", Value: "jw-a" }] }, Period: 60, Stat: "Sum" } }],
      },
    ];
    assert.deepEqual(alarmsFor(alarms, "c", "svc-a", ["jw-a", "jw-a-dlq"]), [
      { name: "cpu", state: "OK", role: "notify" },
      { name: "dlq", state: "OK", role: "notify" },
      { name: "math", state: "INSUFFICIENT_DATA", role: "notify" },
      { name: "queue", state: "ALARM", role: "notify", since: NOW.toISOString() },
    ]);
  });

  it("reads the PRIMARY deployment and the circuit breaker", () => {
    const service: Service = {
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      deployments: [
        { id: "ecs-svc/111", status: "ACTIVE", rolloutState: "COMPLETED" },
        { id: "ecs-svc/222", status: "PRIMARY", rolloutState: "IN_PROGRESS", failedTasks: 2, updatedAt: NOW },
      ],
    };
    assert.deepEqual(deploymentInfo(service), {
      id: "ecs-svc/222",
      rolloutState: "IN_PROGRESS",
      failedTasks: 2,
      circuitBreaker: "rollback",
      updatedAt: NOW.toISOString(),
    });
    assert.equal(deploymentInfo({}), undefined);
  });

  it("sorts rows needing attention first (most reasons first), then by name", () => {
    const row = (worker: string, attention: string[]) => ({ worker, serviceName: `jw-${worker}`, attention }) as unknown as WorkerRow;
    const rows = [row("a", []), row("b", ["x"]), row("c", []), row("d", ["x", "y"]), row("e", ["x"])];
    assert.deepEqual(
      rows.sort(byAttention).map((r) => r.worker),
      ["d", "b", "e", "a", "c"],
    );
  });

  describe("logsUrl", () => {
    const withLog = (
      logConfiguration: NonNullable<TaskDefinition["containerDefinitions"]>[number]["logConfiguration"],
    ): TaskDefinition => ({ containerDefinitions: [{ name: "c", logConfiguration }] });
    const cases: [string, TaskDefinition | undefined, string | undefined, string | undefined][] = [
      [
        "awslogs: the group and stream prefix, in the group's region",
        withLog({
          logDriver: "awslogs",
          options: { "awslogs-group": "/jobworker/a", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "worker" },
        }),
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
        clusterLogGroupOf([
          { containerDefinitions: [{ name: "w" }] },
          {
            containerDefinitions: [
              { name: "collector", environment: [{ name: "LOG_GROUP_NAME", value: "/jobworker/prod/main/containers" }] },
            ],
          },
        ]),
        "/jobworker/prod/main/containers",
      );
    });
  });

  describe("pendingReason: the newest service event since the oldest pending task was created", () => {
    const since = secondsAgo(600);
    const event = (ago: number, message: string) => ({ at: secondsAgo(ago).toISOString(), message });
    const cases: [string, { at?: string; message: string }[], string | undefined][] = [
      [
        "the newest of several, without ECS's service prefix",
        [event(500, "(service jw-w) was unable to place a task: old"), event(30, "(service jw-w) was unable to place a task: new")],
        "was unable to place a task: new",
      ],
      [
        "an event from before the tasks were pending says nothing about them",
        [event(700, "(service jw-w) has reached a steady state.")],
        undefined,
      ],
      ["an event without a time is not evidence", [{ message: "(service jw-w) was unable to place a task" }], undefined],
      ["no events, no reason", [], undefined],
    ];
    for (const [title, events, expected] of cases) it(title, () => assert.equal(pendingReason(events, since), expected));
  });

  describe("taskLogsUrl: one task's log lines", () => {
    const td = (logConfiguration: NonNullable<TaskDefinition["containerDefinitions"]>[number]["logConfiguration"]): TaskDefinition => ({
      containerDefinitions: [{ name: "worker", logConfiguration }],
    });
    const task: Task = {
      taskArn: "arn:aws:ecs:ap-northeast-1:123456789012:task/main/0f1e2d3c4b5a",
      containers: [{ name: "worker", runtimeId: "a1b2c3d4e5f6" }],
    };
    const base = "https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/";
    const cases: [string, TaskDefinition, Task, string | undefined, string | undefined][] = [
      [
        "awslogs: the task's own stream, <prefix>/<container>/<task id>",
        td({ logDriver: "awslogs", options: { "awslogs-group": "/jobworker/a", "awslogs-stream-prefix": "w" } }),
        task,
        undefined,
        `${base}$252Fjobworker$252Fa/log-events/w$252Fworker$252F0f1e2d3c4b5a`,
      ],
      [
        "fluentd (JobWorker): the worker's stream filtered to the task's Docker container id",
        td({ logDriver: "fluentd", options: { tag: "jobworker.orders" } }),
        task,
        "/jobworker/prod/main/containers",
        `${base}$252Fjobworker$252Fprod$252Fmain$252Fcontainers/log-events/container$252Fjobworker.orders$3FfilterPattern$3D$2522a1b2c3d4e5f6$2522`,
      ],
      [
        "fluentd, a task not yet given a container: no link",
        td({ logDriver: "fluentd", options: { tag: "jobworker.orders" } }),
        { taskArn: task.taskArn, containers: [{ name: "worker" }] },
        "/g",
        undefined,
      ],
      [
        "awslogs without a stream prefix: streams are not per task, no link",
        td({ logDriver: "awslogs", options: { "awslogs-group": "/g" } }),
        task,
        undefined,
        undefined,
      ],
    ];
    for (const [title, definition, t, group, expected] of cases) {
      it(title, () => assert.equal(taskLogsUrl(t, definition, "ap-northeast-1", group), expected));
    }
  });
});
