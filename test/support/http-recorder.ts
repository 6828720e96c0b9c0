/**
 * A real Node HTTP server on a free loopback port that records every request (method, path,
 * headers, body) and answers from a script: the test decides, per request, the status, headers and
 * body, or to hang (never answer) to exercise client timeouts. With `tls`, it is an HTTPS server
 * (e.g. one that requires a client certificate) and records the client certificate's subject.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type ServerOptions as HttpsOptions } from "node:https";
import type { TLSSocket } from "node:tls";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The client certificate's CN (HTTPS with `requestCert` only). */
  readonly clientCn?: string;
}

export interface ScriptedResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** Decides the answer to request number `index` (0-based); "hang" keeps the request open. */
export type Responder = (req: RecordedRequest, index: number) => ScriptedResponse | "hang";

export interface HttpRecorder {
  /** `http://127.0.0.1:<port>` (`https://` with `tls`) */
  readonly url: string;
  readonly port: number;
  /** TCP connections accepted. */
  readonly connections: () => number;
  readonly requests: RecordedRequest[];
  /** Replaces the responder (default: 200 for everything) and forgets recorded requests. */
  script(responder: Responder): void;
  stop(): Promise<void>;
}

export async function startHttpRecorder(tls?: HttpsOptions): Promise<HttpRecorder> {
  const requests: RecordedRequest[] = [];
  let responder: Responder = () => ({ status: 200, body: "ok" });
  const hanging = new Set<ServerResponse>();

  let connections = 0;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const peer = tls ? (req.socket as TLSSocket).getPeerCertificate() : undefined;
      const clientCn = peer?.subject?.CN as string | undefined;
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
        clientCn,
      };
      const index = requests.push(recorded) - 1;
      const answer = responder(recorded, index);
      if (answer === "hang") {
        hanging.add(res);
        res.once("close", () => hanging.delete(res));
        return;
      }
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? "");
    });
  };
  const server = tls ? createHttpsServer(tls, handler) : createServer(handler);
  server.on("connection", () => connections++);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    port,
    connections: () => connections,
    requests,
    script(next) {
      responder = next;
      requests.length = 0;
    },
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
