/**
 * REST connector: POSTs (or PUTs) the payload as one streamed body, or, in `records` mode, the
 * payload's NDJSON records as JSON array batches. Every request carries an `Idempotency-Key` derived
 * from the job (and the batch), so a receiver can drop the duplicates a retry or a redelivery sends.
 * Uses the platform's fetch (undici).
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { Logger } from "pino";
import type { RestOutputBinding } from "../../catalog/contract";
import { PermanentError, RetryableError } from "../errors";
import type { RetryPolicy } from "./retry";
import { runDelivery } from "./run-delivery";
import { DeadlineError, withDeadline, type Deadline } from "../runtime/deadline";
import type { Connector, Delivery, DeliveryResult } from "./types";

export const REST_DEFAULTS = {
  method: "POST",
  mode: "payload",
  authHeader: "Authorization",
  timeoutSeconds: 30,
  batchSize: 500,
} as const;

/** The response text kept in an error message, characters. */
const ERROR_BODY_CHARS = 300;

export interface RestConnectorDeps {
  readonly logger: Logger;
  readonly retry?: Partial<RetryPolicy>;
  /** The resolved `authSecret`, sent as the `authHeader` value. */
  readonly authValue?: string;
  /** Injectable for tests. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/**
 * `Retry-After` as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when
 * absent or unparsable.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === "") return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // Only an HTTP date (it has a day name) goes to Date.parse, which reads "-5" as a year.
  if (!/^[A-Za-z]{3}, /.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Maps a non-2xx response to a typed error: 408, 429 and 5xx retry; other statuses are permanent. */
export function classifyResponse(
  status: number,
  retryAfter: string | null,
  detail: string,
  context: Record<string, string | number>,
): Error {
  const message = `HTTP ${status}${detail ? `: ${detail}` : ""}`;
  const ctx = { ...context, status };
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(retryAfter) : undefined;
    return new RetryableError(message, { context: ctx, retryAfterMs });
  }
  if (status === 401 || status === 403) return new PermanentError(`${message} (check the credentials in \`authSecret\`)`, { context: ctx });
  if (status >= 300 && status < 400)
    return new PermanentError(`${message} (redirects are not followed: set \`url\` to the final address)`, { context: ctx });
  return new PermanentError(message, { context: ctx });
}

export function createRestConnector(binding: RestOutputBinding, deps: RestConnectorDeps): Connector {
  const method = binding.method ?? REST_DEFAULTS.method;
  const mode = binding.mode ?? REST_DEFAULTS.mode;
  const authHeader = binding.authHeader ?? REST_DEFAULTS.authHeader;
  const timeoutMs = (binding.timeoutSeconds ?? REST_DEFAULTS.timeoutSeconds) * 1000;
  const batchSize = binding.batchSize ?? REST_DEFAULTS.batchSize;
  const doFetch = deps.fetch ?? globalThis.fetch;
  const url = new URL(binding.url);
  // The target names host and path only: query strings may carry tokens.
  const target = `${url.protocol}//${url.host}${url.pathname}`;
  const logger = deps.logger.child({ connector: "rest" });

  async function send(
    body: BodyInit | Readable,
    contentType: string,
    idempotencyKey: string,
    signal: AbortSignal,
    size?: number,
  ): Promise<void> {
    // A timer owned and cleared here: AbortSignal.any([.., AbortSignal.timeout()]) can lose its timeout to GC.
    const attempt = withDeadline(signal, timeoutMs, `no response within ${timeoutMs} ms`);
    try {
      await sendOnce(body, contentType, idempotencyKey, signal, attempt, size);
    } finally {
      attempt.clear();
    }
  }

  async function sendOnce(
    body: BodyInit | Readable,
    contentType: string,
    idempotencyKey: string,
    signal: AbortSignal,
    attempt: Deadline,
    size?: number,
  ): Promise<void> {
    const headers: Record<string, string> = { "content-type": contentType, "idempotency-key": idempotencyKey };
    // A known size goes out as Content-Length rather than chunked encoding (some APIs refuse chunked);
    // undici fails the request if the stream's length differs.
    if (size !== undefined) headers["content-length"] = String(size);
    if (deps.authValue !== undefined) headers[authHeader.toLowerCase()] = deps.authValue;
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        headers,
        body: body as BodyInit,
        redirect: "manual",
        signal: attempt.signal,
        // Required by undici for a streamed request body.
        duplex: "half",
      } as RequestInit);
    } catch (err) {
      if (signal.aborted) throw err;
      const timedOut = attempt.signal.reason instanceof DeadlineError;
      throw new RetryableError(timedOut ? `no response within ${timeoutMs} ms` : `request failed: ${(err as Error).message}`, {
        cause: err,
        context: { target, timeoutMs },
      });
    }
    let text = "";
    try {
      // Read the (short) response to free the connection; keep the start for error messages.
      text = (await res.text()).slice(0, ERROR_BODY_CHARS);
    } catch (err) {
      if (res.ok) throw new RetryableError(`reading the response failed: ${(err as Error).message}`, { cause: err, context: { target } });
    }
    if (!res.ok) throw classifyResponse(res.status, res.headers.get("retry-after"), text, { target });
  }

  /** Batches sent with success, by delivery: a retry skips them instead of sending them again. */
  async function deliverRecords(delivery: Delivery, stream: Readable, acked: { batches: number }): Promise<void> {
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    let batch: string[] = [];
    let index = 0;
    const flush = async () => {
      if (index >= acked.batches) {
        const body = `[${batch.join(",")}]`;
        await send(body, "application/json", `${delivery.idempotencyKey}-${index}`, delivery.signal, Buffer.byteLength(body));
        acked.batches = index + 1;
      }
      index++;
      batch = [];
    };
    try {
      for await (const line of lines) {
        if (line.trim() === "") continue;
        try {
          JSON.parse(line);
        } catch (err) {
          throw new PermanentError(`record ${index * batchSize + batch.length + 1} is not JSON`, { cause: err, context: { target } });
        }
        batch.push(line);
        if (batch.length >= batchSize) await flush();
      }
      if (batch.length > 0) await flush();
    } finally {
      lines.close();
    }
  }

  return {
    type: "rest",
    binding,
    async deliver(delivery: Delivery): Promise<DeliveryResult> {
      const acked = { batches: 0 };
      return runDelivery({ connector: "rest", target, delivery, logger, retry: deps.retry }, async ({ stream }) => {
        if (mode === "records") return deliverRecords(delivery, stream, acked);
        await send(stream, delivery.contentType ?? "application/octet-stream", delivery.idempotencyKey, delivery.signal, delivery.size);
      });
    },
    async close() {
      // fetch pools its connections globally; nothing to release per connector.
    },
  };
}
