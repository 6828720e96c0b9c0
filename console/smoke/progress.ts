/**
 * Which steps of `jobworker smoke` have happened, decided from one round of reads at a time. Pure:
 * the runner feeds it observations, it answers with the steps that passed (in order) or the failure.
 *
 * A step passes when its own signal is seen, or when a later step's unmistakable signal is (the
 * alarm may go back to OK between two reads once a task drains the queue; a message may be taken
 * before it is ever counted): then it is marked "not seen itself". Signals of the sample's own
 * making count as proof; the service's counts and tasks do only if the service was idle (desired 0)
 * before the upload, and on a service that was already running the two scaling steps are skipped.
 */
import type { AlarmState, DeadLetter, QueueDepth, RunningTask, ServiceCounts } from "./probes";
import { STEP_IDS, STEPS, type StepId } from "./steps";

/** The README's promise: an upload leads to a scale-out decision within about 30 s. */
export const SCALE_OUT_DECISION_TARGET_SECONDS = 30;
/** Reads in a row that must find the queue drained before a delivery with no visible output counts. */
export const DRAINED_ROUNDS = 2;

const depth = (q: QueueDepth): number => q.visible + q.inFlight;

export type StepStatus = "passed" | "skipped" | "failed";

export interface StepRecord {
  readonly step: StepId;
  readonly title: string;
  readonly status: StepStatus;
  /** Seconds since the upload started. */
  readonly elapsedSeconds: number;
  /** False when the step was not seen itself but a later one proves it happened. */
  readonly observed: boolean;
  readonly detail: string;
}

/** What the worker looked like before the upload. */
export interface Baseline {
  readonly queue: QueueDepth;
  readonly deadLetterQueue: QueueDepth;
  readonly service: ServiceCounts;
  readonly alarms: readonly AlarmState[];
}

/** One round of reads; a field is absent when it was not read in that round. */
export interface Observation {
  readonly elapsedSeconds: number;
  readonly queue?: QueueDepth;
  readonly deadLetterQueue?: QueueDepth;
  readonly alarms?: readonly AlarmState[];
  readonly service?: ServiceCounts;
  readonly tasks?: readonly RunningTask[];
  readonly deadLetter?: DeadLetter;
  /** S3 output slot → `s3://` URIs of the sample's output objects found there. */
  readonly outputs?: Readonly<Record<string, readonly string[]>>;
}

export interface ProgressContext {
  readonly baseline: Baseline;
  /** Wall clock when the upload started (compared with CloudWatch's state change time). */
  readonly uploadedAt: Date;
  /** The worker's S3 output slots (the ones whose objects the check can see). */
  readonly s3Slots: readonly string[];
  /** Non-S3 outputs, by slot and type, for the delivered step's detail. */
  readonly otherOutputs: readonly string[];
  /** False when the stack exports no output bindings (deployed before they were exported). */
  readonly outputsKnown: boolean;
  readonly deadLetterQueueName: string;
}

export interface StepFailure {
  readonly step: StepId;
  readonly message: string;
  /** Replaces the step's own hint (a dead-lettered job has a reason of its own). */
  readonly hint?: string;
}

export class Progress {
  readonly records: StepRecord[] = [];
  /** Seconds from the upload to CloudWatch putting a scale-out alarm in ALARM, when seen. */
  decisionSeconds?: number;
  private drainedRounds = 0;

  constructor(private readonly ctx: ProgressContext) {}

  /** The service was running before the upload: scaling from zero is not exercised. */
  get warm(): boolean {
    return this.ctx.baseline.service.desired > 0;
  }

  /** The first step that has not happened yet; undefined when all have. */
  get next(): StepId | undefined {
    return STEP_IDS[this.records.length];
  }

  get done(): boolean {
    return this.next === undefined && this.records.every((r) => r.status !== "failed");
  }

  /** The upload succeeded. */
  stored(elapsedSeconds: number, detail: string): StepRecord {
    return this.push("stored", "passed", elapsedSeconds, true, detail);
  }

  /** A step failed (an AWS error, the timeout): everything after it is left undone. */
  fail(step: StepId, elapsedSeconds: number, detail: string): StepRecord {
    return this.push(step, "failed", elapsedSeconds, true, detail);
  }

  /** Applies one round of reads; returns the steps decided in it, and a failure if the job dead-lettered. */
  apply(obs: Observation): { records: StepRecord[]; failure?: StepFailure } {
    const decided: StepRecord[] = [];
    // Counted only once a task runs: an empty queue before the message arrives proves nothing.
    const runningPassed = this.records.some((r) => r.step === "running");
    this.drainedRounds = runningPassed && this.drained(obs) ? this.drainedRounds + 1 : 0;
    const signals = this.signals(obs);
    if (obs.deadLetter) {
      // Only a task takes messages off the queue: every step before the delivery happened.
      for (let step = this.next; step !== undefined && step !== "delivered"; step = this.next)
        decided.push(this.settle(step, obs, signals, "delivered"));
      const reason = obs.deadLetter.reason;
      const message =
        reason !== undefined
          ? `the job was dead-lettered into ${this.ctx.deadLetterQueueName}: ${reason}`
          : `the job was moved to ${this.ctx.deadLetterQueueName} by SQS after maxReceiveCount receives (no jobworker.reason: it failed every time it ran)`;
      decided.push(this.fail("delivered", obs.elapsedSeconds, message));
      return {
        records: decided,
        failure: {
          step: "delivered",
          message,
          hint: `the worker's logs (CloudWatch Logs, stream container/jobworker.<worker>) have the failure; the message stays in ${this.ctx.deadLetterQueueName} (message id ${obs.deadLetter.messageId}) for inspection: fix the cause, then redrive it (\`jobworker console --allow-actions\`) or purge it.`,
        },
      };
    }
    for (let step = this.next; step !== undefined; step = this.next) {
      if (this.warm && (step === "scale-out" || step === "desired")) {
        decided.push(
          this.push(
            step,
            "skipped",
            obs.elapsedSeconds,
            false,
            `the service was already at desired ${this.ctx.baseline.service.desired} before the upload: scaling from zero is not exercised (rerun once it is back at 0)`,
          ),
        );
        continue;
      }
      const own = signals.own[step];
      const later = STEP_IDS.slice(STEP_IDS.indexOf(step) + 1).find((s) => signals.proof[s]);
      if (!own && later === undefined) break;
      decided.push(this.settle(step, obs, signals, own ? undefined : later));
    }
    return { records: decided };
  }

  /** What was last seen, for a timeout's message. */
  static lastSeen(obs: Observation | undefined): string {
    if (!obs) return "nothing could be read";
    const parts: string[] = [];
    if (obs.queue) parts.push(`queue ${obs.queue.visible} visible / ${obs.queue.inFlight} in flight`);
    if (obs.alarms) parts.push(obs.alarms.map((a) => `${a.name} ${a.state}`).join(", "));
    if (obs.service) parts.push(`desired ${obs.service.desired}, running ${obs.service.running}, pending ${obs.service.pending}`);
    if (obs.tasks) parts.push(obs.tasks.length > 0 ? `tasks RUNNING: ${obs.tasks.map((t) => t.taskId).join(", ")}` : "no task RUNNING");
    if (obs.deadLetterQueue) parts.push(`DLQ ${obs.deadLetterQueue.visible} visible`);
    if (obs.outputs) parts.push(Object.values(obs.outputs).some((k) => k.length > 0) ? "some outputs written" : "no output object yet");
    return parts.join("; ");
  }

  /** Visible plus in flight is back to what it was before the upload. */
  private drained(obs: Observation): boolean {
    return obs.queue !== undefined && depth(obs.queue) <= depth(this.ctx.baseline.queue);
  }

  private signals(obs: Observation) {
    const base = this.ctx.baseline;
    const queued = obs.queue !== undefined && depth(obs.queue) > depth(base.queue);
    const drained = this.drained(obs);
    const before = new Map(base.alarms.map((a) => [a.name, a]));
    const firing = (obs.alarms ?? []).find(
      (a) =>
        a.state === "ALARM" && (before.get(a.name)?.state !== "ALARM" || (a.updatedAt !== undefined && a.updatedAt >= this.ctx.uploadedAt)),
    );
    const desired = (obs.service?.desired ?? 0) > 0;
    const running = (obs.tasks ?? []).length > 0;
    const s3 = this.ctx.s3Slots;
    const outputsFound = s3.length > 0 && s3.every((slot) => (obs.outputs?.[slot]?.length ?? 0) > 0);
    const delivered = s3.length > 0 ? outputsFound && drained : this.drainedRounds >= DRAINED_ROUNDS;
    const cold = !this.warm;
    return {
      drained,
      firing,
      own: { stored: true, queued, "scale-out": firing !== undefined, desired, running, delivered } satisfies Record<StepId, boolean>,
      proof: {
        stored: true,
        queued,
        "scale-out": firing !== undefined,
        desired: cold && desired,
        running: cold && running,
        delivered: outputsFound,
      } satisfies Record<StepId, boolean>,
    };
  }

  private settle(step: StepId, obs: Observation, signals: ReturnType<Progress["signals"]>, provenBy: StepId | undefined): StepRecord {
    if (provenBy !== undefined) {
      return this.push(step, "passed", obs.elapsedSeconds, false, `not seen itself; "${STEPS[provenBy].title}" proves it happened`);
    }
    return this.push(step, "passed", obs.elapsedSeconds, true, this.detail(step, obs, signals.firing));
  }

  private detail(step: StepId, obs: Observation, firing: { name: string; updatedAt?: Date } | undefined): string {
    switch (step) {
      case "stored":
        return "";
      case "queued":
        return `${obs.queue?.visible ?? 0} visible, ${obs.queue?.inFlight ?? 0} in flight`;
      case "scale-out": {
        if (firing?.updatedAt === undefined) return `${firing?.name ?? "?"}`;
        this.decisionSeconds = Math.max(0, (firing.updatedAt.getTime() - this.ctx.uploadedAt.getTime()) / 1000);
        return `${firing.name} (CloudWatch changed its state ${this.decisionSeconds.toFixed(1)} s after the upload)`;
      }
      case "desired":
        return `desired ${obs.service?.desired ?? 0} (running ${obs.service?.running ?? 0}, pending ${obs.service?.pending ?? 0})`;
      case "running": {
        const t = obs.tasks?.[0];
        return t
          ? `task ${t.taskId}${t.containerInstanceArn ? ` on container instance ${t.containerInstanceArn.split("/").pop()}` : ""}`
          : "";
      }
      case "delivered": {
        const parts = [...Object.values(obs.outputs ?? {}).flat(), "queue drained", "nothing in the DLQ"];
        if (this.ctx.otherOutputs.length > 0)
          parts.push(`${this.ctx.otherOutputs.join(", ")}: not visible from here, check the receiving end`);
        if (!this.ctx.outputsKnown)
          parts.push("the stack exports no output bindings (deployed before `workers.<name>.outputs` existed): no output object checked");
        return parts.join("; ");
      }
    }
  }

  private push(step: StepId, status: StepStatus, elapsedSeconds: number, observed: boolean, detail: string): StepRecord {
    const record: StepRecord = { step, title: STEPS[step].title, status, elapsedSeconds, observed, detail };
    this.records.push(record);
    return record;
  }
}
