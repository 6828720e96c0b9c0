/**
 * A loopback HTTP proxy that fails a deterministic share of requests before they reach its upstream
 * (moto server): every `failEvery`-th request is answered 503 (SlowDown / ServiceUnavailable), and
 * every `resetEvery`-th has its connection reset. Lets tests prove that transient AWS errors are
 * retried and nothing is lost. Counts are exposed so a test can assert faults were really injected.
 */
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { freePort } from "./ports";

export interface FaultProxy {
  readonly endpoint: string;
  /** `log` holds the first 1000 requests (method, path, headers), for tests that assert what was (not) sent. */
  readonly stats: { requests: number; failed503: number; reset: number; truncated: number; log: RecordedRequest[] };
  stop(): Promise<void>;
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

export interface FaultProxyOptions {
  /** Answer every n-th request with 503. 0 disables. @default 4 */
  readonly failEvery?: number;
  /** Reset the connection of every n-th request. 0 disables. @default 7 */
  readonly resetEvery?: number;
  /**
   * Cut every response whose body is longer than this many bytes after this many bytes (the
   * connection is destroyed mid-body, as a network failure would). Undefined disables.
   */
  readonly truncateBodiesOver?: number;
}

export async function startFaultProxy(upstream: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const failEvery = options.failEvery ?? 4;
  const resetEvery = options.resetEvery ?? 7;
  const target = new URL(upstream);
  const stats = { requests: 0, failed503: 0, reset: 0, truncated: 0, log: [] as RecordedRequest[] };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const n = ++stats.requests;
    if (stats.log.length < 1000) stats.log.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    if (resetEvery > 0 && n % resetEvery === 0) {
      stats.reset++;
      req.resume();
      req.socket.destroy();
      return;
    }
    if (failEvery > 0 && n % failEvery === 0) {
      stats.failed503++;
      req.resume();
      // S3 speaks XML, SQS (JSON protocol) reads the x-amzn-query-error / __type; both treat 503 as retryable.
      res.writeHead(503, { "content-type": "application/xml", "x-amzn-query-error": "ServiceUnavailable;Receiver" });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>injected fault ${n}</Message></Error>`);
      return;
    }
    const upstreamReq = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        const cut = options.truncateBodiesOver;
        if (cut === undefined || Number(upstreamRes.headers["content-length"] ?? 0) <= cut) {
          upstreamRes.pipe(res);
          return;
        }
        stats.truncated++;
        let sent = 0;
        upstreamRes.on("data", (chunk: Buffer) => {
          if (sent >= cut) return;
          const part = chunk.subarray(0, cut - sent);
          sent += part.length;
          res.write(part);
          if (sent >= cut) {
            upstreamRes.destroy();
            res.socket?.destroy();
          }
        });
      },
    );
    upstreamReq.on("error", () => res.destroy());
    req.pipe(upstreamReq);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
