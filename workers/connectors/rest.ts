/**
 * REST connector: POSTs (or PUTs) the payload as one streamed body, or, in `records` mode, the
 * payload's NDJSON records as JSON array batches. Every request carries an `Idempotency-Key` derived
 * from the job (and the batch), so a receiver can drop the duplicates a retry or a redelivery sends.
 * Requests go through undici's fetch and an `EnvHttpProxyAgent` (`http-dispatcher.ts`): `HTTPS_PROXY`
 * and `NO_PROXY` are honoured, and mutual TLS and a private CA apply. The auth header carries
 * `authSecret` or an OAuth2 client-credentials token (`oauth2.ts`); a 401/403 re-reads the secret
 * (or drops the token) and sends once more. `multipart` wraps the payload in a streamed form body;
 * `captureResponse` keeps a value of the response (a receipt id) for the log line and the result.
 */
import { posix } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { Logger } from "pino";
import type { Dispatcher } from "undici";
import type { RestOutputBinding } from "../../catalog/contract";
import { PermanentError, RetryableError } from "../errors";
import type { BindingSecrets } from "./binding-secrets";
import { checkHeaderSecret } from "./header-secret";
import { createHttpDispatcher, proxyEnvOf } from "./http-dispatcher";
import { permanentTlsFailure } from "./tls-errors";
import { multipartBody } from "./multipart";
import { createOAuth2TokenSource } from "./oauth2";
import { CAPTURE_MAX_BYTES, captureFrom } from "./response-capture";
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
  multipartField: "file",
} as const;

/** The response text kept in an error message, characters. */
const ERROR_BODY_CHARS = 300;

export interface RestConnectorDeps {
  readonly logger: Logger;
  readonly retry?: Partial<RetryPolicy>;
  /** The binding's secrets: `authSecret` (the `authHeader` value), TLS PEMs, OAuth2 client credentials. */
  readonly secrets: BindingSecrets;
  /** Where `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` are read. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Injectable for tests. @default undici's fetch, with the binding's dispatcher */
  readonly fetch?: typeof fetch;
}

/** Reads at most `maxBytes` of a response body as UTF-8, then drops the rest. */
async function readBounded(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return "";
  const chunks: Buffer[] = [];
  let total = 0;
  const reader = res.body.getReader();
  try {
    while (total < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(Buffer.from(value));
      total += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined /* already closed */);
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString("utf8");
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
  // One dispatcher per connector, made on first use: its pool keeps connections (and TLS sessions)
  // across deliveries. The TLS PEMs are read then, once: a rotated client certificate needs a restart.
  let dispatcherMade: Promise<Dispatcher> | undefined;
  const dispatcher = () =>
    (dispatcherMade ??= Promise.all(["tlsCaSecret", "clientCertSecret", "clientKeySecret"].map((f) => deps.secrets.get(f))).then(
      ([ca, cert, key]) => createHttpDispatcher(proxyEnvOf(deps.env ?? process.env), { ca, cert, key }),
      (err: unknown) => {
        dispatcherMade = undefined; // a failed secret read is not kept: the next delivery tries again
        throw err;
      },
    ));
  // undici is loaded on the first delivery (see http-dispatcher.ts).
  const doFetch = deps.fetch ?? ((async (url, init) => (await import("undici")).fetch(url as string, init as never)) as typeof fetch);
  const oauth2 =
    binding.oauth2 === undefined
      ? undefined
      : createOAuth2TokenSource(binding.oauth2, {
          secrets: deps.secrets,
          fetch: async (input, init) => doFetch(input, { ...init, dispatcher: await dispatcher() } as RequestInit),
        });
  const capture = binding.captureResponse;
  // Lower-cased like the connector's own header names, so no header goes out twice in two spellings.
  const staticHeaders = Object.fromEntries(Object.entries(binding.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const url = new URL(binding.url);
  // The target names host and path only: query strings may carry tokens.
  const target = `${url.protocol}//${url.host}${url.pathname}`;
  const logger = deps.logger.child({ connector: "rest" });

  /** The auth headers: an OAuth2 token in `Authorization`, and `authSecret` in `authHeader`. */
  async function authHeaders(signal: AbortSignal): Promise<Record<string, string>> {
    const headers: Record<string, string> = {};
    if (oauth2) headers["authorization"] = `Bearer ${await oauth2.token(signal)}`;
    const secret = await deps.secrets.get("authSecret");
    if (secret !== undefined) {
      // A re-read (rotated) value is checked like the one read at start (`header-secret.ts`).
      checkHeaderSecret("authSecret", binding.authSecret!, secret);
      headers[authHeader.toLowerCase()] = secret;
    }
    return headers;
  }

  /**
   * After a 401/403: a fresh token and re-read secrets, and true when the request is worth sending
   * once more (the credentials may have rotated); false when it was already renewed or nothing changes.
   */
  async function renewCredentials(auth: { renewed: boolean }): Promise<boolean> {
    if (auth.renewed) return false;
    auth.renewed = true;
    oauth2?.invalidate();
    const reread = binding.authSecret !== undefined && (await deps.secrets.refresh());
    return oauth2 !== undefined || reread;
  }

  /** Sends one request; resolves to the captured response value, if any. */
  async function send(
    body: BodyInit | Readable,
    contentType: string,
    idempotencyKey: string,
    signal: AbortSignal,
    auth: { renewed: boolean },
    size?: number,
  ): Promise<string | undefined> {
    // A timer owned and cleared here: AbortSignal.any([.., AbortSignal.timeout()]) can lose its timeout to GC.
    const attempt = withDeadline(signal, timeoutMs, `no response within ${timeoutMs} ms`);
    try {
      return await sendOnce(body, contentType, idempotencyKey, signal, attempt, auth, size);
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
    auth: { renewed: boolean },
    size?: number,
  ): Promise<string | undefined> {
    const headers: Record<string, string> = { ...staticHeaders, "content-type": contentType, "idempotency-key": idempotencyKey };
    // A known size goes out as Content-Length rather than chunked encoding (some APIs refuse chunked);
    // undici fails the request if the stream's length differs.
    if (size !== undefined) headers["content-length"] = String(size);
    Object.assign(headers, await authHeaders(signal));
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        headers,
        body: body as BodyInit,
        redirect: "manual",
        signal: attempt.signal,
        dispatcher: await dispatcher(),
        // Required by undici for a streamed request body.
        duplex: "half",
      } as RequestInit);
    } catch (err) {
      if (signal.aborted) throw err;
      const timedOut = attempt.signal.reason instanceof DeadlineError;
      const cause = (err as Error & { cause?: Error }).cause;
      const detail = cause?.message ? `${(err as Error).message} (${cause.message})` : (err as Error).message;
      const tlsFix = permanentTlsFailure(err);
      if (tlsFix) throw new PermanentError(`request failed: ${detail} (${tlsFix})`, { cause: err, context: { target } });
      throw new RetryableError(timedOut ? `no response within ${timeoutMs} ms` : `request failed: ${detail}`, {
        cause: err,
        context: { target, timeoutMs },
      });
    }
    let text = "";
    try {
      // Read the (short) response to free the connection; keep the start for error messages, or
      // up to `captureResponse.maxBytes` for the capture.
      text =
        res.ok && capture ? await readBounded(res, capture.maxBytes ?? CAPTURE_MAX_BYTES) : (await res.text()).slice(0, ERROR_BODY_CHARS);
    } catch (err) {
      if (res.ok) throw new RetryableError(`reading the response failed: ${(err as Error).message}`, { cause: err, context: { target } });
    }
    if ((res.status === 401 || res.status === 403) && (await renewCredentials(auth))) {
      // The retry loop re-opens the payload and sends again at once, with the renewed credentials.
      throw new RetryableError(`HTTP ${res.status}: credentials renewed, sending once more`, {
        context: { target, status: res.status },
        retryAfterMs: 0,
      });
    }
    if (!res.ok) throw classifyResponse(res.status, res.headers.get("retry-after"), text, { target });
    return capture ? captureFrom(text, capture) : undefined;
  }

  /** The payload as the request body: the stream itself, or wrapped in a multipart form. */
  function payloadBody(delivery: Delivery, stream: Readable): { body: Readable; contentType: string; size?: number } {
    const contentType = delivery.contentType ?? "application/octet-stream";
    if (binding.multipart === undefined) return { body: stream, contentType, size: delivery.size };
    const form = multipartBody({
      fields: binding.multipart.fields ?? {},
      field: binding.multipart.field ?? REST_DEFAULTS.multipartField,
      fileName: posix.basename(delivery.name),
      fileType: contentType,
      file: stream,
      fileSize: delivery.size,
    });
    return { body: form.stream, contentType: form.contentType, size: form.size };
  }

  /** Batches sent with success, by delivery: a retry skips them instead of sending them again. */
  async function deliverRecords(
    delivery: Delivery,
    stream: Readable,
    acked: { batches: number },
    auth: { renewed: boolean },
  ): Promise<string | undefined> {
    let captured: string | undefined;
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    let batch: string[] = [];
    let index = 0;
    const flush = async () => {
      if (index >= acked.batches) {
        const body = `[${batch.join(",")}]`;
        captured =
          (await send(body, "application/json", `${delivery.idempotencyKey}-${index}`, delivery.signal, auth, Buffer.byteLength(body))) ??
          captured;
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
    return captured;
  }

  return {
    type: "rest",
    binding,
    async deliver(delivery: Delivery): Promise<DeliveryResult> {
      const acked = { batches: 0 };
      // One renewal of the credentials per delivery, across its attempts.
      const auth = { renewed: false };
      return runDelivery({ connector: "rest", target, delivery, logger, retry: deps.retry }, async ({ stream }) => {
        if (mode === "records") return { captured: await deliverRecords(delivery, stream, acked, auth) };
        const { body, contentType, size } = payloadBody(delivery, stream);
        const captured = await send(body, contentType, delivery.idempotencyKey, delivery.signal, auth, size);
        return { captured };
      });
    },
    async close() {
      if (dispatcherMade) await (await dispatcherMade).close();
    },
  };
}
