/**
 * FTP through a SOCKS5 or HTTP CONNECT proxy (`proxy` on an `ftp` binding), with basic-ftp's public
 * hooks: the control connection is a tunnel handed to `ftp.socket` (TLS on top for implicit FTPS,
 * `AUTH TLS` after the greeting for explicit), and `prepareTransfer` opens each passive data
 * connection through a tunnel too, to the port `EPSV` names on the control connection's host (the
 * address a `PASV` reply names is ignored: behind NAT it is often private, and using it would allow an
 * FTP bounce). TLS data connections reuse the control connection's session, as basic-ftp's own do.
 */
import { connect as tlsConnect, type ConnectionOptions } from "node:tls";
import { FTPError, type Client, type FTPContext, type FTPResponse } from "basic-ftp";
import { useDataSocket } from "./ftp-data-socket";
import { connectThroughProxy, type ProxyLogin, type ProxySettings } from "./proxy";

export interface FtpProxyAccess {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | undefined;
  readonly secure: boolean | "implicit";
  /** TLS options (CA, client certificate); `host` is added for the certificate check. */
  readonly tls: ConnectionOptions | undefined;
  readonly proxy: ProxySettings;
  readonly login: ProxyLogin;
  readonly timeoutMs: number;
}

/** The port of an `EPSV` reply, `229 Entering Extended Passive Mode (|||6446|)` (RFC 2428). */
export function epsvPort(message: string): number {
  const port = Number(/\(([!-~])\1\1(\d+)\1\)/.exec(message)?.[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`cannot read the port of the EPSV reply: ${message}`);
  return port;
}

/** Connects, secures and logs in `client` through the proxy, as `client.access` does directly. */
export async function accessThroughProxy(client: Client, a: FtpProxyAccess): Promise<void> {
  const tls: ConnectionOptions = { ...a.tls, host: a.host };
  const raw = await connectThroughProxy(a.proxy, a.login, a.host, a.port, a.timeoutMs);
  client.ftp.socket = a.secure === "implicit" ? tlsConnect({ ...tls, socket: raw }) : raw;
  // The socket setter resets the TLS options data connections use; implicit TLS needs them back.
  if (a.secure === "implicit") client.ftp.tlsOptions = tls;
  await client.ftp.handle(undefined, (res, task) => {
    if (res instanceof Error) task.reject(res);
    else if (res.code >= 200 && res.code < 300) task.resolve(res);
    else task.reject(new FTPError(res));
  });
  if (a.secure === true) await client.useTLS(tls);
  await client.login(a.user, a.password);
  await client.useDefaultSettings();
  client.prepareTransfer = (ftp) => passiveThroughProxy(ftp, a);
}

async function passiveThroughProxy(ftp: FTPContext, a: FtpProxyAccess): Promise<FTPResponse> {
  const res = await ftp.request("EPSV");
  const raw = await connectThroughProxy(a.proxy, a.login, a.host, epsvPort(res.message), a.timeoutMs);
  useDataSocket(ftp, raw);
  return res;
}
