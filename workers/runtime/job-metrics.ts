/**
 * Job metrics as CloudWatch Embedded Metric Format (EMF): one log record per finished job whose
 * `_aws` envelope tells CloudWatch Logs to extract `JobDuration`, `BytesIn`, `BytesOut` and `Jobs`
 * into the `jobworker` namespace, by worker and outcome. No PutMetricData calls: the metrics cost
 * nothing beyond the log line the job writes anyway.
 * (Spec: "Specification: Embedded metric format", Amazon CloudWatch User Guide.)
 */

/** The CloudWatch namespace of every job metric. */
export const JOB_METRICS_NAMESPACE = "jobworker";

/**
 * What became of a job (one S3 object):
 * - `succeeded`: its outputs were delivered (or the object was gone, so there was nothing to do);
 * - `released`: it failed and its message was made visible again for another try;
 * - `dead-lettered`: it failed permanently and its message went to the dead-letter queue;
 * - `failed`: it failed and the worker could not settle its message (shutdown deadline, or the
 *   release call itself failed): the message comes back after its visibility timeout.
 */
export type JobOutcomeName = "succeeded" | "failed" | "dead-lettered" | "released";
export const JOB_OUTCOMES: readonly JobOutcomeName[] = ["succeeded", "failed", "dead-lettered", "released"];

/** Metric names and units, as the dashboard and alarms read them. */
export const JOB_METRICS = {
  JobDuration: "Milliseconds",
  BytesIn: "Bytes",
  BytesOut: "Bytes",
  Jobs: "Count",
} as const;
export type JobMetricName = keyof typeof JOB_METRICS;

/** Dimension sets: per worker and outcome, and per worker across outcomes. */
export const JOB_METRIC_DIMENSIONS: readonly (readonly string[])[] = [["Worker", "Outcome"], ["Worker"]];

export interface JobMetricsInput {
  /** The worker's name (the `Worker` dimension). */
  readonly worker: string;
  readonly outcome: JobOutcomeName;
  /** Wall time of the job, ms. */
  readonly durationMs: number;
  /** Object bytes read from S3 (counted on the stream, never buffered). */
  readonly bytesIn: number;
  /** Bytes delivered, summed over the job's outputs. */
  readonly bytesOut: number;
  /** Epoch milliseconds of the metric datapoints. */
  readonly timestamp: number;
}

/**
 * The members an EMF record adds to a log line: the `_aws` envelope, the dimension values and the
 * metric values, all top-level (the spec resolves every name in the envelope against the root).
 */
export function jobMetricsRecord(input: JobMetricsInput): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: Math.round(input.timestamp),
      CloudWatchMetrics: [
        {
          Namespace: JOB_METRICS_NAMESPACE,
          Dimensions: JOB_METRIC_DIMENSIONS.map((set) => [...set]),
          Metrics: Object.entries(JOB_METRICS).map(([Name, Unit]) => ({ Name, Unit })),
        },
      ],
    },
    Worker: input.worker,
    Outcome: input.outcome,
    JobDuration: Math.max(0, input.durationMs),
    BytesIn: Math.max(0, input.bytesIn),
    BytesOut: Math.max(0, input.bytesOut),
    Jobs: 1,
  };
}
