/**
 * A small SOCKS5 proxy (RFC 1928, CONNECT only; RFC 1929 username/password when `login` is given) on a
 * free loopback port that records the target of every connection it opens.
 */
import { createServer, connect, type AddressInfo, type Socket } from "node:net";

export interface Socks5Proxy {
  readonly host: "127.0.0.1";
  readonly port: number;
  /** `host:port` of each connection opened, in order. */
  readonly connections: string[];
  stop(): Promise<void>;
}

/** Reads exactly `n` bytes from a paused socket. */
function readBytes(socket: Socket, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tryRead = () => {
      const chunk = socket.read(n) as Buffer | null;
      if (chunk === null) return false;
      socket.off("readable", onReadable);
      socket.off("close", onClose);
      resolve(chunk);
      return true;
    };
    const onReadable = () => void tryRead();
    const onClose = () => reject(new Error("closed during the SOCKS5 handshake"));
    if (tryRead()) return;
    socket.on("readable", onReadable);
    socket.once("close", onClose);
  });
}

async function handshake(
  client: Socket,
  login: { username: string; password: string } | undefined,
): Promise<{ host: string; port: number }> {
  const [version, methodCount] = await readBytes(client, 2);
  if (version !== 5) throw new Error("not SOCKS5");
  const methods = [...(await readBytes(client, methodCount!))];
  const wanted = login ? 0x02 : 0x00;
  if (!methods.includes(wanted)) {
    client.end(Buffer.from([5, 0xff]));
    throw new Error("no acceptable method");
  }
  client.write(Buffer.from([5, wanted]));
  if (login) {
    const [, ulen] = await readBytes(client, 2);
    const username = (await readBytes(client, ulen!)).toString();
    const [plen] = await readBytes(client, 1);
    const password = (await readBytes(client, plen!)).toString();
    const ok = username === login.username && password === login.password;
    client.write(Buffer.from([1, ok ? 0 : 1]));
    if (!ok) {
      client.end();
      throw new Error("bad login");
    }
  }
  const [, command, , addressType] = await readBytes(client, 4);
  if (command !== 1) throw new Error("CONNECT only");
  let host: string;
  if (addressType === 1) host = [...(await readBytes(client, 4))].join(".");
  else if (addressType === 3) host = (await readBytes(client, (await readBytes(client, 1))[0]!)).toString();
  else throw new Error("IPv4 or domain addresses only");
  const port = (await readBytes(client, 2)).readUInt16BE(0);
  return { host, port };
}

export async function startSocks5Proxy(options: { login?: { username: string; password: string } } = {}): Promise<Socks5Proxy> {
  const connections: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer({ pauseOnConnect: true }, (client) => {
    sockets.add(client);
    client.once("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    handshake(client, options.login).then(
      ({ host, port }) => {
        const upstream = connect(port, host);
        sockets.add(upstream);
        upstream.once("close", () => sockets.delete(upstream));
        upstream.once("error", () => client.end(Buffer.from([5, 5, 0, 1, 0, 0, 0, 0, 0, 0])));
        upstream.once("connect", () => {
          connections.push(`${host}:${port}`);
          client.write(Buffer.from([5, 0, 0, 1, 127, 0, 0, 1, 0, 0]));
          client.pipe(upstream).pipe(client);
          client.resume();
        });
      },
      () => client.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    host: "127.0.0.1",
    port,
    connections,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
