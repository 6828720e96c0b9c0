/**
 * Batched `DeleteMessage` and `ChangeMessageVisibility`. The batch APIs answer 200 even when some
 * entries failed, listing them in `Failed`; every caller gets its own entry's outcome. An expired or
 * stale receipt handle is an outcome, not a crash: the message will come back and be processed again
 * (outputs are idempotent).
 */
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";

export type EntryOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly code: string;
      readonly message: string;
      /** The receipt handle no longer holds the message (expired, or it was received again). */
      readonly handleExpired: boolean;
    };

/** SQS error codes meaning "this receipt handle no longer holds the message". */
const EXPIRED_HANDLE_CODES = new Set([
  "ReceiptHandleIsInvalid",
  "MessageNotInflight",
  "AWS.SimpleQueueService.MessageNotInflight",
  "InvalidReceiptHandle",
]);

export function isExpiredHandle(code: string | undefined, message: string | undefined): boolean {
  if (code !== undefined && EXPIRED_HANDLE_CODES.has(code)) return true;
  // ChangeMessageVisibility on an expired handle answers InvalidParameterValue "... The receipt handle has expired."
  return code === "InvalidParameterValue" && /receipt handle/i.test(message ?? "");
}

interface Pending<E> {
  readonly entry: E;
  readonly resolve: (outcome: EntryOutcome) => void;
}

/** SQS batch APIs take at most 10 entries. */
export const SQS_BATCH_MAX = 10;

/**
 * Collects entries for up to `maxWaitMs` (or until 10 are waiting) and sends them as one batch.
 * `send` receives entries with ids `0..n-1` and returns the failed ids with their codes.
 */
export class Batcher<E> {
  private pending: Pending<E>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly send: (entries: readonly E[]) => Promise<ReadonlyArray<{ index: number; code: string; message: string }>>,
    private readonly maxWaitMs: number,
  ) {}

  add(entry: E): Promise<EntryOutcome> {
    return new Promise((resolve) => {
      this.pending.push({ entry, resolve });
      if (this.pending.length >= SQS_BATCH_MAX) this.sendPending();
      else this.timer ??= setTimeout(() => this.sendPending(), this.maxWaitMs);
    });
  }

  /** Sends what is waiting and awaits every batch in flight. */
  async flush(): Promise<void> {
    this.sendPending();
    await Promise.all([...this.inFlight]);
  }

  private sendPending(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, SQS_BATCH_MAX);
      const done = this.sendBatch(batch).finally(() => this.inFlight.delete(done));
      this.inFlight.add(done);
    }
  }

  private async sendBatch(batch: Pending<E>[]): Promise<void> {
    try {
      const failed = await this.send(batch.map((p) => p.entry));
      const byIndex = new Map(failed.map((f) => [f.index, f]));
      batch.forEach((p, i) => {
        const f = byIndex.get(i);
        p.resolve(
          f === undefined
            ? { ok: true }
            : { ok: false, code: f.code, message: f.message, handleExpired: isExpiredHandle(f.code, f.message) },
        );
      });
    } catch (err) {
      // The whole request failed after the SDK's own retries: every entry failed the same way.
      const e = err as { name?: string; Code?: string; message?: string };
      const code = e.Code ?? e.name ?? "Error";
      batch.forEach((p) =>
        p.resolve({ ok: false, code, message: e.message ?? String(err), handleExpired: isExpiredHandle(code, e.message) }),
      );
    }
  }
}

export interface MessageOps {
  /** Deletes one message by receipt handle (batched). */
  delete(receiptHandle: string): Promise<EntryOutcome>;
  /** Sets one message's visibility timeout, seconds from now (batched). */
  changeVisibility(receiptHandle: string, seconds: number): Promise<EntryOutcome>;
  flush(): Promise<void>;
}

/** Batched message operations on one queue. `maxWaitMs` trades a little latency for fewer requests. @default 10 */
export function createMessageOps(sqs: SQSClient, queueUrl: string, maxWaitMs = 10): MessageOps {
  const failures = (failed: ReadonlyArray<{ Id?: string; Code?: string; Message?: string }> | undefined) =>
    (failed ?? []).map((f) => ({ index: Number(f.Id), code: f.Code ?? "Unknown", message: f.Message ?? "" }));
  const deletes = new Batcher<string>(async (handles) => {
    const out = await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: handles.map((h, i) => ({ Id: String(i), ReceiptHandle: h })) }),
    );
    return failures(out.Failed);
  }, maxWaitMs);
  const visibility = new Batcher<{ handle: string; seconds: number }>(async (entries) => {
    const out = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: entries.map((e, i) => ({ Id: String(i), ReceiptHandle: e.handle, VisibilityTimeout: e.seconds })),
      }),
    );
    return failures(out.Failed);
  }, maxWaitMs);
  return {
    delete: (handle) => deletes.add(handle),
    changeVisibility: (handle, seconds) => visibility.add({ handle, seconds }),
    flush: async () => {
      await Promise.all([deletes.flush(), visibility.flush()]);
    },
  };
}
