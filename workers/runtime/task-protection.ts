/**
 * ECS task scale-in protection through the ECS agent endpoint
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-scale-in-protection-endpoint.html):
 * on while the worker is busy, so autoscaling never stops a task mid-job; off as soon as it is idle,
 * because a protected task also blocks deployments. The expiry is a little beyond the longest job,
 * so a task that dies protected does not stay protected; a task busy longer re-arms it.
 * Without `ECS_AGENT_URI` (local runs) it does nothing.
 */
import type { Logger } from "pino";

export interface TaskProtection {
  /** The worker has jobs in flight. */
  busy(): void;
  /** The worker has no jobs in flight. */
  idle(): void;
  /** Turns protection off (if on) and stops timers; awaits the last request. */
  close(): Promise<void>;
}

export interface TaskProtectionOptions {
  /** `$ECS_AGENT_URI`; undefined disables protection. */
  readonly agentUri: string | undefined;
  /** The longest job, seconds; the expiry is this plus a margin, rounded up to minutes. */
  readonly maxProcessingSeconds: number;
  readonly logger: Logger;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Per-request timeout, ms. @default 5000 */
  readonly timeoutMs?: number;
}

/** Minutes of protection for jobs up to `maxProcessingSeconds`: the job plus 1 minute, at least 1, at most 2880 (48 h, ECS's limit). */
export function protectionExpiryMinutes(maxProcessingSeconds: number): number {
  return Math.min(2880, Math.max(1, Math.ceil(maxProcessingSeconds / 60) + 1));
}

export function createTaskProtection(options: TaskProtectionOptions): TaskProtection {
  if (options.agentUri === undefined) return { busy() {}, idle() {}, close: async () => {} };
  const url = `${options.agentUri.replace(/\/$/, "")}/task-protection/v1/state`;
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const expiresInMinutes = protectionExpiryMinutes(options.maxProcessingSeconds);
  const log = options.logger.child({ component: "task-protection" });

  let desired = false;
  let applied = false;
  let appliedAt = 0;
  let chain: Promise<void> = Promise.resolve();
  let refresh: NodeJS.Timeout | undefined;

  async function put(enabled: boolean): Promise<boolean> {
    const body = enabled ? { ProtectionEnabled: true, ExpiresInMinutes: expiresInMinutes } : { ProtectionEnabled: false };
    try {
      const res = await doFetch(url, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      // The agent answers 200 with a `failure` or `error` member when ECS refused.
      const json = text ? (JSON.parse(text) as { failure?: unknown; error?: unknown }) : {};
      if (!res.ok || json.failure !== undefined || json.error !== undefined) {
        log.warn({ status: res.status, response: text.slice(0, 500), enabled }, "task protection request refused");
        return false;
      }
      log.debug({ enabled, expiresInMinutes }, "task protection set");
      return true;
    } catch (err) {
      // Protection is a safety net, not a precondition: a job runs without it rather than not at all.
      log.warn({ err, enabled }, "task protection request failed");
      return false;
    }
  }

  function sync(): void {
    chain = chain.then(async () => {
      const want = desired;
      // Re-arm when busy for more than half the expiry; otherwise only send changes.
      const stale = want && Date.now() - appliedAt > (expiresInMinutes * 60_000) / 2;
      if (want === applied && !stale) return;
      if (await put(want)) {
        applied = want;
        appliedAt = Date.now();
      }
    });
  }

  return {
    busy() {
      desired = true;
      sync();
      refresh ??= setInterval(sync, (expiresInMinutes * 60_000) / 4);
      refresh.unref();
    },
    idle() {
      desired = false;
      clearInterval(refresh);
      refresh = undefined;
      sync();
    },
    async close() {
      clearInterval(refresh);
      refresh = undefined;
      desired = false;
      sync();
      await chain;
    },
  };
}
