/**
 * SFTP connector (`ssh2-sftp-client`). Safety rules, each from a known failure:
 * - The server's host key is pinned by SHA-256 fingerprint (one, or a list during a key rotation:
 *   any listed key is accepted): ssh2 accepts any host key unless a `hostVerifier` says otherwise,
 *   so a mismatch refuses the connection (PermanentError).
 * - A failed login re-reads the binding's secrets once (they may have rotated) and tries again.
 * - One streamed `put` by default, never `fastPut` (parallel reads corrupt files on some servers;
 *   see the ssh2-sftp-client README); `concurrency` above 1 opts in to parallel writes
 *   (`sftp-parallel-put.ts`) for servers that accept them.
 * - Upload to a temporary name (hidden by default; `arrival`, `arrival.ts`), check its size, then
 *   `posix-rename` over the final name: the receiver never sees a partial file, and a redelivery
 *   replaces the file atomically.
 * - One connection per connector, reused across deliveries; a fresh `Client` for every connection
 *   (v12 does not retry connects and a client is not reusable after `end`). A connection found
 *   dropped before a delivery is re-made once at once; a drop during a transfer is a retryable
 *   failure and the retry loop reconnects.
 * - A stalled transfer ends (issue 13, item 3): an abort destroys the socket at once (a graceful
 *   `end()` waits behind the unread data of a peer that stopped reading); a transfer whose bytes stop
 *   moving for `idleTimeoutMs` fails as retryable; SSH keepalive ends a connection whose peer stops
 *   answering, idle or not.
 * - `TCP_NODELAY` on the socket: every SFTP WRITE waits for its status reply, and Nagle's algorithm
 *   with delayed ACKs held each small request back, capping uploads at about 2 to 6 MiB/s on loopback;
 *   a 1 MiB write buffer lets ssh2 send buffered chunks as concurrent WRITEs (issue 13, item 4;
 *   `npm run bench -- sftp` compares the rate with OpenSSH's `sftp`).
 * - ssh2-sftp-client's default event callbacks print plain text to stdout; ours log through pino.
 */
import { createHash } from "node:crypto";
import type { SFTPWrapper } from "ssh2";
import SftpClient from "ssh2-sftp-client";
import type { Logger } from "pino";
import type { SftpOutputBinding } from "../../catalog/contract";
import { PermanentError, RetryableError } from "../errors";
import { arrivalPaths } from "./arrival";
import type { BindingSecrets } from "./binding-secrets";
import { connectThroughProxy } from "./proxy";
import { parallelPut } from "./sftp-parallel-put";
import type { RetryPolicy } from "./retry";
import { watchProgress, type ProgressWatchdog } from "./progress-watchdog";
import { runDelivery } from "./run-delivery";
import type { Connector, Delivery, DeliveryResult } from "./types";

export const SFTP_DEFAULTS = {
  port: 22,
  readyTimeoutMs: 20_000,
  createDirectory: false,
  /** Writes in flight per upload; above 1 only for servers that accept out-of-order writes. */
  concurrency: 1,
  /** SSH keepalive request every 10 s while connected… */
  keepaliveIntervalMs: 10_000,
  /** …and the connection is dropped after 3 unanswered ones (about 30 to 40 s). */
  keepaliveCountMax: 3,
  /** A transfer whose payload bytes stop moving for 30 s fails as retryable. */
  idleTimeoutMs: 30_000,
  /**
   * Bytes the upload stream buffers while a write is in flight: buffered chunks go out together as
   * concurrent SFTP WRITE requests (ssh2's `_writev`), so a larger buffer keeps more in flight.
   */
  writeBufferBytes: 1024 * 1024,
  /** `close()` waits this long for a graceful SSH disconnect before destroying the socket. */
  endTimeoutMs: 1_000,
} as const;

/**
 * ssh2-sftp-client hands `writeStreamOptions` to ssh2's `createWriteStream` (a `Writable`, so
 * `highWaterMark` applies); its typings list only the mode and flags.
 */
const PUT_OPTIONS = { writeStreamOptions: { highWaterMark: SFTP_DEFAULTS.writeBufferBytes } } as unknown as SftpClient.TransferOptions;

export interface SftpConnectorDeps {
  readonly logger: Logger;
  readonly retry?: Partial<RetryPolicy>;
  /** The binding's secrets: `passwordSecret`, `privateKeySecret` (OpenSSH or PEM), `privateKeyPassphraseSecret`, `proxyPasswordSecret`. */
  readonly secrets: BindingSecrets;
  /** Idle-progress limit of a transfer, ms. @default SFTP_DEFAULTS.idleTimeoutMs */
  readonly idleTimeoutMs?: number;
  /** SSH keepalive interval, ms. @default SFTP_DEFAULTS.keepaliveIntervalMs */
  readonly keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the connection is dropped. @default SFTP_DEFAULTS.keepaliveCountMax */
  readonly keepaliveCountMax?: number;
}

/** The pinned fingerprints of a binding, without base64 padding. */
export function pinnedHostKeys(binding: Pick<SftpOutputBinding, "hostKeySha256">): string[] {
  const pins = typeof binding.hostKeySha256 === "string" ? [binding.hostKeySha256] : binding.hostKeySha256;
  return pins.map((p) => p.replace(/=+$/, ""));
}

/** The OpenSSH fingerprint of a host key blob: `SHA256:` and unpadded base64 of its SHA-256. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

const AUTH_FAILURE = /authentication methods failed|permission denied|auth fail/i;
const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;

export function createSftpConnector(binding: SftpOutputBinding, deps: SftpConnectorDeps): Connector {
  const port = binding.port ?? SFTP_DEFAULTS.port;
  const pinned = pinnedHostKeys(binding);
  const createDirectory = binding.createDirectory ?? SFTP_DEFAULTS.createDirectory;
  const concurrency = binding.concurrency ?? SFTP_DEFAULTS.concurrency;

  /** The delivery, when it can go as parallel writes: `concurrency` above 1 and a payload read in ranges. */
  function parallelSource(delivery: Delivery) {
    if (concurrency <= 1 || delivery.size === undefined || delivery.openRange === undefined) return undefined;
    return { ...delivery, size: delivery.size, openRange: delivery.openRange };
  }
  const origin = `sftp://${binding.host}:${port}`;
  const logger = deps.logger.child({ connector: "sftp", host: binding.host, port });
  const idleTimeoutMs = deps.idleTimeoutMs ?? SFTP_DEFAULTS.idleTimeoutMs;
  let client: SftpClient | undefined;
  /** The client being connected, until `connect()` returns: an abort destroys it too. */
  let connecting: SftpClient | undefined;
  let closed = false;

  async function connectOnce(): Promise<SftpClient> {
    const fresh = new SftpClient(`jobworker-${binding.host}`, {
      // After connect, a dropped connection surfaces on the next call; these only keep the events
      // from crashing the process, and from printing plain text into the JSON log stream.
      error: (err: unknown) => logger.warn({ err }, "sftp connection error"),
      end: () => logger.debug("sftp connection ended"),
      close: () => logger.debug("sftp connection closed"),
    });
    let presented: string | undefined;
    connecting = fresh;
    try {
      const sock =
        binding.proxy === undefined
          ? undefined
          : await connectThroughProxy(
              binding.proxy,
              { username: binding.proxy.username, password: await deps.secrets.get("proxyPasswordSecret") },
              binding.host,
              port,
              SFTP_DEFAULTS.readyTimeoutMs,
            );
      await fresh.connect({
        host: binding.host,
        port,
        sock,
        username: binding.username,
        password: await deps.secrets.get("passwordSecret"),
        privateKey: await deps.secrets.get("privateKeySecret"),
        passphrase: await deps.secrets.get("privateKeyPassphraseSecret"),
        algorithms: binding.algorithms as SftpClient.ConnectOptions["algorithms"],
        readyTimeout: SFTP_DEFAULTS.readyTimeoutMs,
        keepaliveInterval: deps.keepaliveIntervalMs ?? SFTP_DEFAULTS.keepaliveIntervalMs,
        keepaliveCountMax: deps.keepaliveCountMax ?? SFTP_DEFAULTS.keepaliveCountMax,
        hostVerifier: (key: Buffer) => {
          presented = hostKeyFingerprint(key);
          return pinned.includes(presented);
        },
      });
    } catch (err) {
      await fresh.end().catch(() => undefined /* not connected: nothing to end */);
      if (err instanceof PermanentError || err instanceof RetryableError) throw err;
      if (presented !== undefined && !pinned.includes(presented)) {
        throw new PermanentError(
          `host key of ${origin} is ${presented}, not one of the pinned \`hostKeySha256\` ${pinned.join(", ")}: refusing to connect`,
          { cause: err, context: { target: origin, presented } },
        );
      }
      const message = (err as Error).message ?? String(err);
      if (AUTH_FAILURE.test(message)) {
        throw new PermanentError(
          `authentication as ${binding.username} at ${origin} failed (check \`passwordSecret\`/\`privateKeySecret\`): ${message}`,
          { cause: err, context: { target: origin, authFailure: true } },
        );
      }
      if (/no matching/i.test(message)) {
        throw new PermanentError(
          `connecting to ${origin} failed: the server offers none of the listed algorithms (check \`algorithms\`): ${message}`,
          {
            cause: err,
            context: { target: origin },
          },
        );
      }
      if (/passphrase|encrypted private key|cannot parse privateKey/i.test(message)) {
        throw new PermanentError(`the private key cannot be read (check \`privateKeySecret\`/\`privateKeyPassphraseSecret\`): ${message}`, {
          cause: err,
          context: { target: origin },
        });
      }
      throw new RetryableError(`connecting to ${origin} failed: ${message}`, { cause: err, context: { target: origin } });
    } finally {
      if (connecting === fresh) connecting = undefined;
    }
    sshOf(fresh).setNoDelay(true);
    if (createDirectory) await ensureDirectory(fresh);
    return fresh;
  }

  /** `mkdir -p` of the binding's directory when it is absent. */
  async function ensureDirectory(sftp: SftpClient): Promise<void> {
    try {
      if ((await sftp.exists(binding.directory)) !== "d") await sftp.mkdir(binding.directory, true);
    } catch (err) {
      await sftp.end().catch(() => undefined);
      throw classify(err, `creating ${binding.directory} at ${origin} failed`);
    }
  }

  /** Connects; a refused login re-reads the secrets (they may have rotated) and tries once more. */
  async function connect(): Promise<SftpClient> {
    try {
      return await connectOnce();
    } catch (err) {
      if (!(err instanceof PermanentError && err.context.authFailure === true) || !(await deps.secrets.refresh())) throw err;
      logger.info({ target: origin }, "sftp login refused; secrets re-read, trying once more");
      return connectOnce();
    }
  }

  /** Drops the connection at once: destroys the socket, which fails whatever call is pending on it. */
  function cut(): void {
    for (const old of [client, connecting]) if (old) sshOf(old).destroy();
    client = undefined;
    connecting = undefined;
  }

  /** Ends the connection gracefully, destroying it when the peer does not answer within `endTimeoutMs`. */
  async function discard(): Promise<void> {
    const old = client;
    client = undefined;
    if (!old) return;
    const timer = setTimeout(() => sshOf(old).destroy(), SFTP_DEFAULTS.endTimeoutMs);
    try {
      await old.end();
    } catch (err) {
      logger.debug({ err }, "ending a dropped sftp connection failed");
    } finally {
      clearTimeout(timer);
    }
  }

  /** The open connection, checked alive; re-made once at once if it was dropped while idle. */
  async function connection(signal: AbortSignal): Promise<SftpClient> {
    if (client) {
      try {
        await client.cwd();
        return client;
      } catch (err) {
        logger.info({ err }, "sftp connection was dropped; reconnecting");
        await discard();
      }
    }
    // An abort that cut the idle check must not open a new connection.
    if (signal.aborted) throw new RetryableError("delivery aborted", { cause: signal.reason, context: { target: origin, aborted: true } });
    client = await connect();
    return client;
  }

  function classify(err: unknown, what: string): Error {
    if (err instanceof PermanentError || err instanceof RetryableError) return err;
    const e = err as { code?: unknown; message?: string };
    const message = `${what}: ${e.message ?? String(err)}`;
    if (e.code === SFTP_PERMISSION_DENIED || e.code === SFTP_NO_SUCH_FILE) {
      return new PermanentError(message, { cause: err, context: { target: origin, code: Number(e.code) } });
    }
    return new RetryableError(message, { cause: err, context: { target: origin } });
  }

  return {
    type: "sftp",
    binding,
    async deliver(delivery: Delivery): Promise<DeliveryResult> {
      if (closed) throw new PermanentError("the sftp connector is closed", { context: { target: origin } });
      const paths = arrivalPaths(binding.directory, delivery.name, binding);
      const target = `${origin}${paths.final.startsWith("/") ? "" : "/"}${paths.final}`;
      let uploadStarted = false;
      try {
        return await runDelivery({ connector: "sftp", target, delivery, logger, retry: deps.retry }, async ({ stream, counter }) => {
          delivery.signal.addEventListener("abort", cut, { once: true });
          let stalled: RetryableError | undefined;
          let watchdog: ProgressWatchdog | undefined;
          /** Bytes written by a parallel upload, which does not read `stream`. */
          let parallelBytes = 0;
          try {
            const sftp = await connection(delivery.signal);
            // Connecting is bounded by `readyTimeout`; from here on, payload bytes must keep moving.
            watchdog = watchProgress(
              () => counter.bytes + parallelBytes,
              idleTimeoutMs,
              () => {
                stalled = new RetryableError(`upload to ${target} made no progress for ${idleTimeoutMs} ms (${counter.bytes} bytes sent)`, {
                  context: { target, idleTimeoutMs },
                });
                cut();
              },
            );
            uploadStarted = true;
            const parallel = parallelSource(delivery);
            if (parallel) {
              const wrapper = (sftp as unknown as { sftp?: SFTPWrapper }).sftp;
              if (!wrapper) throw new RetryableError("the sftp channel is closed", { context: { target } });
              const bytes = await parallelPut(wrapper, parallel, paths.upload, concurrency, (n) => (parallelBytes += n));
              const remote = await sftp.stat(paths.upload);
              if (remote.size !== bytes || bytes !== parallel.size) {
                throw new RetryableError(`upload of ${paths.upload} incomplete: ${remote.size} bytes on the server, ${bytes} sent`, {
                  context: { target },
                });
              }
              if (paths.rename) await sftp.posixRename(paths.upload, paths.final);
              return { bytes };
            }
            await sftp.put(stream, paths.upload, PUT_OPTIONS);
            // put resolves when the remote file closes, which a dropped connection also causes:
            // only a fully read payload of the same size on the server may take the final name.
            const remote = await sftp.stat(paths.upload);
            if (!counter.readableEnded || remote.size !== counter.bytes) {
              throw new RetryableError(`upload of ${paths.upload} incomplete: ${remote.size} bytes on the server, ${counter.bytes} sent`, {
                context: { target },
              });
            }
            if (paths.rename) await sftp.posixRename(paths.upload, paths.final);
          } catch (err) {
            if (stalled) throw stalled;
            const typed = classify(err, `upload to ${target} failed`);
            if (typed instanceof RetryableError) cut();
            throw typed;
          } finally {
            watchdog?.stop();
            delivery.signal.removeEventListener("abort", cut);
          }
        });
      } catch (err) {
        // After an abort (shutdown, job deadline) nothing more is sent: a leftover is hidden and harmless.
        if (uploadStarted && !delivery.signal.aborted) await removeTemp(paths.upload);
        throw err;
      }
    },
    async close() {
      closed = true;
      await discard();
    },
  };

  function sshOf(c: SftpClient): { setNoDelay(noDelay: boolean): void; destroy(): void } {
    // ssh2-sftp-client exposes its ssh2 `Client` as `client`; its typings do not.
    return (c as unknown as { client: { setNoDelay(noDelay: boolean): void; destroy(): void } }).client;
  }

  /** Best effort: a failed delivery's temporary file is removed; a leftover is hidden and harmless. */
  async function removeTemp(temp: string): Promise<void> {
    try {
      const sftp = client ?? (await connect());
      client = sftp;
      await sftp.delete(temp, true);
    } catch (err) {
      logger.warn({ err, temp }, "could not remove the temporary file of a failed delivery");
    }
  }
}
