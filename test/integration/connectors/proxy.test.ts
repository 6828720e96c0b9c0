import assert from "node:assert/strict";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { connectThroughProxy } from "../../../workers/connectors/proxy";
import { PermanentError, RetryableError } from "../../../workers/errors";
import { waitFor } from "../../support/wait";

/** A proxy that answers CONNECT with `reply`; `client()` is its side of the tunnel, to send more bytes. */
async function scriptedProxy(reply: string) {
  const sockets = new Set<Socket>();
  let last: Socket | undefined;
  const server: Server = createServer((s) => {
    sockets.add(s);
    last = s;
    s.once("data", () => s.write(reply));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    client: () => last!,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe("connectThroughProxy (HTTP CONNECT)", () => {
  const through = (port: number) => connectThroughProxy({ type: "http", host: "127.0.0.1", port }, {}, "sftp.partner.example", 22, 2_000);

  it("keeps the tunnel's first bytes for a consumer that attaches later, whether they came with the 200 or after it", async () => {
    const proxy = await scriptedProxy("HTTP/1.1 200 Connection Established\r\n\r\nSSH-2.0-");
    try {
      const socket = await through(proxy.port);
      proxy.client().write("banner\r\n");
      // Until ssh2 attaches, the bytes must wait in the socket's buffer, not flow out to no one.
      await waitFor("the banner's bytes buffered in the tunnel", () => socket.readableLength >= "SSH-2.0-banner\r\n".length, {
        timeoutMs: 2_000,
        intervalMs: 10,
      });
      const chunks: string[] = [];
      socket.on("data", (d: Buffer) => chunks.push(d.toString()));
      await waitFor("the banner", () => chunks.join("") === "SSH-2.0-banner\r\n", { timeoutMs: 2_000, intervalMs: 10 });
      socket.destroy();
    } finally {
      await proxy.stop();
    }
  });

  const refusals: Array<[string, string, typeof PermanentError | typeof RetryableError]> = [
    ["refuses a 407 as a permanent login failure", "HTTP/1.1 407 Proxy Authentication Required\r\n\r\n", PermanentError],
    ["retries a 502", "HTTP/1.1 502 Bad Gateway\r\n\r\n", RetryableError],
  ];
  for (const [what, reply, type] of refusals) {
    it(what, async () => {
      const proxy = await scriptedProxy(reply);
      try {
        await assert.rejects(through(proxy.port), type);
      } finally {
        await proxy.stop();
      }
    });
  }
});
