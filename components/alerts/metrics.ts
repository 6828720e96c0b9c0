/**
 * The metric names the dashboard and alarms read, by namespace, in one place: AWS's own (names stay
 * AWS's) and the runtime's Embedded Metric Format job metrics (written by `workers/runtime/`).
 */

/** The runtime's EMF job metrics: namespace, dimension sets [Worker, Outcome] and [Worker]. */
export const JOB_METRICS = {
  namespace: "jobworker",
  duration: "JobDuration",
  bytesIn: "BytesIn",
  bytesOut: "BytesOut",
  jobs: "Jobs",
  outcomes: ["succeeded", "failed", "dead-lettered", "released"],
} as const;

/** AWS/ECS cluster metrics (the fleet's reservation, what capacity scaling follows). */
export const ECS_NAMESPACE = "AWS/ECS";
export const ECS_RESERVATION = ["CPUReservation", "MemoryReservation"] as const;
/** Container Insights service metrics (`containerInsights` enabled on the cluster). */
export const CONTAINER_INSIGHTS_TASK_COUNTS = ["RunningTaskCount", "PendingTaskCount", "DesiredTaskCount"] as const;
