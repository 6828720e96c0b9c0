/** What the queue loop reports, besides its log lines (tests, the local pipeline, metrics hooks). */
import type { DeliveryResult } from "../connectors/types";

export type WorkerEvent =
  | {
      readonly type: "job-done";
      readonly messageId: string;
      readonly bucket: string;
      readonly key: string;
      readonly durationMs: number;
      readonly deliveries: readonly DeliveryResult[];
    }
  | {
      readonly type: "job-gone";
      readonly messageId: string;
      readonly bucket: string;
      readonly key: string;
      readonly reason: "no-such-key" | "superseded";
    }
  | {
      readonly type: "job-failed";
      readonly messageId: string;
      readonly bucket: string;
      readonly key: string;
      readonly error: Error;
      readonly permanent: boolean;
    }
  | { readonly type: "message-deleted"; readonly messageId: string }
  | { readonly type: "message-released"; readonly messageId: string; readonly visibilitySeconds: number }
  /** Given back on shutdown as a copy (`copyMessageId`) without charging a receive; `handoffs` counts them. */
  | { readonly type: "message-handed-off"; readonly messageId: string; readonly copyMessageId: string; readonly handoffs: number }
  | { readonly type: "message-dead-lettered"; readonly messageId: string; readonly reason: string }
  | { readonly type: "test-event"; readonly messageId: string; readonly bucket?: string }
  | { readonly type: "lease-lost"; readonly messageId: string; readonly code: string }
  | { readonly type: "state"; readonly state: WorkerState };

/**
 * The shutdown state machine: `created` → `running` → `draining` → `stopped`. Polling happens only
 * in `running`; `draining` lets in-flight jobs finish until the deadline; `stopped` is final.
 */
export type WorkerState = "created" | "running" | "draining" | "stopped";

export type WorkerEventListener = (event: WorkerEvent) => void;
