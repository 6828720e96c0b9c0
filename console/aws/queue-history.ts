/**
 * The sparklines' data: `ApproximateNumberOfMessagesVisible` of every worker's queue and DLQ over the
 * last hours, in 5-minute periods, read in as few GetMetricData calls as the 500-query limit allows
 * (one for up to 500 queues), and kept between refreshes: a 5-minute series gains a point at most
 * every 5 minutes, so re-reading it every 10 s refresh would only spend calls.
 */
import { CloudWatchClient, GetMetricDataCommand, MetricDataQuery, MetricDataResult } from "@aws-sdk/client-cloudwatch";
import { QueueHistory } from "../types";
import { chunk, paginate } from "./batch";
import { METRIC_QUERIES_BATCH } from "./cloudwatch";

/** SQS publishes its metrics every 5 minutes (1-minute periods would be mostly empty). */
export const HISTORY_PERIOD_SECONDS = 300;
/** How far back the sparklines reach. */
export const HISTORY_HOURS = 3;
/** How long a read history serves later refreshes: one period. */
export const HISTORY_TTL_MS = HISTORY_PERIOD_SECONDS * 1000;

/**
 * The window of the series: period-aligned (so successive reads line up) and ending at the end of
 * the current period, so the newest, still-filling period is the last point.
 */
export function historyWindow(
  now: Date,
  hours = HISTORY_HOURS,
  periodSeconds = HISTORY_PERIOD_SECONDS,
): { start: Date; end: Date; points: number } {
  const periodMs = periodSeconds * 1000;
  const end = new Date(Math.ceil((now.getTime() + 1) / periodMs) * periodMs);
  const points = Math.round((hours * 3600) / periodSeconds);
  return { start: new Date(end.getTime() - points * periodMs), end, points };
}

/** One query: a queue's visible messages, one maximum per period. Ids must start with a lowercase letter. */
function visibleQuery(id: string, queueName: string, periodSeconds: number): MetricDataQuery {
  return {
    Id: id,
    Label: queueName,
    MetricStat: {
      Metric: {
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: queueName }],
      },
      Period: periodSeconds,
      Stat: "Maximum",
    },
    ReturnData: true,
  };
}

/**
 * The queries for every queue name (each name once, however many workers share it), split into
 * batches of at most `batchSize`; each query's id maps back to its queue name through `names`.
 */
export function historyQueryBatches(
  queueNames: readonly string[],
  periodSeconds = HISTORY_PERIOD_SECONDS,
  batchSize = METRIC_QUERIES_BATCH,
): { queries: MetricDataQuery[]; names: Map<string, string> }[] {
  return chunk([...new Set(queueNames)], batchSize).map((batch) => {
    const names = new Map(batch.map((name, i) => [`q${i}`, name]));
    return { queries: [...names].map(([id, name]) => visibleQuery(id, name, periodSeconds)), names };
  });
}

/**
 * One series per queue on the window's grid, oldest first: a datapoint lands in the period it
 * starts, periods without one are `null`. Results of one query may come in several pages.
 */
export function seriesOnGrid(
  results: readonly MetricDataResult[],
  names: ReadonlyMap<string, string>,
  window: { start: Date; points: number },
  periodSeconds = HISTORY_PERIOD_SECONDS,
): Map<string, (number | null)[]> {
  const out = new Map<string, (number | null)[]>();
  const periodMs = periodSeconds * 1000;
  for (const r of results) {
    const name = names.get(r.Id ?? "");
    if (name === undefined) continue;
    const series = out.get(name) ?? new Array<number | null>(window.points).fill(null);
    (r.Timestamps ?? []).forEach((t, i) => {
      const slot = Math.floor((t.getTime() - window.start.getTime()) / periodMs);
      const value = r.Values?.[i];
      if (slot >= 0 && slot < window.points && value !== undefined) series[slot] = Math.max(series[slot] ?? 0, value);
    });
    out.set(name, series);
  }
  return out;
}

/** Queue name → its visible-messages series over the last `HISTORY_HOURS`; queues CloudWatch does not know get all-`null` series. */
export async function readQueueHistory(
  cloudwatch: CloudWatchClient,
  queueNames: readonly string[],
  now: Date,
): Promise<{ start: string; periodSeconds: number; series: Map<string, (number | null)[]> }> {
  const window = historyWindow(now);
  const series = new Map<string, (number | null)[]>();
  for (const { queries, names } of historyQueryBatches(queueNames)) {
    const results = await paginate("cloudwatch:GetMetricData", async (NextToken) => {
      const out = await cloudwatch.send(
        new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: window.start, EndTime: window.end, NextToken }),
      );
      return { items: out.MetricDataResults, next: out.NextToken };
    });
    for (const [name, values] of seriesOnGrid(results, names, window)) series.set(name, values);
    for (const name of names.values()) if (!series.has(name)) series.set(name, new Array<number | null>(window.points).fill(null));
  }
  return { start: window.start.toISOString(), periodSeconds: HISTORY_PERIOD_SECONDS, series };
}

/** A worker's history from the per-queue series: its queue's and, when it has one, its DLQ's. */
export function queueHistoryOf(
  read: { start: string; periodSeconds: number; series: ReadonlyMap<string, readonly (number | null)[]> },
  queueName: string,
  dlqName: string | undefined,
): QueueHistory | undefined {
  const backlog = read.series.get(queueName);
  if (!backlog) return undefined;
  const dlq = dlqName ? read.series.get(dlqName) : undefined;
  return { start: read.start, periodSeconds: read.periodSeconds, backlog, ...(dlq ? { dlq } : {}) };
}
