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

/**
 * `ApproximateAgeOfOldestMessage` per queue name: the maximum over the last `windowMinutes`. SQS has
 * no API for the age itself; CloudWatch has it, one or more minutes behind. Queues with no
 * datapoints are absent from the result.
 */
export async function oldestMessageAges(
  cloudwatch: CloudWatchClient,
  queueNames: readonly string[],
  now: Date,
  windowMinutes = 15,
): Promise<Map<string, number>> {
  const ages = new Map<string, number>();
  const unique = [...new Set(queueNames)];
  const start = new Date(now.getTime() - windowMinutes * 60_000);
  for (const batch of chunk(unique, METRIC_QUERIES_BATCH)) {
    const queries: MetricDataQuery[] = batch.map((name, i) => ({
      Id: `q${i}`,
      Label: name,
      MetricStat: {
        Metric: { Namespace: "AWS/SQS", MetricName: "ApproximateAgeOfOldestMessage", Dimensions: [{ Name: "QueueName", Value: name }] },
        Period: 60,
        Stat: "Maximum",
      },
      ReturnData: true,
    }));
    const results = await paginate("cloudwatch:GetMetricData", async (NextToken) => {
      const out = await cloudwatch.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: now, NextToken }));
      return { items: out.MetricDataResults, next: out.NextToken };
    });
    for (const r of results) {
      const index = Number((r.Id ?? "").slice(1));
      const name = batch[index];
      const values = r.Values ?? [];
      if (name === undefined || values.length === 0) continue;
      // Values are newest first; the newest datapoint is the current age.
      const age = values[0] as number;
      ages.set(name, Math.max(ages.get(name) ?? 0, age));
    }
  }
  return ages;
}
