/**
 * A small HTTP CONNECT proxy on a free loopback port (RFC 9110 §9.3.6) that records every tunnel it
 * opens (the `host:port` asked for and the `Proxy-Authorization` sent), and optionally requires a
 * Basic login (407 otherwise). Enough for tests that a client goes through a proxy, or does not.
 */
import { createServer, connect, type AddressInfo, type Socket } from "node:net";

export interface ProxyTunnel {
  readonly target: string;
  readonly proxyAuthorization?: string;
}

export interface ConnectProxy {
  readonly host: "127.0.0.1";
  readonly port: number;
  /** `http://127.0.0.1:<port>`: an `HTTPS_PROXY` value. */
  readonly url: string;
  /** Tunnels opened (refused ones excluded), in order. */
  readonly tunnels: ProxyTunnel[];
  stop(): Promise<void>;
}

export async function startConnectProxy(options: { login?: { username: string; password: string } } = {}): Promise<ConnectProxy> {
  const tunnels: ProxyTunnel[] = [];
  const sockets = new Set<Socket>();
  const expected = options.login
    ? `Basic ${Buffer.from(`${options.login.username}:${options.login.password}`).toString("base64")}`
    : undefined;
  const server = createServer((client) => {
    sockets.add(client);
    client.once("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      client.off("data", onData);
      const lines = head.subarray(0, end).toString("latin1").split("\r\n");
      const [method, target] = lines[0]!.split(" ");
      const auth = lines.find((l) => /^proxy-authorization:/i.test(l))?.replace(/^[^:]+:\s*/, "");
      if (method !== "CONNECT" || !target) return void client.end("HTTP/1.1 405 Method Not Allowed\r\n\r\n");
      if (expected !== undefined && auth !== expected) return void client.end("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
      const colon = target.lastIndexOf(":");
      const upstream = connect(Number(target.slice(colon + 1)), target.slice(0, colon).replace(/^\[|\]$/g, ""));
      sockets.add(upstream);
      upstream.once("close", () => sockets.delete(upstream));
      upstream.once("connect", () => {
        tunnels.push({ target, proxyAuthorization: auth });
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        const rest = head.subarray(end + 4);
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream).pipe(client);
      });
      upstream.once("error", () => client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n"));
    };
    client.on("data", onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: "127.0.0.1",
    port,
    url: `http://127.0.0.1:${port}`,
    tunnels,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
