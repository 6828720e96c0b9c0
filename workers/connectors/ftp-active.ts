/**
 * Active-mode FTP (`dataConnection: "active"` on an `ftp` binding) for basic-ftp, which speaks passive
 * mode only, through its public `prepareTransfer` hook. Per transfer: listen on the control
 * connection's local address (any free port, or the first free one of a range), announce it with
 * `EPRT |1|ip|port|` (RFC 2428), or `PORT h1,h2,h3,h4,p1,p2` (RFC 959) when the server refuses EPRT,
 * and accept exactly one connection, from the control connection's peer address (any other is
 * dropped: that is the port-stealing attack active mode invites). It becomes basic-ftp's data socket,
 * with TLS on top for FTPS as basic-ftp does for passive ones (`ftp-data-socket.ts`).
 *
 * The server connects only after the transfer command (`STOR`), which basic-ftp sends once this hook
 * has returned, and its `150` reply may come before or after it connects. So the hook pauses reading
 * the control connection until the data connection is accepted: basic-ftp sees the `150` only when
 * its data socket is there. Nothing accepted within `timeoutMs` closes the client with a
 * `RetryableError`. The listener is closed on the first accepted connection, on the timeout, when the
 * control connection closes, and when the server refuses both commands.
 */
import { createServer, isIPv4, type Server, type Socket } from "node:net";
import { FTPError, type FTPContext, type FTPResponse } from "basic-ftp";
import { RetryableError } from "../errors";
import { useDataSocket } from "./ftp-data-socket";

export interface ActiveModeOptions {
  /** How long the server has to connect back, ms. */
  readonly timeoutMs: number;
  /**
   * Local ports to listen on, inclusive: the first free one is used, so a firewall can open just these.
   * Not a binding field yet (see docs/connectors.md). @default any free port
   */
  readonly ports?: { readonly min: number; readonly max: number };
}

/** `EPRT` argument (RFC 2428 §2): `|1|10.0.0.5|50000|`, or `|2|…|` for IPv6. */
export function eprtArgument(ip: string, port: number): string {
  const address = unmapped(ip);
  return `|${isIPv4(address) ? 1 : 2}|${address}|${checkedPort(port)}|`;
}

/** `PORT` argument (RFC 959 §4.1.2): `10,0,0,5,195,80`; IPv4 only. */
export function portArgument(ip: string, port: number): string {
  const address = unmapped(ip);
  if (!isIPv4(address)) throw new Error(`PORT takes an IPv4 address, not ${ip}: the server must accept EPRT`);
  const p = checkedPort(port);
  return [...address.split("."), Math.floor(p / 256), p % 256].join(",");
}

/** A `prepareTransfer` for basic-ftp's `Client` that opens each data connection in active mode. */
export function activeTransfer(options: ActiveModeOptions): (ftp: FTPContext) => Promise<FTPResponse> {
  return async (ftp) => {
    const control = ftp.socket;
    const local = control.localAddress;
    const peer = control.remoteAddress;
    if (local === undefined || peer === undefined) throw new RetryableError("the FTP control connection is closed");
    const listener = await listen(unmapped(local), options.ports);
    try {
      const res = await announce(ftp, local, (listener.address() as { port: number }).port);
      awaitServer(ftp, listener, unmapped(peer), options.timeoutMs);
      return res;
    } catch (err) {
      listener.close();
      throw err;
    }
  };
}

/** `EPRT`, then `PORT` if the server refuses EPRT (5xx: not implemented, or not for this family). */
async function announce(ftp: FTPContext, ip: string, port: number): Promise<FTPResponse> {
  try {
    return await ftp.request(`EPRT ${eprtArgument(ip, port)}`);
  } catch (err) {
    if (!(err instanceof FTPError) || err.code < 500 || !isIPv4(unmapped(ip))) throw err;
    return ftp.request(`PORT ${portArgument(ip, port)}`);
  }
}

/** Holds the control connection's replies until the server's data connection is accepted, or the time is up. */
function awaitServer(ftp: FTPContext, listener: Server, peer: string, timeoutMs: number): void {
  const control = ftp.socket;
  const port = (listener.address() as { port: number }).port;
  control.pause();
  const done = () => {
    clearTimeout(timer);
    listener.off("connection", onConnection);
    listener.off("error", onError);
    control.off("close", done);
    listener.close();
  };
  const onConnection = (socket: Socket) => {
    if (unmapped(socket.remoteAddress ?? "") !== peer) {
      socket.destroy();
      return;
    }
    done();
    useDataSocket(ftp, socket);
    control.resume();
  };
  const onError = (err: Error) => {
    done();
    ftp.closeWithError(new RetryableError(`the active-mode data listener failed: ${err.message}`, { cause: err, context: { peer, port } }));
  };
  const timer = setTimeout(() => {
    done();
    ftp.closeWithError(
      new RetryableError(
        `the FTP server did not open the active-mode data connection within ${timeoutMs} ms (it must reach the worker's address; see \`dataConnection\`)`,
        { context: { peer, port } },
      ),
    );
  }, timeoutMs);
  listener.on("connection", onConnection);
  listener.on("error", onError);
  control.once("close", done);
}

/** A listener on `ip`: port 0 (any free one), or the first free port of `ports`. */
async function listen(ip: string, ports: ActiveModeOptions["ports"]): Promise<Server> {
  const candidates = ports === undefined ? [0] : Array.from({ length: ports.max - ports.min + 1 }, (_, i) => ports.min + i);
  let lastError: unknown;
  for (const port of candidates) {
    const server = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen({ host: ip, port, exclusive: true }, () => {
          server.off("error", reject);
          resolve();
        });
      });
      return server;
    } catch (err) {
      lastError = err;
      if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    }
  }
  throw new RetryableError(`no free port for an active-mode data connection in ${ports?.min}-${ports?.max}: widen the range`, {
    cause: lastError,
    context: { address: ip },
  });
}

const unmapped = (ip: string) => ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");

function checkedPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`not a TCP port: ${port}`);
  return port;
}
