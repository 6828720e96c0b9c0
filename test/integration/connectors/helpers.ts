/** Shared by the connector tests: a pino logger that records its lines, and deliveries from buffers. */
import { Readable, Writable } from "node:stream";
import pino, { type Logger } from "pino";
import type { Delivery } from "../../../workers/connectors/types";

export interface RecordedLogger {
  readonly logger: Logger;
  /** Parsed JSON lines, in order. */
  readonly lines: Array<Record<string, unknown>>;
  /** Lines whose `msg` is `msg`. */
  withMsg(msg: string): Array<Record<string, unknown>>;
}

export function recordingLogger(): RecordedLogger {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) lines.push(JSON.parse(line));
      cb();
    },
  });
  const logger = pino({ level: "debug" }, sink);
  return { logger, lines, withMsg: (msg) => lines.filter((l) => l.msg === msg) };
}

/** A delivery whose payload is `body`, re-openable; `opens` counts attempts. */
export function bufferDelivery(
  name: string,
  body: Buffer | string,
  extra: Partial<Omit<Delivery, "open" | "name">> = {},
): Delivery & { opens: () => number } {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  let opens = 0;
  return {
    name,
    open: () => {
      opens++;
      // Chunks of 64 KiB so the transport sees a stream, not one buffer.
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += 65536) chunks.push(bytes.subarray(i, i + 65536));
      return Readable.from(chunks, { objectMode: false });
    },
    size: bytes.length,
    idempotencyKey: extra.idempotencyKey ?? `job-${name}`,
    signal: extra.signal ?? new AbortController().signal,
    contentType: extra.contentType,
    opens: () => opens,
  };
}

/** A fast retry policy for tests: same shape, millisecond waits. */
export const FAST_RETRY = { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100, maxRetryAfterMs: 5_000 };
