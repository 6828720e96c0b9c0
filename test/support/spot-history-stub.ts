/**
 * moto server does not implement EC2's `DescribeSpotFleetRequestHistory` (it answers an HTML 500).
 * This loopback proxy sits in front of moto: it answers that one action from `records` (filtered by
 * the request's `StartTime` and `EventType`, as EC2 does) in EC2's XML, records each such request,
 * and forwards everything else to moto unchanged. `withSpotFleetHistory` returns a `MotoServer`
 * pointed at the proxy, so tests and child processes use it as they would moto.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { MotoServer } from "./moto";
import { freePort } from "./ports";

export interface StubHistoryRecord {
  readonly fleetId: string;
  readonly timestamp: Date;
  readonly eventType: "instanceChange" | "fleetRequestChange" | "error" | "information";
  readonly subType: string;
  readonly instanceId?: string;
  readonly description?: string;
}

export interface SpotHistoryStub {
  /** The form parameters of every DescribeSpotFleetRequestHistory request answered. */
  readonly requests: Record<string, string>[];
  records: StubHistoryRecord[];
}

const xml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function historyResponse(params: Record<string, string>, records: readonly StubHistoryRecord[]): string {
  const fleetId = params.SpotFleetRequestId ?? "";
  const start = new Date(params.StartTime ?? 0);
  const items = records
    .filter((r) => r.fleetId === fleetId && r.timestamp >= start && (!params.EventType || r.eventType === params.EventType))
    .map(
      (r) =>
        `<item><timestamp>${r.timestamp.toISOString()}</timestamp><eventType>${r.eventType}</eventType><eventInformation>` +
        `${r.instanceId ? `<instanceId>${r.instanceId}</instanceId>` : ""}<eventSubType>${r.subType}</eventSubType>` +
        `${r.description ? `<eventDescription>${xml(r.description)}</eventDescription>` : ""}</eventInformation></item>`,
    )
    .join("");
  return (
    `<?xml version="1.0" encoding="UTF-8"?><DescribeSpotFleetRequestHistoryResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">` +
    `<requestId>stub</requestId><spotFleetRequestId>${xml(fleetId)}</spotFleetRequestId><startTime>${start.toISOString()}</startTime>` +
    `<lastEvaluatedTime>${new Date().toISOString()}</lastEvaluatedTime><historyRecordSet>${items}</historyRecordSet>` +
    `</DescribeSpotFleetRequestHistoryResponse>`
  );
}

export async function withSpotFleetHistory(
  moto: MotoServer,
  records: StubHistoryRecord[] = [],
): Promise<MotoServer & { spotHistory: SpotHistoryStub }> {
  const upstream = new URL(moto.endpoint);
  const stub: SpotHistoryStub = { requests: [], records };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const isForm = (req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
      const params = isForm ? Object.fromEntries(new URLSearchParams(body.toString("utf8"))) : {};
      if (params.Action === "DescribeSpotFleetRequestHistory") {
        stub.requests.push(params);
        res.writeHead(200, { "content-type": "text/xml;charset=UTF-8" });
        res.end(historyResponse(params, stub.records));
        return;
      }
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
      );
      forward.on("error", () => res.destroy());
      forward.end(body);
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    ...moto,
    endpoint,
    port,
    clientConfig: { ...moto.clientConfig, endpoint },
    env: { ...moto.env, AWS_ENDPOINT_URL: endpoint },
    spotHistory: stub,
    async stop() {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await moto.stop();
    },
  };
}
