/** CloudWatch reads: alarm states, and the age of each queue's oldest message. */
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, MetricAlarm, MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { chunk, paginate } from "./batch";

/** GetMetricData takes at most 500 queries per call. */
export const METRIC_QUERIES_BATCH = 500;

export async function describeAllMetricAlarms(cloudwatch: CloudWatchClient): Promise<MetricAlarm[]> {
  return paginate("cloudwatch:DescribeAlarms", async (NextToken) => {
    const out = await cloudwatch.send(new DescribeAlarmsCommand({ NextToken, MaxRecords: 100, AlarmTypes: ["MetricAlarm"] }));
    return { items: out.MetricAlarms, next: out.NextToken };
  });
}

/** What CloudWatch says of one queue over the window. */
export interface QueueMetrics {
  /** `ApproximateAgeOfOldestMessage`, the newest datapoint, seconds. */
  readonly oldestMessageAgeSeconds?: number;
  /** `ApproximateNumberOfMessagesVisible` at the oldest and the newest datapoint, when there are two or more. */
  readonly backlogTrend?: { readonly from: number; readonly to: number };
}

/**
 * Per queue name, the age of its oldest message and how its backlog moved over the last
 * `windowMinutes`, two queries per queue in as few GetMetricData calls as its 500-query limit allows.
 * SQS has no API for the age itself; CloudWatch has it, one or more minutes behind. Queues with no
 * datapoints are absent from the result.
 */
export async function queueMetrics(
  cloudwatch: CloudWatchClient,
  queueNames: readonly string[],
  now: Date,
  windowMinutes = 15,
): Promise<Map<string, QueueMetrics>> {
  const found = new Map<string, { age?: number; trend?: { from: number; to: number } }>();
  const unique = [...new Set(queueNames)];
  const start = new Date(now.getTime() - windowMinutes * 60_000);
  const query = (id: string, name: string, metricName: string): MetricDataQuery => ({
    Id: id,
    Label: name,
    MetricStat: {
      Metric: { Namespace: "AWS/SQS", MetricName: metricName, Dimensions: [{ Name: "QueueName", Value: name }] },
      Period: 60,
      Stat: "Maximum",
    },
    ReturnData: true,
  });
  for (const batch of chunk(unique, METRIC_QUERIES_BATCH / 2)) {
    const queries = batch.flatMap((name, i) => [
      query(`a${i}`, name, "ApproximateAgeOfOldestMessage"),
      query(`v${i}`, name, "ApproximateNumberOfMessagesVisible"),
    ]);
    const results = await paginate("cloudwatch:GetMetricData", async (NextToken) => {
      const out = await cloudwatch.send(
        new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: now, NextToken, ScanBy: "TimestampDescending" }),
      );
      return { items: out.MetricDataResults, next: out.NextToken };
    });
    for (const r of results) {
      const name = batch[Number((r.Id ?? "").slice(1))];
      const values = r.Values ?? [];
      if (name === undefined || values.length === 0) continue;
      const entry = found.get(name) ?? {};
      // Newest first: the first value is the current one.
      if (r.Id?.startsWith("a")) entry.age = values[0] as number;
      else if (values.length >= 2) entry.trend = { from: values[values.length - 1] as number, to: values[0] as number };
      found.set(name, entry);
    }
  }
  return new Map(
    [...found].map(([name, m]) => [
      name,
      { ...(m.age !== undefined ? { oldestMessageAgeSeconds: m.age } : {}), ...(m.trend ? { backlogTrend: m.trend } : {}) },
    ]),
  );
}
