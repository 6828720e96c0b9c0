/**
 * FTP / FTPS connector (`basic-ftp`): passive data connections, or active ones on request
 * (`dataConnection: "active"`, `ftp-active.ts`; basic-ftp itself speaks passive mode only). Explicit TLS
 * (`AUTH TLS`) by default, implicit TLS (`secure: "implicit"`, port 990 servers) on request;
 * `tlsCaSecret` trusts a private CA or a self-signed server certificate (certificates are always
 * verified); `clientCertSecret`/`clientKeySecret` present a client certificate. A refused login
 * (530) re-reads the secrets once (they may have rotated) and tries again. Each payload is
 * streamed to a temporary name in the target directory (hidden by default; `arrival`, `arrival.ts`),
 * its size checked with `SIZE`, then renamed (`RNFR`/`RNTO`), so the receiver never picks up a
 * partial file. A `proxy` carries the control and data connections (`ftp-proxy.ts`). One connection
 * per connector, re-made when found dropped.
 */
import { posix } from "node:path";
import type { ConnectionOptions } from "node:tls";
import { Client, FTPError } from "basic-ftp";
import type { Logger } from "pino";
import type { FtpOutputBinding } from "../../catalog/contract";
import { PermanentError, RetryableError } from "../errors";
import { arrivalPaths } from "./arrival";
import type { BindingSecrets } from "./binding-secrets";
import { activeTransfer } from "./ftp-active";
import { accessThroughProxy } from "./ftp-proxy";
import { CLIENT_CERT_REFUSED } from "./tls-errors";
import type { RetryPolicy } from "./retry";
import { runDelivery } from "./run-delivery";
import type { Connector, Delivery, DeliveryResult } from "./types";

export const FTP_DEFAULTS = { port: 21, secure: true, createDirectory: false, dataConnection: "passive", timeoutMs: 30_000 } as const;

export interface FtpConnectorDeps {
  readonly logger: Logger;
  readonly retry?: Partial<RetryPolicy>;
  /** The binding's secrets: `passwordSecret`, `tlsCaSecret`, `clientCertSecret`, `clientKeySecret` (PEM). */
  readonly secrets: BindingSecrets;
  /** Control and data socket timeout, ms. @default 30000 */
  readonly timeoutMs?: number;
}

/** Node TLS errors that a retry cannot fix (the certificate is what it is). */
const TLS_PERMANENT = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME/;

/** FTP replies: 4xx are transient by definition (RFC 959 §4.2), 5xx permanent (530: not logged in). */
export function classifyFtpError(err: unknown, what: string, target: string): RetryableError | PermanentError {
  if (err instanceof RetryableError || err instanceof PermanentError) return err;
  const message = `${what}: ${(err as Error).message ?? String(err)}`;
  if (err instanceof FTPError) {
    const context = { target, ftpCode: err.code };
    if (err.code === 530) return new PermanentError(`${message} (check \`username\` and \`passwordSecret\`)`, { cause: err, context });
    return err.code >= 500 ? new PermanentError(message, { cause: err, context }) : new RetryableError(message, { cause: err, context });
  }
  const code = String((err as NodeJS.ErrnoException).code ?? "");
  if (CLIENT_CERT_REFUSED.test(code)) {
    return new PermanentError(
      `${message} (the server refused the client certificate: check \`clientCertSecret\` and \`clientKeySecret\`)`,
      {
        cause: err,
        context: { target, code },
      },
    );
  }
  // A trusted certificate issued for another name: trusting more would not help, the host name is wrong.
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    return new PermanentError(
      `${message} (the server certificate does not name this host: set \`host\` to a name the certificate lists, or have the server's certificate list it)`,
      { cause: err, context: { target, code } },
    );
  }
  if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") {
    return new PermanentError(`${message} (the server certificate is outside its validity period: the server must renew it)`, {
      cause: err,
      context: { target, code },
    });
  }
  if (TLS_PERMANENT.test(code)) {
    return new PermanentError(`${message} (the server certificate is not trusted: set \`tlsCaSecret\`)`, {
      cause: err,
      context: { target, code },
    });
  }
  return new RetryableError(message, { cause: err, context: { target, code } });
}

export function createFtpConnector(binding: FtpOutputBinding, deps: FtpConnectorDeps): Connector {
  const port = binding.port ?? FTP_DEFAULTS.port;
  const secure = binding.secure ?? FTP_DEFAULTS.secure;
  const createDirectory = binding.createDirectory ?? FTP_DEFAULTS.createDirectory;
  const dataConnection = binding.dataConnection ?? FTP_DEFAULTS.dataConnection;
  const origin = `${secure === false ? "ftp" : "ftps"}://${binding.host}:${port}`;
  const logger = deps.logger.child({ connector: "ftp", host: binding.host, port });
  let client: Client | undefined;
  let closed = false;

  async function tlsOptions(): Promise<ConnectionOptions | undefined> {
    if (secure === false) return undefined;
    const [ca, cert, key] = await Promise.all(["tlsCaSecret", "clientCertSecret", "clientKeySecret"].map((f) => deps.secrets.get(f)));
    return { ca, cert, key };
  }

  async function connectOnce(): Promise<Client> {
    const fresh = new Client(deps.timeoutMs ?? FTP_DEFAULTS.timeoutMs);
    try {
      const access = {
        host: binding.host,
        port,
        user: binding.username,
        password: await deps.secrets.get("passwordSecret"),
        secure,
        secureOptions: await tlsOptions(),
      };
      if (binding.proxy === undefined) await fresh.access(access);
      else
        await accessThroughProxy(fresh, {
          ...access,
          tls: access.secureOptions,
          proxy: binding.proxy,
          login: { username: binding.proxy.username, password: await deps.secrets.get("proxyPasswordSecret") },
          timeoutMs: deps.timeoutMs ?? FTP_DEFAULTS.timeoutMs,
        });
      if (dataConnection === "active") fresh.prepareTransfer = activeTransfer({ timeoutMs: deps.timeoutMs ?? FTP_DEFAULTS.timeoutMs });
      if (createDirectory) await fresh.ensureDir(binding.directory);
      else await fresh.cd(binding.directory);
      return fresh;
    } catch (err) {
      fresh.close();
      throw classifyFtpError(
        err,
        `connecting to ${origin}${binding.directory.startsWith("/") ? "" : "/"}${binding.directory} failed`,
        origin,
      );
    }
  }

  /** Connects; a refused login (530) re-reads the secrets (they may have rotated) and tries once more. */
  async function connect(): Promise<Client> {
    try {
      return await connectOnce();
    } catch (err) {
      if (!(err instanceof PermanentError && err.context.ftpCode === 530) || !(await deps.secrets.refresh())) throw err;
      logger.info({ target: origin }, "ftp login refused; secrets re-read, trying once more");
      return connectOnce();
    }
  }

  function discard(): void {
    client?.close();
    client = undefined;
  }

  /** The open connection, checked with NOOP; re-made once at once if it was dropped while idle. */
  async function connection(): Promise<Client> {
    if (client && !client.closed) {
      try {
        await client.send("NOOP");
        return client;
      } catch (err) {
        logger.info({ err }, "ftp connection was dropped; reconnecting");
      }
    }
    discard();
    client = await connect();
    return client;
  }

  return {
    type: "ftp",
    binding,
    async deliver(delivery: Delivery): Promise<DeliveryResult> {
      if (closed) throw new PermanentError("the ftp connector is closed", { context: { target: origin } });
      const paths = arrivalPaths(binding.directory, delivery.name, binding);
      // The connection sits in the target directory: transfer by base name.
      const temp = posix.basename(paths.upload);
      const final = posix.basename(paths.final);
      const target = `${origin}${paths.final.startsWith("/") ? "" : "/"}${paths.final}`;
      let uploadStarted = false;
      try {
        return await runDelivery({ connector: "ftp", target, delivery, logger, retry: deps.retry }, async ({ stream, counter }) => {
          const ftp = await connection();
          const onAbort = () => discard();
          delivery.signal.addEventListener("abort", onAbort, { once: true });
          try {
            uploadStarted = true;
            await ftp.uploadFrom(stream, temp);
            const remoteSize = await ftp.size(temp);
            if (!counter.readableEnded || remoteSize !== counter.bytes) {
              throw new RetryableError(`upload of ${temp} incomplete: ${remoteSize} bytes on the server, ${counter.bytes} sent`, {
                context: { target },
              });
            }
            if (paths.rename) await ftp.rename(temp, final);
          } catch (err) {
            const typed = classifyFtpError(err, `upload to ${target} failed`, target);
            if (typed instanceof RetryableError) discard();
            throw typed;
          } finally {
            delivery.signal.removeEventListener("abort", onAbort);
          }
        });
      } catch (err) {
        if (uploadStarted) await removeTemp(temp);
        throw err;
      }
    },
    async close() {
      closed = true;
      discard();
    },
  };

  /** Best effort: a failed delivery's temporary file is removed; a leftover is hidden and harmless. */
  async function removeTemp(temp: string): Promise<void> {
    try {
      const ftp = client && !client.closed ? client : await connect();
      client = ftp;
      await ftp.remove(temp, true);
    } catch (err) {
      logger.warn({ err, temp }, "could not remove the temporary file of a failed delivery");
    }
  }
}
