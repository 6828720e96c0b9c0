/**
 * `jobworker smoke`'s run, in named steps: preflight (the worker's resources exist; what they look
 * like before the upload), upload the sample, poll until every step happened or the deadline passed
 * (bounded in rounds and in time, one abort signal for every call), and clean up what it put.
 */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { queueNameFromUrl } from "../aws/sqs";
import { describeAwsError } from "../errors";
import { cleanUp } from "./cleanup";
import type { SmokeClients } from "./clients";
import type { SmokeEvent, SmokeResult } from "./events";
import { notes, preflight, type Prepared } from "./preflight";
import {
  alarmStates,
  expectedOutputs,
  findDeadLetter,
  outputKeys,
  queueDepth,
  runningTasks,
  serviceCounts,
  type ExpectedOutput,
} from "./probes";
import { type Observation, Progress, SCALE_OUT_DECISION_TARGET_SECONDS, type StepFailure, type StepRecord } from "./progress";
import type { Sample } from "./sample";
import type { StackTarget, WorkerTarget } from "./stack-outputs";
import { STEPS } from "./steps";

export interface SmokePlan {
  readonly stack: StackTarget;
  readonly worker: WorkerTarget;
  readonly sample: Sample;
  readonly region: string;
  readonly timeoutSeconds: number;
  readonly intervalSeconds: number;
}

/** Time, injectable for tests. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    }),
};

export interface SmokeDeps {
  readonly clients: SmokeClients;
  readonly clock: Clock;
  readonly onEvent: (event: SmokeEvent) => void;
  /** Aborts the run (SIGINT); cleanup still happens. */
  readonly signal?: AbortSignal;
}

/** Runs the check; resolves with the result (`PreflightError` when it could not start). */
export async function runSmokeCheck(plan: SmokePlan, deps: SmokeDeps): Promise<SmokeResult> {
  const prepared = await preflight(plan, deps.clients);
  const { worker, sample } = plan;
  deps.onEvent({
    type: "start",
    worker: worker.name,
    source: plan.stack.source,
    cluster: plan.stack.clusterName,
    region: plan.region,
    sample: sample.path,
    object: `s3://${worker.bucket}/${sample.key}`,
    alarms: prepared.hints.alarmNames,
    timeoutSeconds: plan.timeoutSeconds,
  });
  for (const note of notes(plan, prepared.baseline)) deps.onEvent({ type: "note", message: note });

  const run = new AbortController();
  const onAbort = () => run.abort(deps.signal?.reason ?? new Error("interrupted"));
  deps.signal?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => run.abort(new Error("deadline")), plan.timeoutSeconds * 1000 + 5_000);
  const startedAt = deps.clock.now();
  const elapsed = () => (deps.clock.now() - startedAt) / 1000;
  const bindings = Object.entries(worker.outputs ?? {});
  const progress = new Progress({
    baseline: prepared.baseline,
    uploadedAt: new Date(startedAt),
    s3Slots: bindings.filter(([, b]) => b.type === "s3").map(([slot]) => slot),
    otherOutputs: bindings.filter(([, b]) => b.type !== "s3").map(([slot, b]) => `${slot} (${b.type})`),
    outputsKnown: worker.outputs !== undefined,
    deadLetterQueueName: queueNameFromUrl(worker.deadLetterQueueUrl),
  });
  const emit = (records: readonly StepRecord[]) => records.forEach((r) => deps.onEvent({ type: "step", ...r }));
  let failure: StepFailure | undefined;
  let uploaded: { versionId?: string; eTag?: string } | undefined;
  let found: Readonly<Record<string, readonly string[]>> = {};
  try {
    try {
      uploaded = await upload(plan, deps.clients, run.signal);
      emit([progress.stored(elapsed(), `s3://${worker.bucket}/${sample.key} (${sample.body.length} bytes)`)]);
    } catch (err) {
      failure = { step: "stored", message: `PutObject failed: ${describeAwsError(err).message}` };
      emit([progress.fail("stored", elapsed(), failure.message)]);
    }
    if (uploaded) {
      // The runtime names outputs after the version id or the ETag S3 reports for the sample.
      const named = expectedOutputs(worker.outputs ?? {}, { bucket: worker.bucket, key: sample.key, ...uploaded });
      failure = await poll(plan, deps, { progress, prepared, outputs: named, signal: run.signal, elapsed, onFound: (f) => (found = f) });
    }
  } finally {
    clearTimeout(timer);
    deps.signal?.removeEventListener("abort", onAbort);
  }
  const elapsedSeconds = elapsed();
  const cleanup = await cleanUp(
    deps.clients.s3,
    uploaded && { bucket: worker.bucket, key: sample.key, ...uploaded },
    Object.values(found).flat(),
  );
  deps.onEvent({ type: "cleanup", ...cleanup });
  const result: SmokeResult = {
    passed: failure === undefined && progress.done,
    worker: worker.name,
    elapsedSeconds,
    ...(progress.decisionSeconds !== undefined ? { decisionSeconds: progress.decisionSeconds } : {}),
    decisionTargetSeconds: SCALE_OUT_DECISION_TARGET_SECONDS,
    steps: progress.records,
    ...(failure
      ? {
          failure: {
            step: failure.step,
            title: STEPS[failure.step].title,
            message: failure.message,
            hint: failure.hint ?? STEPS[failure.step].hint(prepared.hints),
          },
        }
      : {}),
    cleanup,
  };
  deps.onEvent({ type: "result", ...result });
  return result;
}

async function upload(plan: SmokePlan, clients: SmokeClients, signal: AbortSignal): Promise<{ versionId?: string; eTag?: string }> {
  const out = await clients.s3.send(new PutObjectCommand({ Bucket: plan.worker.bucket, Key: plan.sample.key, Body: plan.sample.body }), {
    abortSignal: signal,
  });
  return { ...(out.VersionId ? { versionId: out.VersionId } : {}), ...(out.ETag ? { eTag: out.ETag } : {}) };
}

interface PollState {
  readonly progress: Progress;
  readonly prepared: Prepared;
  readonly outputs: readonly ExpectedOutput[];
  readonly signal: AbortSignal;
  readonly elapsed: () => number;
  readonly onFound: (found: Readonly<Record<string, readonly string[]>>) => void;
}

/** Rounds of reads until every step happened, a step failed, or the deadline: at most timeout/interval + 1 rounds. */
async function poll(plan: SmokePlan, deps: SmokeDeps, s: PollState): Promise<StepFailure | undefined> {
  const maxRounds = Math.ceil(plan.timeoutSeconds / plan.intervalSeconds) + 1;
  let last: Observation | undefined;
  for (let round = 0; round < maxRounds && !s.progress.done; round++) {
    try {
      last = await observe(plan, deps.clients, s);
    } catch (err) {
      if (s.signal.aborted) break; // interrupted, or a call hung past the deadline: reported below
      const step = s.progress.next!;
      const message = `reading AWS failed: ${describeAwsError(err).message}`;
      deps.onEvent({ type: "step", ...s.progress.fail(step, s.elapsed(), message) });
      return { step, message };
    }
    if (last.outputs) s.onFound(last.outputs);
    const { records, failure } = s.progress.apply(last);
    records.forEach((r) => deps.onEvent({ type: "step", ...r }));
    if (failure) return failure;
    if (s.progress.done) return undefined;
    const left = plan.timeoutSeconds - s.elapsed();
    if (left <= 0) break;
    try {
      await deps.clock.sleep(Math.min(plan.intervalSeconds, left) * 1000, s.signal);
    } catch {
      break; // aborted: reported below as the step that did not happen
    }
  }
  const step = s.progress.next!;
  const why =
    s.signal.aborted && s.elapsed() < plan.timeoutSeconds ? "the check was interrupted" : `did not happen within ${plan.timeoutSeconds} s`;
  const message = `${why} (last seen: ${Progress.lastSeen(last)})`;
  deps.onEvent({ type: "step", ...s.progress.fail(step, s.elapsed(), message) });
  return { step, message };
}

/** One round: only what the steps still to come need. */
async function observe(plan: SmokePlan, clients: SmokeClients, s: PollState): Promise<Observation> {
  const { worker, stack } = plan;
  const opts = { abortSignal: s.signal };
  const next = s.progress.next;
  const pending = (step: string) => s.progress.records.every((r) => r.step !== step);
  const [queue, deadLetterQueue, alarms, service, outputs] = await Promise.all([
    queueDepth(clients.sqs, worker.queueUrl, opts),
    queueDepth(clients.sqs, worker.deadLetterQueueUrl, opts),
    pending("scale-out") && !s.progress.warm ? alarmStates(clients.cloudwatch, s.prepared.hints.alarmNames, opts) : undefined,
    pending("running") ? serviceCounts(clients.ecs, stack.clusterName, worker.serviceName, opts) : undefined,
    s.outputs.length > 0 ? findOutputs(clients, s.outputs, opts) : undefined,
  ]);
  const lookForTasks = pending("running") && (s.progress.warm || (service?.desired ?? 0) > 0 || next === "running");
  const tasks = lookForTasks ? await runningTasks(clients.ecs, stack.clusterName, worker.serviceName, opts) : undefined;
  const baseDeadLetters = s.prepared.baseline.deadLetterQueue;
  const deadLetter =
    deadLetterQueue.visible + deadLetterQueue.inFlight > baseDeadLetters.visible + baseDeadLetters.inFlight
      ? await findDeadLetter(clients.sqs, worker.deadLetterQueueUrl, { bucket: worker.bucket, key: plan.sample.key }, opts)
      : undefined;
  return {
    elapsedSeconds: s.elapsed(),
    queue,
    deadLetterQueue,
    ...(alarms ? { alarms } : {}),
    ...(service ? { service } : {}),
    ...(tasks ? { tasks } : {}),
    ...(deadLetter ? { deadLetter } : {}),
    ...(outputs ? { outputs } : {}),
  };
}

async function findOutputs(
  clients: SmokeClients,
  outputs: readonly ExpectedOutput[],
  opts: { abortSignal: AbortSignal },
): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const o of outputs) found[o.slot] = (await outputKeys(clients.s3, o, opts)).map((k) => `s3://${o.bucket}/${k}`);
  return found;
}
