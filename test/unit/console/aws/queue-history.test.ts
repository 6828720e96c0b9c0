import assert from "node:assert/strict";
import type { CloudWatchClient, MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { historyQueryBatches, historyWindow, queueHistoryOf, readQueueHistory, seriesOnGrid } from "../../../../console/aws/queue-history";
import { stubClient } from "./stub-client";

const NOW = new Date("2026-05-01T10:07:30Z");
const at = (iso: string) => new Date(`2026-05-01T${iso}Z`);

describe("console/aws/queue-history", () => {
  it("aligns the window on 5-minute periods and ends it with the current, still-filling period", () => {
    const w = historyWindow(NOW);
    assert.deepEqual(
      { start: w.start.toISOString(), end: w.end.toISOString(), points: w.points },
      {
        start: "2026-05-01T07:10:00.000Z",
        end: "2026-05-01T10:10:00.000Z",
        points: 36,
      },
    );
    // On a boundary, the period starting now is the last one.
    assert.equal(historyWindow(at("10:05:00")).end.toISOString(), "2026-05-01T10:10:00.000Z");
  });

  it("asks for each queue once, in batches of at most 500 queries, each id naming its queue", () => {
    const names = Array.from({ length: 1001 }, (_, i) => `q-${i}`);
    const batches = historyQueryBatches([...names, "q-0", "q-7"]);
    assert.deepEqual(
      batches.map((b) => b.queries.length),
      [500, 500, 1],
    );
    const first = batches[0]?.queries[3] as MetricDataQuery;
    assert.equal(batches[0]?.names.get(first.Id ?? ""), "q-3");
    assert.deepEqual(first.MetricStat, {
      Metric: { Namespace: "AWS/SQS", MetricName: "ApproximateNumberOfMessagesVisible", Dimensions: [{ Name: "QueueName", Value: "q-3" }] },
      Period: 300,
      Stat: "Maximum",
    });
    assert.equal(batches[2]?.names.get("q0"), "q-1000");
  });

  it("maps datapoints onto the grid, oldest first, null where CloudWatch has none, ignoring what is outside the window", () => {
    const window = { start: at("10:00:00"), points: 4 };
    const series = seriesOnGrid(
      [
        // Newest first, as CloudWatch returns by default; one page of q0 split over two results.
        { Id: "q0", Timestamps: [at("10:15:00"), at("10:05:00")], Values: [7, 3] },
        { Id: "q0", Timestamps: [at("09:55:00"), at("10:20:00")], Values: [99, 99] },
        { Id: "q1", Timestamps: [], Values: [] },
        { Id: "unknown", Timestamps: [at("10:00:00")], Values: [5] },
      ],
      new Map([
        ["q0", "orders"],
        ["q1", "orders-dlq"],
      ]),
      window,
    );
    assert.deepEqual(Object.fromEntries(series), { orders: [null, 3, null, 7], "orders-dlq": [null, null, null, null] });
  });

  it("reads 600 queues in two GetMetricData calls over the window, following NextToken, and keys the series by queue", async () => {
    const names = Array.from({ length: 600 }, (_, i) => `q-${i}`);
    const { client, sent } = stubClient<CloudWatchClient>((call) => {
      const queries = call.input.MetricDataQueries as MetricDataQuery[];
      if (call.input.NextToken === undefined && queries.length === 100)
        return { MetricDataResults: [{ Id: "q99", Timestamps: [at("10:05:00")], Values: [4] }], NextToken: "page-2" };
      if (call.input.NextToken === "page-2") return { MetricDataResults: [{ Id: "q98", Timestamps: [at("09:00:00")], Values: [2] }] };
      return { MetricDataResults: [] };
    });
    const read = await readQueueHistory(client, names, NOW);
    assert.deepEqual(
      sent.map((c) => [c.name, (c.input.MetricDataQueries as unknown[]).length, c.input.NextToken]),
      [
        ["GetMetricDataCommand", 500, undefined],
        ["GetMetricDataCommand", 100, undefined],
        ["GetMetricDataCommand", 100, "page-2"],
      ],
    );
    assert.deepEqual([sent[0]?.input.StartTime, sent[0]?.input.EndTime], [at("07:10:00"), at("10:10:00")]);
    assert.equal(read.series.size, 600);
    assert.equal(read.series.get("q-599")?.at(-1), 4);
    assert.equal(read.series.get("q-598")?.[22], 2);
    assert.deepEqual(read.series.get("q-0"), new Array(36).fill(null));
  });

  it("gives a worker its queue's series and its DLQ's, or none when the queue was not read", () => {
    const read = {
      start: "s",
      periodSeconds: 300,
      series: new Map([
        ["orders", [1, 2]],
        ["orders-dlq", [0, 1]],
      ]),
    };
    assert.deepEqual(queueHistoryOf(read, "orders", "orders-dlq"), { start: "s", periodSeconds: 300, backlog: [1, 2], dlq: [0, 1] });
    assert.deepEqual(queueHistoryOf(read, "orders", undefined), { start: "s", periodSeconds: 300, backlog: [1, 2] });
    assert.equal(queueHistoryOf(read, "other", undefined), undefined);
  });
});
