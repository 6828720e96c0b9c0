/**
 * The queue loop every worker kind runs: long polling, batches of up to 10, a concurrency limit with
 * backpressure (it never receives more messages than it can start), a heartbeat that keeps busy
 * messages invisible, deletes only after success with the latest receipt handle, releases failures
 * after a growing backoff (so `maxReceiveCount` moves a poison message to the dead-letter queue while
 * the queue keeps flowing), task scale-in protection while busy, and a graceful shutdown.
 */
import { ReceiveMessageCommand, SendMessageCommand, type Message, type SQSClient } from "@aws-sdk/client-sqs";
import type { S3Client } from "@aws-sdk/client-s3";
import { mkdir } from "node:fs/promises";
import type { Logger } from "pino";
import type { ProtobufEncoder } from "../connectors/protobuf";
import type { Connector } from "../connectors/types";
import { ConfigError, PermanentError } from "../errors";
import { backoffDelay, releaseVisibilitySeconds, sleep } from "./backoff";
import { withDeadline } from "./deadline";
import type { WorkerEvent, WorkerEventListener, WorkerState } from "./events";
import { handoffCount, planHandoff } from "./handoff";
import { runJob, type JobDeps, type JobMeter } from "./job";
import { jobMetricsRecord, type JobOutcomeName } from "./job-metrics";
import { describeQueue, sendToDeadLetterQueue, type QueueInfo } from "./queue-info";
import { parseS3EventMessage, type S3ObjectEvent } from "./s3-event";
import type { RuntimeSettings } from "./settings";
import { createMessageOps, type EntryOutcome, type MessageOps } from "./sqs-batcher";
import { createTaskProtection, type TaskProtection } from "./task-protection";
import type { WorkerKind } from "./types";
import type { SecretRedactor } from "../secrets/redactor";

export interface WorkerOptions {
  readonly kind: WorkerKind;
  readonly settings: RuntimeSettings;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  /** Connectors by output slot (from `createConnector`). Closed by `stop()`. */
  readonly connectors: Readonly<Record<string, Connector>>;
  /** Encoders of slots whose binding has a `format` (from `loadProtobufEncoder`). */
  readonly encoders?: Readonly<Record<string, ProtobufEncoder>>;
  readonly logger: Logger;
  /** @default from `settings.ecsAgentUri` */
  readonly taskProtection?: TaskProtection;
  readonly onEvent?: WorkerEventListener;
  /** [0, 1) source for jitter. @default Math.random */
  readonly random?: () => number;
  /** Keeps resolved secret values out of the dead-letter reasons it writes. @default none */
  readonly redactor?: SecretRedactor;
}

interface InFlight {
  readonly message: Message;
  readonly messageId: string;
  /** Latest receipt handle: a message received again while in flight gets a new one. */
  receiptHandle: string;
  readonly receiveCount: number;
  /** Carries `messageId` and `receiveCount`: every line about this message goes through it. */
  readonly log: Logger;
  readonly abort: AbortController;
  lastLeaseAt: number;
  /** Made visible again by shutdown: the job's own outcome must not touch the message any more. */
  abandoned: boolean;
}

/** One record's measurements, for its job metrics line. */
interface JobMeasure extends JobMeter {
  readonly record: S3ObjectEvent;
  durationMs: number;
}

/** How long the loop waits for more jobs to finish before receiving fewer than a full batch, ms. */
export const RECEIVE_GATHER_MS = 25;

/**
 * A receive that has not answered this long after its wait time is on a dead connection: only then is
 * it aborted (an abort of a live long poll can strand messages, see `drain`).
 */
export const RECEIVE_GRACE_MS = 15_000;

export class Worker {
  private state: WorkerState = "created";
  private readonly inFlight = new Map<string, InFlight>();
  private readonly jobs = new Set<Promise<void>>();
  /** Deletes of finished jobs still in flight (their slots are already free). */
  private readonly pendingAcks = new Set<Promise<void>>();
  /** Ends the loop's idle waits (backoff after a failed receive) when draining starts; never a receive in flight. */
  private readonly idleAbort = new AbortController();
  private readonly ops: MessageOps;
  private readonly protection: TaskProtection;
  private readonly log: Logger;
  private queue: QueueInfo = { visibilityTimeoutSeconds: 30 };
  private heartbeat: NodeJS.Timeout | undefined;
  private slotFreed: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: WorkerOptions) {
    const { settings, logger } = options;
    this.log = logger;
    this.ops = createMessageOps(options.sqs, settings.queueUrl);
    this.protection =
      options.taskProtection ??
      createTaskProtection({ agentUri: settings.ecsAgentUri, maxProcessingSeconds: settings.maxProcessingSeconds, logger });
  }

  get currentState(): WorkerState {
    return this.state;
  }

  get jobsInFlight(): number {
    return this.inFlight.size;
  }

  /** Reads the queue's settings and starts polling. Resolves once polling has begun; `stopped()` resolves at the end. */
  async start(): Promise<void> {
    if (this.state !== "created") throw new Error(`worker already ${this.state}`);
    await mkdir(this.options.settings.scratchDir, { recursive: true });
    this.queue = await describeQueue(this.options.sqs, this.options.settings.queueUrl);
    const { settings } = this.options;
    if (this.queue.visibilityTimeoutSeconds < settings.maxProcessingSeconds) {
      // Not an error: the heartbeat keeps long jobs invisible. Worth a line, since it costs requests.
      this.log.info(
        { visibilityTimeoutSeconds: this.queue.visibilityTimeoutSeconds, maxProcessingSeconds: settings.maxProcessingSeconds },
        "queue visibility timeout is shorter than the longest job; the heartbeat extends it",
      );
    }
    const heartbeatMs = Math.max(500, (this.queue.visibilityTimeoutSeconds * 1000) / 3);
    this.heartbeat = setInterval(() => this.extendLeases(heartbeatMs), Math.min(heartbeatMs, 1000));
    this.setState("running");
    this.log.info(
      {
        queueUrl: settings.queueUrl,
        concurrency: settings.concurrency,
        visibilityTimeoutSeconds: this.queue.visibilityTimeoutSeconds,
        deadLetterQueueUrl: this.queue.deadLetterQueueUrl,
        maxReceiveCount: this.queue.maxReceiveCount,
        outputs: Object.fromEntries(Object.entries(settings.outputs).map(([slot, b]) => [slot, b.type])),
      },
      "worker started",
    );
    this.loop = this.poll();
  }

  /** Resolves when the worker has stopped (after `stop()`). */
  async stopped(): Promise<void> {
    await this.loop;
    await this.stopping;
  }

  /**
   * Graceful shutdown: stop polling, let in-flight jobs finish until `shutdownSeconds`, make the
   * unfinished ones visible again at once, flush deletes, drop task protection, close connectors.
   * Idempotent: a second call returns the same promise.
   */
  stop(reason = "stop requested"): Promise<void> {
    this.stopping ??= this.drain(reason);
    return this.stopping;
  }

  private async drain(reason: string): Promise<void> {
    if (this.state === "created") {
      this.setState("stopped");
      return;
    }
    this.setState("draining");
    const { shutdownSeconds } = this.options.settings;
    const deadlineAt = Date.now() + shutdownSeconds * 1000;
    this.log.info(
      { reason, jobsInFlight: this.inFlight.size, deadlineSeconds: shutdownSeconds },
      "stopping: no new messages; finishing jobs in flight",
    );
    // The receive in flight is NOT aborted: SQS may still hand messages to an abandoned long poll, and
    // they would stay invisible for the whole visibility timeout with nobody holding them. It returns
    // within the poll wait (at most the drain deadline, checked at startup); `poll` hands back what it got.
    this.idleAbort.abort(new Error(reason));
    this.slotFreed?.();
    await this.loop;
    const deadline = withDeadline(undefined, Math.max(0, deadlineAt - Date.now()), "shutdown deadline reached");
    try {
      while (this.jobs.size > 0 && !deadline.signal.aborted) {
        await Promise.race([Promise.allSettled([...this.jobs]), sleep(shutdownSeconds * 1000, deadline.signal)]);
      }
    } finally {
      deadline.clear();
    }
    if (this.inFlight.size > 0) {
      const unfinished = [...this.inFlight.values()];
      // Expected on every deploy and scale-in: a warning, not an error.
      this.log.warn(
        { messageIds: unfinished.map((e) => e.messageId), deadlineSeconds: shutdownSeconds },
        "shutdown deadline reached: handing unfinished messages back",
      );
      await Promise.all(
        unfinished.map(async (entry) => {
          entry.abandoned = true;
          entry.abort.abort(new Error("shutdown deadline reached"));
          await this.handBack(entry.message, entry.receiptHandle, entry.log, "shutdown deadline reached");
        }),
      );
    }
    clearInterval(this.heartbeat);
    await this.ops.flush();
    await Promise.all([...this.pendingAcks]);
    await this.protection.close();
    await Promise.all(Object.values(this.options.connectors).map((c) => c.close()));
    this.setState("stopped");
    this.log.info({ reason }, "worker stopped");
  }

  /**
   * Gives a message whose job stopped for a reason that is not the job's back to the queue without
   * charging a receive: a copy with a hand-off counter, then the original deleted (`handoff.ts`). When
   * no copy can be made (limit reached, FIFO, the send failed) the message is released at once instead.
   */
  private async handBack(message: Message, receiptHandle: string, log: Logger, why: string): Promise<void> {
    const messageId = message.MessageId ?? "unknown";
    const { settings, sqs } = this.options;
    const plan = planHandoff(message, settings.queueUrl, settings.maxHandoffs);
    if (plan.kind === "copy") {
      let copyId: string | undefined;
      try {
        copyId = (await sqs.send(new SendMessageCommand(plan.input))).MessageId;
      } catch (err) {
        log.warn({ err, why }, "handing the message back failed; releasing it instead (this counts as a receive)");
        return this.releaseNow(message, receiptHandle, log);
      }
      const outcome = await this.ops.delete(receiptHandle);
      if (!outcome.ok) {
        log.warn(
          { why, copyMessageId: copyId, code: outcome.code, error: outcome.message },
          "message handed back as a copy, but deleting the original failed: it also comes back after its visibility timeout (outputs are idempotent)",
        );
      } else {
        log.info({ why, copyMessageId: copyId, handoffs: plan.handoffs }, "message handed back without charging a receive");
      }
      this.emit({ type: "message-handed-off", messageId, copyMessageId: copyId ?? "unknown", handoffs: plan.handoffs });
      return;
    }
    log.warn(
      { why, handoffs: handoffCount(message), reason: plan.why },
      "message cannot be handed back; releasing it (this counts as a receive)",
    );
    return this.releaseNow(message, receiptHandle, log);
  }

  private async releaseNow(message: Message, receiptHandle: string, log: Logger): Promise<void> {
    const outcome = await this.ops.changeVisibility(receiptHandle, 0);
    if (outcome.ok) {
      this.emit({ type: "message-released", messageId: message.MessageId ?? "unknown", visibilitySeconds: 0 });
      return;
    }
    this.reportFailedOutcome(message.MessageId ?? "unknown", outcome, "release", log);
  }

  private async poll(): Promise<void> {
    const { settings, sqs } = this.options;
    let receiveFailures = 0;
    while (this.state === "running") {
      let free = settings.concurrency - this.inFlight.size;
      if (free <= 0) {
        // Backpressure: wait for a slot rather than receive messages nobody can start.
        await this.waitForSlot();
        continue;
      }
      // Jobs of one batch finish a few milliseconds apart: gather freed slots for a moment, so one
      // receive asks for several messages rather than one each (fewer requests, higher throughput).
      const batch = Math.min(10, settings.concurrency);
      const gatherUntil = Date.now() + RECEIVE_GATHER_MS;
      while (free < batch && this.inFlight.size > 0 && this.state === "running" && Date.now() < gatherUntil) {
        await this.waitForSlot(gatherUntil - Date.now());
        free = settings.concurrency - this.inFlight.size;
      }
      if (this.state !== "running") break;
      let messages: Message[];
      // Only a dead connection ends a receive early: never `stop()` (see `drain`).
      const guard = withDeadline(undefined, settings.pollWaitSeconds * 1000 + RECEIVE_GRACE_MS, "ReceiveMessage did not answer");
      try {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: settings.queueUrl,
            MaxNumberOfMessages: Math.min(10, free),
            WaitTimeSeconds: settings.pollWaitSeconds,
            MessageSystemAttributeNames: ["ApproximateReceiveCount"],
            // All of them: a hand-off copy keeps the original's attributes, and reads its counter.
            MessageAttributeNames: ["All"],
          }),
          { abortSignal: guard.signal },
        );
        messages = out.Messages ?? [];
        receiveFailures = 0;
        if (messages.length > 0) this.log.debug({ received: messages.length, asked: Math.min(10, free) }, "received");
      } catch (err) {
        if (this.state !== "running") break;
        receiveFailures++;
        const delayMs = backoffDelay(receiveFailures, { baseMs: 500, capMs: 20_000, random: this.options.random });
        this.log.warn({ err, attempt: receiveFailures, delayMs }, "ReceiveMessage failed after the SDK's retries; backing off");
        await sleep(delayMs, this.idleAbort.signal);
        continue;
      } finally {
        guard.clear();
      }
      if (this.state !== "running") {
        // Stop began while the receive was parked: these messages were never started. Hand them back
        // at once, uncharged, rather than leave them invisible until their visibility timeout.
        await Promise.all(
          messages.map((m) =>
            this.handBack(m, m.ReceiptHandle ?? "", this.log.child({ messageId: m.MessageId }), "received while stopping"),
          ),
        );
        break;
      }
      for (const message of messages) this.admit(message);
    }
  }

  /** Resolves when a job frees its slot (or stop begins), or after `timeoutMs`. */
  private waitForSlot(timeoutMs?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(done, Math.max(0, timeoutMs));
      const previous = this.slotFreed;
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.slotFreed = () => {
        previous?.();
        done();
      };
    });
  }

  private admit(message: Message): void {
    const messageId = message.MessageId ?? "unknown";
    const existing = this.inFlight.get(messageId);
    if (existing !== undefined) {
      // Its lease expired and SQS handed it out again: keep working, but only the newest handle can delete it.
      existing.receiptHandle = message.ReceiptHandle ?? existing.receiptHandle;
      existing.lastLeaseAt = Date.now();
      existing.log.warn("message received again while in flight; continuing with the latest receipt handle");
      return;
    }
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
    const entry: InFlight = {
      message,
      messageId,
      receiptHandle: message.ReceiptHandle ?? "",
      receiveCount,
      // Not `handoffs`: the hand-off lines carry it themselves, and a binding would repeat the key on them.
      log: this.log.child({ messageId, receiveCount }),
      abort: new AbortController(),
      lastLeaseAt: Date.now(),
      abandoned: false,
    };
    this.inFlight.set(messageId, entry);
    if (this.inFlight.size === 1) this.protection.busy();
    const job = this.process(entry)
      .catch((err: unknown) => entry.log.error({ err }, "unexpected error handling a message"))
      .finally(() => {
        this.inFlight.delete(messageId);
        this.jobs.delete(job);
        if (this.inFlight.size === 0) this.protection.idle();
        const wake = this.slotFreed;
        this.slotFreed = undefined;
        wake?.();
      });
    this.jobs.add(job);
  }

  private async process(entry: InFlight): Promise<void> {
    const parsed = parseS3EventMessage(entry.message.Body);
    const log = entry.log;
    if (parsed.kind === "test-event") {
      log.info({ bucket: parsed.bucket }, "s3:TestEvent acknowledged");
      this.emit({ type: "test-event", messageId: entry.messageId, bucket: parsed.bucket });
      return this.acknowledge(entry, log);
    }
    if (parsed.kind === "malformed") {
      await this.deadLetter(entry, `malformed message: ${parsed.reason}`, log);
      return;
    }
    for (const skipped of parsed.skipped)
      log.info({ bucket: skipped.bucket, key: skipped.key, eventName: skipped.eventName, reason: skipped.reason }, "record skipped");

    // Records run one after another; the message is deleted only when every record succeeded. A retry
    // runs them all again, which is safe because outputs are idempotent.
    const failures: { record: S3ObjectEvent; error: Error; measure: JobMeasure }[] = [];
    for (const record of parsed.records) {
      if (entry.abort.signal.aborted) break;
      const measure: JobMeasure = { record, durationMs: 0, bytesIn: 0, bytesOut: 0 };
      const error = await this.runRecord(entry, record, log, measure);
      if (error === undefined) this.logJobMetrics("succeeded", measure, log);
      else failures.push({ record, error, measure });
    }
    const settled = await this.settle(entry, failures, log);
    for (const f of failures) this.logJobMetrics(settled ?? "failed", f.measure, log);
  }

  /** Deletes, releases or dead-letters a message whose records have run; returns what became of its failed jobs. */
  private async settle(
    entry: InFlight,
    failures: readonly { record: S3ObjectEvent; error: Error }[],
    log: Logger,
  ): Promise<JobOutcomeName | undefined> {
    // Stopped by shutdown: the message is handed back (or released) by the drain, not here.
    if (entry.abandoned) return "released";
    if (failures.length === 0) {
      // The work is done: free the slot now and let the (batched) delete complete in the background,
      // so the next receive overlaps the delete's round trip. Shutdown flushes pending deletes.
      this.trackAck(this.acknowledge(entry, log));
      return "succeeded";
    }
    const permanent = failures.filter((f) => f.error instanceof PermanentError);
    if (permanent.length > 0) {
      const why = permanent.map((f) => `${f.record.bucket}/${f.record.key}: ${f.error.message}`).join("; ");
      return this.deadLetter(entry, `permanent failure: ${why}`, log);
    }
    return this.release(entry, log, failures.map((f) => `${f.record.bucket}/${f.record.key}: ${f.error.message}`).join("; "));
  }

  /** One EMF line per finished job (see `job-metrics.ts`): CloudWatch Logs turns it into metrics. */
  private logJobMetrics(outcome: JobOutcomeName, m: JobMeasure, log: Logger): void {
    const emf = jobMetricsRecord({ worker: this.options.settings.worker, outcome, ...m, timestamp: Date.now() });
    log.info({ bucket: m.record.bucket, key: m.record.key, ...emf }, "job metrics");
  }

  /** Runs one record, filling in `measure`; returns its error, if any (already logged). */
  private async runRecord(entry: InFlight, record: S3ObjectEvent, parentLog: Logger, measure: JobMeasure): Promise<Error | undefined> {
    const { kind, settings } = this.options;
    const log = parentLog.child({ bucket: record.bucket, key: record.key });
    const started = Date.now();
    // A timer this code owns: `AbortSignal.any` with `AbortSignal.timeout` can lose the timeout to GC (deadline.ts).
    const deadline = withDeadline(
      entry.abort.signal,
      settings.maxProcessingSeconds * 1000,
      `job deadline reached (maxProcessingSeconds ${settings.maxProcessingSeconds})`,
    );
    const signal = deadline.signal;
    const deps: JobDeps = {
      s3: this.options.s3,
      definition: kind.definition,
      handler: kind.handler,
      connectors: this.options.connectors,
      encoders: this.options.encoders,
      scratchDir: settings.scratchDir,
      meter: measure,
    };
    try {
      const outcome = await runJob(record, entry, deps, log, signal);
      const durationMs = (measure.durationMs = Date.now() - started);
      if (outcome.status === "gone") {
        log.warn(
          { reason: outcome.reason, durationMs },
          outcome.reason === "no-such-key"
            ? "object no longer exists; acknowledged"
            : "object was replaced since the event; its newer event processes it",
        );
        this.emit({ type: "job-gone", messageId: entry.messageId, bucket: record.bucket, key: record.key, reason: outcome.reason });
        return undefined;
      }
      log.info(
        {
          durationMs,
          bytesIn: outcome.bytesIn,
          outputs: outcome.deliveries.map((d) => ({ target: d.target, bytes: d.bytes, attempts: d.attempts })),
        },
        "job done",
      );
      this.emit({
        type: "job-done",
        messageId: entry.messageId,
        bucket: record.bucket,
        key: record.key,
        durationMs,
        deliveries: outcome.deliveries,
      });
      return undefined;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (entry.abandoned) {
        // Stopped by shutdown, not by its own fault: expected on every deploy, and handed back uncharged.
        log.warn({ err: error, durationMs: Date.now() - started }, "job interrupted by shutdown");
        return error;
      }
      const permanent = error instanceof PermanentError;
      measure.durationMs = Date.now() - started;
      log.error({ err: error, durationMs: measure.durationMs, permanent, configError: error instanceof ConfigError }, "job failed");
      this.emit({ type: "job-failed", messageId: entry.messageId, bucket: record.bucket, key: record.key, error, permanent });
      return error;
    } finally {
      deadline.clear();
    }
  }

  private trackAck(ack: Promise<void>): void {
    const tracked = ack
      .catch((err: unknown) => this.log.error({ err }, "unexpected error deleting a message"))
      .finally(() => this.pendingAcks.delete(tracked));
    this.pendingAcks.add(tracked);
  }

  private async acknowledge(entry: InFlight, log: Logger): Promise<void> {
    const outcome = await this.ops.delete(entry.receiptHandle);
    if (outcome.ok) this.emit({ type: "message-deleted", messageId: entry.messageId });
    else this.reportFailedOutcome(entry.messageId, outcome, "delete", log);
  }

  /** Makes a failed job's message visible again after a backoff; `reason` is what failed, for the last receive's line. */
  private async release(entry: InFlight, log: Logger, reason: string): Promise<JobOutcomeName> {
    const { retryBaseSeconds, retryCapSeconds } = this.options.settings;
    const seconds = releaseVisibilitySeconds(entry.receiveCount, {
      baseSeconds: retryBaseSeconds,
      capSeconds: retryCapSeconds,
      random: this.options.random,
    });
    const outcome = await this.ops.changeVisibility(entry.receiptHandle, seconds);
    if (!outcome.ok) {
      // One line that says what will happen: the backoff was not applied.
      this.reportFailedOutcome(entry.messageId, outcome, "release", log);
      return "failed";
    }
    const last = this.queue.maxReceiveCount !== undefined && entry.receiveCount >= this.queue.maxReceiveCount;
    if (last) {
      log.error(
        { reason, maxReceiveCount: this.queue.maxReceiveCount, deadLetterQueueUrl: this.queue.deadLetterQueueUrl },
        "job failed on its last receive; the redrive policy moves it to the dead-letter queue",
      );
    } else {
      log.warn({ visibilitySeconds: seconds, maxReceiveCount: this.queue.maxReceiveCount }, "job failed; message retried after a backoff");
    }
    this.emit({ type: "message-released", messageId: entry.messageId, visibilitySeconds: seconds });
    return "released";
  }

  /**
   * Messages that can never succeed (malformed bodies, permanent failures) go to the dead-letter queue
   * at once, with the reason as a message attribute. Without a dead-letter queue (or if sending fails)
   * the message is released instead, and the redrive policy or its retention decides.
   */
  private async deadLetter(entry: InFlight, reason: string, log: Logger): Promise<JobOutcomeName> {
    const dlq = this.queue.deadLetterQueueUrl;
    if (dlq === undefined) {
      log.error({ reason }, "message cannot be processed and the queue has no dead-letter queue; releasing it");
      return this.release(entry, log, reason);
    }
    try {
      // The reason quotes error messages (a server's error body may echo a credential).
      const written = this.options.redactor?.redact(reason) ?? reason;
      await sendToDeadLetterQueue(this.options.sqs, dlq, this.options.settings.queueUrl, entry.message, written);
    } catch (err) {
      log.error({ err, reason }, "sending to the dead-letter queue failed; releasing the message");
      return this.release(entry, log, reason);
    }
    log.error({ reason, deadLetterQueueUrl: dlq }, "message sent to the dead-letter queue");
    this.emit({ type: "message-dead-lettered", messageId: entry.messageId, reason });
    await this.acknowledge(entry, log);
    return "dead-lettered";
  }

  /** One line per failed queue operation, saying what happens next. `log` carries the message id. */
  private reportFailedOutcome(
    messageId: string,
    outcome: Extract<EntryOutcome, { ok: false }>,
    action: "delete" | "release" | "extend",
    log: Logger,
  ): void {
    if (outcome.handleExpired) {
      log.warn(
        { action, code: outcome.code },
        "receipt handle no longer valid; the message will be delivered again (outputs are idempotent)",
      );
      this.emit({ type: "lease-lost", messageId, code: outcome.code });
      return;
    }
    const next = {
      delete: "delete failed; the message comes back after its visibility timeout and runs again (outputs are idempotent)",
      release: "release failed; the message comes back when its current visibility timeout ends",
      extend: "extending the lease failed; the message may be delivered again while its job runs (outputs are idempotent)",
    }[action];
    log.error({ action, code: outcome.code, error: outcome.message }, next);
  }

  /** Heartbeat: extends the lease of every message whose job has held it for a third of the visibility timeout. */
  private extendLeases(intervalMs: number): void {
    const now = Date.now();
    const seconds = this.queue.visibilityTimeoutSeconds;
    for (const entry of this.inFlight.values()) {
      if (entry.abandoned || now - entry.lastLeaseAt < intervalMs) continue;
      entry.lastLeaseAt = now;
      const handle = entry.receiptHandle;
      void this.ops.changeVisibility(handle, seconds).then((outcome) => {
        // A newer handle may have replaced this one meanwhile; only report on the current one.
        if (!outcome.ok && entry.receiptHandle === handle) this.reportFailedOutcome(entry.messageId, outcome, "extend", entry.log);
      });
    }
  }

  private setState(state: WorkerState): void {
    this.state = state;
    this.emit({ type: "state", state });
  }

  private emit(event: WorkerEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch (err) {
      this.log.error({ err, event: event.type }, "event listener threw");
    }
  }
}
