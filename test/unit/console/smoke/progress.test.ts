/**
 * `jobworker smoke`'s pure parts: which steps one round of reads decides (seen, proven by a later
 * step, skipped on a service that was already running, failed by a dead letter), how the scale-out
 * alarms are recognised, the sample's key, and the output names it looks for.
 */
import assert from "node:assert/strict";
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { expectedOutputs, scaleOutAlarmsOf } from "../../../../console/smoke/probes";
import { type Baseline, DRAINED_ROUNDS, type Observation, Progress, type ProgressContext } from "../../../../console/smoke/progress";
import { sampleKey } from "../../../../console/smoke/sample";
import { outputName } from "../../../../workers/runtime/output-name";

const UPLOAD = new Date("2026-05-01T10:00:00Z");
const IDLE: Baseline = {
  queue: { visible: 0, inFlight: 0 },
  deadLetterQueue: { visible: 0, inFlight: 0 },
  service: { desired: 0, running: 0, pending: 0 },
  alarms: [{ name: "w-backlog-fast-1", state: "OK", updatedAt: new Date("2026-04-30T00:00:00Z") }],
};

function progress(overrides: Partial<ProgressContext> = {}): Progress {
  const p = new Progress({
    baseline: IDLE,
    uploadedAt: UPLOAD,
    s3Slots: ["records"],
    otherOutputs: [],
    outputsKnown: true,
    deadLetterQueueName: "w-dlq",
    ...overrides,
  });
  p.stored(0.1, "s3://in/feeds/x.csv (3 bytes)");
  return p;
}

const at = (elapsedSeconds: number, o: Omit<Observation, "elapsedSeconds">): Observation => ({ elapsedSeconds, ...o });
const firing = { name: "w-backlog-fast-1", state: "ALARM", updatedAt: new Date(UPLOAD.getTime() + 12_400) };
const task = { taskId: "t-1" };

describe("console/smoke/progress", () => {
  it("passes the steps whose signals a round shows, in order, and measures the scale-out decision by CloudWatch's time", () => {
    const p = progress();
    assert.deepEqual(
      p.apply(at(1, { queue: { visible: 1, inFlight: 0 }, alarms: [IDLE.alarms[0]!] })).records.map((r) => [r.step, r.observed]),
      [["queued", true]],
    );
    const round = p.apply(
      at(14, { queue: { visible: 1, inFlight: 0 }, alarms: [firing], service: { desired: 1, running: 0, pending: 1 } }),
    );
    assert.deepEqual(
      round.records.map((r) => [r.step, r.status, r.observed, r.elapsedSeconds]),
      [
        ["scale-out", "passed", true, 14],
        ["desired", "passed", true, 14],
      ],
    );
    assert.equal(round.records[0]!.detail, "w-backlog-fast-1 (CloudWatch changed its state 12.4 s after the upload)");
    assert.equal(p.decisionSeconds, 12.4);
    assert.equal(p.next, "running");
  });

  it("marks a step it never saw as proven by a later one (an alarm back to OK, a message taken before it was counted)", () => {
    const p = progress();
    const round = p.apply(
      at(70, {
        queue: { visible: 0, inFlight: 1 },
        alarms: [{ ...IDLE.alarms[0]!, state: "OK" }],
        service: { desired: 1, running: 1, pending: 0 },
        tasks: [task],
      }),
    );
    assert.deepEqual(
      round.records.map((r) => [r.step, r.observed]),
      [
        ["queued", true],
        ["scale-out", false],
        ["desired", true],
        ["running", true],
      ],
    );
    assert.match(round.records[1]!.detail, /^not seen itself; "ECS desired count > 0" proves it happened$/);
    assert.equal(p.decisionSeconds, undefined, "not measured when the ALARM state was not seen");
  });

  it("counts a delivery only once the output exists and the queue is back to its depth before the upload", () => {
    const p = progress();
    p.apply(
      at(70, { queue: { visible: 0, inFlight: 1 }, alarms: [firing], service: { desired: 1, running: 1, pending: 0 }, tasks: [task] }),
    );
    const written = { records: ["s3://out/r/feeds/x.0123456789abcdef.ndjson"] };
    assert.deepEqual(
      p.apply(at(72, { queue: { visible: 0, inFlight: 1 }, outputs: written })).records,
      [],
      "output written, message not yet deleted",
    );
    const round = p.apply(at(74, { queue: { visible: 0, inFlight: 0 }, outputs: written }));
    assert.deepEqual(
      round.records.map((r) => [r.step, r.detail]),
      [["delivered", "s3://out/r/feeds/x.0123456789abcdef.ndjson; queue drained; nothing in the DLQ"]],
    );
    assert.equal(p.done, true);
  });

  it(`with no S3 output, counts a delivery after ${DRAINED_ROUNDS} drained reads once a task runs, and says the receiving end is not visible`, () => {
    const p = progress({ s3Slots: [], otherOutputs: ["api (rest)"] });
    const drained = { queue: { visible: 0, inFlight: 0 } };
    assert.deepEqual(p.apply(at(1, drained)).records, [], "an empty queue before the message arrives proves nothing");
    p.apply(
      at(2, { queue: { visible: 1, inFlight: 0 }, alarms: [firing], service: { desired: 1, running: 1, pending: 0 }, tasks: [task] }),
    );
    assert.deepEqual(p.apply(at(3, drained)).records, []);
    const round = p.apply(at(4, drained));
    assert.deepEqual(
      round.records.map((r) => r.step),
      ["delivered"],
    );
    assert.match(round.records[0]!.detail, /api \(rest\): not visible from here, check the receiving end$/);
  });

  it("skips the scaling steps on a service that was already running, and does not take its tasks as proof", () => {
    const p = progress({ baseline: { ...IDLE, service: { desired: 2, running: 2, pending: 0 } } });
    assert.deepEqual(
      p.apply(at(1, { queue: { visible: 0, inFlight: 0 }, service: { desired: 2, running: 2, pending: 0 }, tasks: [task] })).records,
      [],
    );
    const round = p.apply(at(3, { queue: { visible: 0, inFlight: 1 }, service: { desired: 2, running: 2, pending: 0 }, tasks: [task] }));
    assert.deepEqual(
      round.records.map((r) => [r.step, r.status]),
      [
        ["queued", "passed"],
        ["scale-out", "skipped"],
        ["desired", "skipped"],
        ["running", "passed"],
      ],
    );
    assert.match(round.records[1]!.detail, /already at desired 2 before the upload/);
  });

  const deadLetters: Array<[string, string | undefined, RegExp]> = [
    ["the runtime's reason", "handler: feeds/x.csv is empty", /^the job was dead-lettered into w-dlq: handler: feeds\/x\.csv is empty$/],
    ["SQS's redrive, which gives none", undefined, /^the job was moved to w-dlq by SQS after maxReceiveCount receives/],
  ];
  for (const [what, reason, message] of deadLetters) {
    it(`fails the delivery on a dead letter with ${what}, the steps before it proven`, () => {
      const p = progress();
      const round = p.apply(
        at(80, { queue: { visible: 0, inFlight: 0 }, deadLetter: { messageId: "m-1", ...(reason !== undefined ? { reason } : {}) } }),
      );
      assert.deepEqual(
        round.records.map((r) => [r.step, r.status]),
        [
          ["queued", "passed"],
          ["scale-out", "passed"],
          ["desired", "passed"],
          ["running", "passed"],
          ["delivered", "failed"],
        ],
      );
      assert.match(round.failure!.message, message);
      assert.match(round.failure!.hint!, /message id m-1/);
      assert.equal(p.done, false);
    });
  }
});

describe("console/smoke: alarms, sample key, output names", () => {
  const alarm = (o: Partial<MetricAlarm>): MetricAlarm => ({
    AlarmName: "feed-normalize-backlog-fast-1a2b3c4",
    MetricName: "ApproximateNumberOfMessagesVisible",
    Dimensions: [{ Name: "QueueName", Value: "jw-staging-feed-normalize-1" }],
    ComparisonOperator: "GreaterThanThreshold",
    Period: 10,
    AlarmActions: ["arn:aws:autoscaling:ap-northeast-1:123456789012:scalingPolicy:1:resource/ecs/service/c/s:policyName/p"],
    ...o,
  });
  const cases: Array<[string, MetricAlarm, boolean]> = [
    ["the publisher's fast alarm", alarm({}), true],
    ["another stack's queue", alarm({ Dimensions: [{ Name: "QueueName", Value: "jw-prod-feed-normalize-1" }] }), false],
    ["the DLQ alarm (no scaling action)", alarm({ AlarmActions: ["arn:aws:sns:ap-northeast-1:123456789012:ops"] }), false],
    ["the idle alarm (scales in, below threshold)", alarm({ ComparisonOperator: "LessThanOrEqualToThreshold" }), false],
    ["the oldest-message alarm (another metric)", alarm({ MetricName: "ApproximateAgeOfOldestMessage" }), false],
  ];
  for (const [what, a, found] of cases) {
    it(`${found ? "recognises" : "ignores"} ${what}`, () => {
      assert.deepEqual(
        scaleOutAlarmsOf([a], "jw-staging-feed-normalize-1").map((x) => x.AlarmName),
        found ? [a.AlarmName] : [],
      );
    });
  }

  it("orders the scale-out alarms fastest first", () => {
    const slow = alarm({ AlarmName: "feed-normalize-backlog-9f8e7d6", Period: 60 });
    assert.deepEqual(
      scaleOutAlarmsOf([slow, alarm({})], "jw-staging-feed-normalize-1").map((x) => x.AlarmName),
      ["feed-normalize-backlog-fast-1a2b3c4", "feed-normalize-backlog-9f8e7d6"],
    );
  });

  it("names the sample under the worker's prefix, with its suffix so the notification fires", () => {
    const started = new Date("2026-05-01T10:00:00.123Z");
    assert.equal(
      sampleKey({ prefix: "feeds/", suffix: ".csv" }, "acme-feed.csv", started, "a1b2c3"),
      "feeds/jobworker-smoke-20260501T100000Z-a1b2c3-acme-feed.csv",
    );
    assert.equal(
      sampleKey({ prefix: "in/", suffix: ".csv" }, "orders.json", started, "a1b2c3"),
      "in/jobworker-smoke-20260501T100000Z-a1b2c3-orders.json.csv",
    );
    assert.equal(sampleKey({ prefix: "", suffix: "" }, "x", started, "a1b2c3"), "jobworker-smoke-20260501T100000Z-a1b2c3-x");
  });

  it("looks for S3 outputs where the runtime names them, by version id and by ETag, and not for other bindings", () => {
    const input = { bucket: "in", key: "feeds/x.csv", eTag: '"abc"', versionId: "v1" };
    const expected = expectedOutputs(
      { records: { type: "s3", bucket: "out", prefix: "r/" }, api: { type: "rest", url: "https://x.example" } },
      input,
    );
    assert.deepEqual(expected, [
      {
        slot: "records",
        bucket: "out",
        keyPrefixes: [
          `r/${outputName({ bucket: "in", key: "feeds/x.csv", versionId: "v1" })}`,
          `r/${outputName({ bucket: "in", key: "feeds/x.csv", eTag: "abc" })}`,
        ],
      },
    ]);
    assert.match(expected[0]!.keyPrefixes[1]!, /^r\/feeds\/x\.[0-9a-f]{16}$/);
  });
});
