/**
 * A loopback TCP proxy that can stall its open connections: after `stall()` it stops reading from
 * both sides and forwards nothing, while every socket stays open, as a firewall that silently drops
 * packets would. Connections made after the stall pass through normally. Used to prove a stalled
 * transfer (SFTP through sshd) ends on abort, on an idle timeout and on SSH keepalive.
 */
import { connect, createServer, type Socket } from "node:net";
import { freePort } from "./ports";

export interface StallProxy {
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: () => number;
  /** Stalls every connection open now; returns how many. */
  stall(): number;
  stop(): Promise<void>;
}

export async function startStallProxy(upstreamPort: number, upstreamHost = "127.0.0.1"): Promise<StallProxy> {
  const open = new Set<Socket>();
  const pairs: Array<{ client: Socket; upstream: Socket; stalled: boolean }> = [];
  let accepted = 0;
  const server = createServer((client) => {
    accepted++;
    const upstream = connect(upstreamPort, upstreamHost);
    const pair = { client, upstream, stalled: false };
    pairs.push(pair);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on("close", () => open.delete(s));
      s.on("error", () => s.destroy());
    }
    client.on("data", (d: Buffer) => pair.stalled || upstream.write(d));
    upstream.on("data", (d: Buffer) => pair.stalled || client.write(d));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    connections: () => accepted,
    stall() {
      let n = 0;
      for (const pair of pairs) {
        if (pair.stalled || pair.client.destroyed) continue;
        pair.stalled = true;
        // Stop reading: the client's writes pile up in the kernel buffers and then block.
        pair.client.pause();
        pair.upstream.pause();
        n++;
      }
      return n;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
