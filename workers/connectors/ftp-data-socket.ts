/**
 * Hands a data connection to basic-ftp as its data socket, secured as basic-ftp secures its own
 * passive ones (`transfer.js`, `connectForPassiveTransfer`): over an FTPS control connection, TLS on
 * top with the control connection's options and its TLS session reused (servers check the reuse so
 * that no one else can take over the data port), the newest ticket kept for the next connection.
 */
import type { Socket } from "node:net";
import { connect as tlsConnect, TLSSocket } from "node:tls";
import type { FTPContext } from "basic-ftp";

export function useDataSocket(ftp: FTPContext, raw: Socket): void {
  if (!(ftp.socket instanceof TLSSocket)) {
    ftp.dataSocket = raw;
    return;
  }
  const secured = tlsConnect({ ...ftp.tlsOptions, socket: raw, session: ftp.tlsSessionStore ?? ftp.socket.getSession() });
  // TLS 1.3 tickets are single-use: keep the newest for the next data connection.
  secured.on("session", (session: Buffer) => (ftp.tlsSessionStore = session));
  ftp.dataSocket = secured;
}
