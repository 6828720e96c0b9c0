/**
 * "Tasks needed" per worker: ceil((visible + in flight) / concurrency), clamped to 0..maxTasks. The
 * worker's concurrency and task maximum are tags on its queue (the JobWorker component sets them),
 * so the publisher needs no list of workers; a queue without them (a DLQ) gets no such metric.
 */
import { ListQueueTagsCommand, type SQSClient } from "@aws-sdk/client-sqs";

/** Queue tags the JobWorker component sets, read here. */
export const SCALING_TAGS = { concurrency: "jobworker:concurrency", maxTasks: "jobworker:max-tasks" } as const;
/** The metric's name (dimension QueueName, like the backlog metrics). */
export const TASKS_NEEDED = "TasksNeeded";

export interface WorkerScaling {
  readonly concurrency: number;
  readonly maxTasks: number;
}

export function tasksNeeded(visible: number, inFlight: number, s: WorkerScaling): number {
  return Math.min(s.maxTasks, Math.max(0, Math.ceil((visible + inFlight) / s.concurrency)));
}

/** The scaling tags of a queue's tag set; undefined when either is missing or not a positive integer. */
export function scalingFromTags(tags: Readonly<Record<string, string>> | undefined): WorkerScaling | undefined {
  const int = (v: string | undefined) => (v !== undefined && /^[1-9][0-9]*$/.test(v) ? Number(v) : undefined);
  const concurrency = int(tags?.[SCALING_TAGS.concurrency]);
  const maxTasks = int(tags?.[SCALING_TAGS.maxTasks]);
  return concurrency !== undefined && maxTasks !== undefined ? { concurrency, maxTasks } : undefined;
}

/** Reads (once per cache) a queue's scaling tags. */
export async function workerScaling(
  sqs: Pick<SQSClient, "send">,
  queueUrl: string,
  cache: Map<string, Promise<WorkerScaling | undefined>>,
): Promise<WorkerScaling | undefined> {
  let found = cache.get(queueUrl);
  if (!found) {
    found = sqs.send(new ListQueueTagsCommand({ QueueUrl: queueUrl })).then((out) => scalingFromTags(out.Tags));
    // A failed read is not cached: the next pass asks again.
    found.catch(() => cache.delete(queueUrl));
    cache.set(queueUrl, found);
  }
  return found;
}
