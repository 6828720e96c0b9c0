import assert from "node:assert/strict";
import { JOB_METRICS, JOB_OUTCOMES, jobMetricsRecord, type JobMetricsInput } from "../../../workers/runtime/job-metrics";
import { emfViolations } from "../../support/emf";

const base: JobMetricsInput = {
  worker: "feed-normalize",
  outcome: "succeeded",
  durationMs: 1234,
  bytesIn: 5000,
  bytesOut: 4200,
  timestamp: Date.UTC(2026, 10, 29, 4, 0, 0),
};

/** The record as CloudWatch Logs sees it: one JSON line. */
const asLine = (input: JobMetricsInput) => JSON.parse(JSON.stringify({ level: "info", msg: "job metrics", ...jobMetricsRecord(input) }));

describe("job metrics (CloudWatch Embedded Metric Format)", () => {
  for (const outcome of JOB_OUTCOMES) {
    it(`renders a valid EMF document for outcome \`${outcome}\``, () => {
      const line = asLine({ ...base, outcome });
      assert.deepEqual(emfViolations(line), []);
      assert.equal(line.Outcome, outcome);
    });
  }

  it("names namespace `jobworker`, dimension sets [Worker, Outcome] and [Worker], and the four metrics with their units", () => {
    const line = asLine(base);
    assert.deepEqual(line._aws, {
      Timestamp: base.timestamp,
      CloudWatchMetrics: [
        {
          Namespace: "jobworker",
          Dimensions: [["Worker", "Outcome"], ["Worker"]],
          Metrics: [
            { Name: "JobDuration", Unit: "Milliseconds" },
            { Name: "BytesIn", Unit: "Bytes" },
            { Name: "BytesOut", Unit: "Bytes" },
            { Name: "Jobs", Unit: "Count" },
          ],
        },
      ],
    });
    assert.deepEqual(
      {
        Worker: line.Worker,
        Outcome: line.Outcome,
        JobDuration: line.JobDuration,
        BytesIn: line.BytesIn,
        BytesOut: line.BytesOut,
        Jobs: line.Jobs,
      },
      { Worker: "feed-normalize", Outcome: "succeeded", JobDuration: 1234, BytesIn: 5000, BytesOut: 4200, Jobs: 1 },
    );
    assert.deepEqual(Object.keys(JOB_METRICS), ["JobDuration", "BytesIn", "BytesOut", "Jobs"]);
  });

  it("rounds a fractional timestamp to integer milliseconds and never reports negative values", () => {
    const line = asLine({ ...base, timestamp: base.timestamp + 0.6, durationMs: -3 });
    assert.equal(line._aws.Timestamp, base.timestamp + 1);
    assert.equal(line.JobDuration, 0);
    assert.deepEqual(emfViolations(line), []);
  });

  // The checker must catch what the specification forbids, or the tests above prove nothing.
  const broken: Array<[string, (doc: Record<string, any>) => void, RegExp]> = [
    ["no `_aws`", (d) => delete d._aws, /no `_aws`/],
    ["a timestamp in seconds", (d) => (d._aws.Timestamp = 1_764_388_800), /Timestamp/],
    ["a metric without a top-level value", (d) => delete d.BytesOut, /metric `BytesOut` has no top-level numeric value/],
    ["a metric value that is a string", (d) => (d.Jobs = "1"), /metric `Jobs` has no top-level numeric value/],
    ["a dimension without a top-level string", (d) => (d.Outcome = 3), /dimension `Outcome`/],
    ["a unit CloudWatch does not know", (d) => (d._aws.CloudWatchMetrics[0].Metrics[0].Unit = "ms"), /unit `ms`/],
    [
      "31 dimensions in one set",
      (d) => (d._aws.CloudWatchMetrics[0].Dimensions = [Array.from({ length: 31 }, () => "Worker")]),
      /at most 30/,
    ],
    [
      "101 metrics in one directive",
      (d) => (d._aws.CloudWatchMetrics[0].Metrics = Array.from({ length: 101 }, () => ({ Name: "Jobs", Unit: "Count" }))),
      /at most 100/,
    ],
    ["an unknown member in a directive", (d) => (d._aws.CloudWatchMetrics[0].Extra = true), /member `Extra`/],
  ];
  for (const [what, mutate, expected] of broken) {
    it(`the EMF checker rejects ${what}`, () => {
      const doc = asLine(base);
      mutate(doc);
      assert.match(emfViolations(doc).join("\n"), expected);
    });
  }
});
