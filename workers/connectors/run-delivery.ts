/**
 * What every connector does around its transport: open the payload afresh per attempt, count the
 * bytes that went out, retry through `withRetry`, and log exactly one line per delivery with target,
 * bytes, duration and attempts (success at `info`, failure at `error`).
 */
import { Transform, type Readable, type TransformCallback } from "node:stream";
import type { Logger } from "pino";
import { withRetry, type RetryPolicy } from "./retry";
import type { Delivery, DeliveryResult } from "./types";

/** Counts the bytes that pass through. */
export class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

/** One attempt's view of the payload: a fresh stream, counted, opened on first use. */
export interface AttemptBody {
  readonly stream: Readable;
  readonly counter: ByteCounter;
  readonly attempt: number;
}

/**
 * What an attempt may report: the bytes it sent, when it did not send them through `body.stream`,
 * the attempts its requests needed, when it retried them itself, and a value it captured from the
 * response (REST `captureResponse`), logged and returned.
 */
export type AttemptResult = void | { readonly bytes?: number; readonly attempts?: number; readonly captured?: string };

export interface RunDeliveryOptions {
  /** The binding type, logged as `connector` (once, whether or not `logger` already binds it). */
  readonly connector: string;
  readonly target: string;
  readonly delivery: Delivery;
  readonly logger: Logger;
  readonly retry?: Partial<RetryPolicy>;
  readonly random?: () => number;
}

/** Opens the payload as a counted stream; source errors reach the consumer, not the void. */
export function openCounted(delivery: Delivery, attempt: number): AttemptBody {
  const source = delivery.open();
  const counter = new ByteCounter();
  source.once("error", (err) => counter.destroy(err));
  counter.once("close", () => source.destroy());
  return { stream: source.pipe(counter), counter, attempt };
}

/** `openCounted`, deferred until the attempt touches `stream` or `counter`. */
function lazyCounted(delivery: Delivery, attempt: number): AttemptBody & { readonly opened: AttemptBody | undefined } {
  let opened: AttemptBody | undefined;
  const open = () => (opened ??= openCounted(delivery, attempt));
  return {
    attempt,
    get stream() {
      return open().stream;
    },
    get counter() {
      return open().counter;
    },
    get opened() {
      return opened;
    },
  };
}

export async function runDelivery(
  options: RunDeliveryOptions,
  attemptFn: (body: AttemptBody) => Promise<AttemptResult>,
): Promise<DeliveryResult> {
  const { delivery, target, connector } = options;
  // Lines name the connector once: connectors log through a child that already carries `connector`
  // (a second key would be a duplicate JSON key on the line).
  const logger = "connector" in options.logger.bindings() ? options.logger : options.logger.child({ connector });
  const started = performance.now();
  let attempts = 0;
  let bytes = 0;
  let captured: string | undefined;
  try {
    await withRetry(
      async (attempt) => {
        attempts = attempt;
        const body = lazyCounted(delivery, attempt);
        let reported: AttemptResult;
        try {
          reported = await attemptFn(body);
        } finally {
          // The bytes of the last attempt, successful or not: the log line says how far it got.
          bytes = body.opened?.counter.bytes ?? 0;
          body.opened?.counter.destroy();
        }
        if (reported !== undefined) {
          if (reported.bytes !== undefined) bytes = reported.bytes;
          if (reported.attempts !== undefined) attempts = reported.attempts;
          captured = reported.captured;
        }
      },
      {
        policy: options.retry,
        signal: delivery.signal,
        random: options.random,
        onRetry: ({ attempt, delayMs, error }) =>
          logger.debug({ target, attempt, delayMs, err: error }, "delivery attempt failed, retrying"),
      },
    );
    const result: DeliveryResult = {
      target,
      bytes,
      attempts,
      durationMs: Math.round(performance.now() - started),
      ...(captured === undefined ? {} : { captured }),
    };
    logger.info(result, "delivered");
    return result;
  } catch (err) {
    const durationMs = Math.round(performance.now() - started);
    logger.error({ target, bytes, attempts, durationMs, err }, "delivery failed");
    throw err;
  }
}
