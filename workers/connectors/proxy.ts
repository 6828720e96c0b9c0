/**
 * A TCP connection to `host:port` through a binding's `proxy`: SOCKS5 (the `socks` package) or HTTP
 * `CONNECT` (RFC 9110 §9.3.6, a few lines: one request, one status line). SFTP hands the socket to ssh2
 * as `sock`; FTP opens its control and data connections through it. Many partners allow-list one source
 * address; the proxy (or a NAT gateway, docs/connectors.md) is that address.
 */
import { connect as tcpConnect, type Socket } from "node:net";

import type { SftpOutputBinding } from "../../catalog/contract";
import { PermanentError, RetryableError } from "../errors";

export type ProxySettings = NonNullable<SftpOutputBinding["proxy"]>;

export interface ProxyLogin {
  readonly username?: string;
  readonly password?: string;
}

/** Bytes of a CONNECT response head read at most before giving up on the proxy. */
const MAX_CONNECT_HEAD = 16 * 1024;

/** Opens a tunnel to `host:port` through the proxy; rejects with a typed error naming the proxy, never its password. */
export async function connectThroughProxy(
  proxy: ProxySettings,
  login: ProxyLogin,
  host: string,
  port: number,
  timeoutMs: number,
): Promise<Socket> {
  const via = `${proxy.type} proxy ${proxy.host}:${proxy.port}`;
  try {
    return proxy.type === "socks5"
      ? await socks5(proxy, login, host, port, timeoutMs)
      : await httpConnect(proxy, login, host, port, timeoutMs);
  } catch (err) {
    if (err instanceof PermanentError || err instanceof RetryableError) throw err;
    const message = (err as Error).message ?? String(err);
    // SOCKS5 reply 0x02 / authentication rejected; HTTP 407 is handled in httpConnect.
    if (/auth/i.test(message)) {
      throw new PermanentError(`${via} refused the login (check \`proxy.username\` and \`proxyPasswordSecret\`): ${message}`, {
        cause: err,
        context: { proxy: `${proxy.host}:${proxy.port}` },
      });
    }
    throw new RetryableError(`connecting to ${host}:${port} through the ${via} failed: ${message}`, {
      cause: err,
      context: { proxy: `${proxy.host}:${proxy.port}` },
    });
  }
}

async function socks5(proxy: ProxySettings, login: ProxyLogin, host: string, port: number, timeoutMs: number): Promise<Socket> {
  // Loaded on first use: only bindings with a SOCKS5 proxy need it.
  const { SocksClient } = await import("socks");
  const { socket } = await SocksClient.createConnection({
    command: "connect",
    destination: { host, port },
    proxy: { host: proxy.host, port: proxy.port, type: 5, userId: login.username, password: login.password },
    timeout: timeoutMs,
  });
  return socket;
}

function httpConnect(proxy: ProxySettings, login: ProxyLogin, host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const socket = tcpConnect({ host: proxy.host, port: proxy.port });
    const authority = host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
    let head = Buffer.alloc(0);
    const fail = (err: Error) => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`no CONNECT response within ${timeoutMs} ms`)), timeoutMs);
    // Paused mode (`readable` + `read`), not a `data` listener: the bytes after the response head are
    // the tunnel's first bytes (an SSH banner) and must wait in the stream for its consumer.
    const onReadable = () => {
      for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) {
          if (head.length > MAX_CONNECT_HEAD) return fail(new Error("the CONNECT response head is too long"));
          continue;
        }
        const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString("latin1"));
        const code = status ? Number(status[1]) : 0;
        if (code === 407) return fail(new Error("authentication required (HTTP 407)"));
        if (code < 200 || code > 299) return fail(new Error(`CONNECT answered ${status ? `HTTP ${code}` : "without an HTTP status line"}`));
        cleanup();
        const rest = head.subarray(end + 4);
        if (rest.length > 0) socket.unshift(rest);
        return resolve(socket);
      }
    };
    const onError = (err: Error) => fail(err);
    const onClose = () => fail(new Error("the proxy closed the connection before answering CONNECT"));
    function cleanup() {
      clearTimeout(timer);
      socket.off("readable", onReadable);
      socket.off("error", onError);
      socket.off("close", onClose);
    }
    socket.on("readable", onReadable);
    socket.once("error", onError);
    socket.once("close", onClose);
    socket.once("connect", () => {
      const auth =
        login.username === undefined
          ? ""
          : `Proxy-Authorization: Basic ${Buffer.from(`${login.username}:${login.password ?? ""}`).toString("base64")}\r\n`;
      socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`);
    });
  });
}
