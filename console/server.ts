/**
 * The console's HTTP server (node:http): one static page and a JSON API.
 *
 *   GET  /                         the page (plain HTML/JS/CSS from `console/static/`, no build step)
 *   GET  /api/config               cluster, region, read-only or not, refresh interval
 *   GET  /api/overview             the `Snapshot`
 *   GET  /api/services/<name>      the `ServiceDetail`
 *   POST /api/actions/<action>     `{ confirm: true, ...target }` → `ActionResult`
 *
 * Loopback by default. Beyond loopback a bearer token is required (validated before listening).
 * On loopback without a token, the Host header must be a loopback name (DNS rebinding), and actions
 * must be `application/json` POSTs, which a foreign page cannot send without a CORS preflight.
 */
import { timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { join } from "node:path";
import { ActionLog, Actions, parseActionRequest, stderrLog } from "./actions";
import { ConsoleClients } from "./aws/clients";
import { Collector } from "./collect";
import { ActionFailedError, ActionRefusedError, describeAwsError, NotFoundError, UsageError } from "./errors";
import { Snapshot } from "./types";

export interface ConsoleServerOptions {
  /** ECS cluster name or ARN. */
  readonly cluster: string;
  /** Region, for display and log links. */
  readonly region: string;
  /** Interface to listen on. @default "127.0.0.1" */
  readonly host?: string;
  /** TCP port; 0 picks a free one. @default 8787 */
  readonly port?: number;
  /** Bearer token the API requires; mandatory when `host` is not loopback. @default none */
  readonly token?: string;
  /** Enable actions (`--allow-actions`). @default false (read-only) */
  readonly allowActions?: boolean;
  /** How often the page refreshes itself, seconds. @default 10 */
  readonly refreshSeconds?: number;
  /** Spot Fleet ids to show in the cluster panel. @default found through the cluster's instances */
  readonly fleetIds?: readonly string[];
  /** The cluster's container log group, for log links. @default found in the log collector's task definition */
  readonly logGroup?: string;
  /** The stack's CloudWatch dashboard, for a link. @default the first dashboard whose name starts with the cluster's name */
  readonly dashboard?: string;
  /** @default JSON lines on stderr */
  readonly log?: ActionLog;
}

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 8787;
export const DEFAULT_REFRESH_SECONDS = 10;
/** Shortest accepted token: a guessable token is no protection. */
export const MIN_TOKEN_LENGTH = 16;
/** Concurrent overview requests within this window share one collection. */
const SNAPSHOT_REUSE_MS = 2_000;
const MAX_BODY_BYTES = 64 * 1024;

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Checks the options before anything listens; the error names the flag, the value and the fix. */
export function validateServerOptions(options: ConsoleServerOptions): void {
  const host = options.host ?? DEFAULT_HOST;
  const port = options.port ?? DEFAULT_PORT;
  if (!options.cluster) throw new UsageError("`--cluster` is required: the ECS cluster name (or set JOBWORKER_CLUSTER)");
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`\`--port\` must be an integer from 0 to 65535, got ${port}`);
  const refresh = options.refreshSeconds ?? DEFAULT_REFRESH_SECONDS;
  if (!Number.isFinite(refresh) || refresh < 1) throw new UsageError(`\`--refresh\` must be at least 1 second, got ${refresh}`);
  if (options.token !== undefined && options.token.length < MIN_TOKEN_LENGTH) {
    throw new UsageError(
      `\`--token\` must be at least ${MIN_TOKEN_LENGTH} characters, got ${options.token.length}; generate one with \`openssl rand -hex 24\``,
    );
  }
  if (!isLoopback(host) && options.token === undefined) {
    throw new UsageError(
      `\`--host\` ${host} is beyond loopback, so a token is required: pass \`--token <secret>\` or set JOBWORKER_CONSOLE_TOKEN (e.g. \`openssl rand -hex 24\`), or listen on 127.0.0.1`,
    );
  }
}

const STATIC_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/app.css": { file: "app.css", type: "text/css; charset=utf-8" },
  "/sparkline.js": { file: "sparkline.js", type: "text/javascript; charset=utf-8" },
};

const SECURITY_HEADERS = {
  "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Cache-Control": "no-store",
};

export interface RunningConsole {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

export async function startConsoleServer(clients: ConsoleClients, options: ConsoleServerOptions): Promise<RunningConsole> {
  validateServerOptions(options);
  const host = options.host ?? DEFAULT_HOST;
  const log = options.log ?? stderrLog;
  const collector = new Collector(clients, {
    cluster: options.cluster,
    region: options.region,
    ...(options.fleetIds ? { fleetIds: options.fleetIds } : {}),
    ...(options.logGroup ? { logGroup: options.logGroup } : {}),
    ...(options.dashboard ? { dashboard: options.dashboard } : {}),
  });
  const actions = new Actions(clients, collector, { allowActions: options.allowActions ?? false, log });
  const statics = new Map(
    Object.entries(STATIC_FILES).map(([path, { file, type }]) => [path, { body: readFileSync(join(__dirname, "static", file)), type }]),
  );
  const token = options.token === undefined ? undefined : Buffer.from(options.token);
  let port = 0;

  let cached: { at: number; snapshot: Promise<Snapshot> } | undefined;
  const overview = (): Promise<Snapshot> => {
    if (!cached || Date.now() - cached.at > SNAPSHOT_REUSE_MS) {
      const snapshot = collector.snapshot();
      cached = { at: Date.now(), snapshot };
      snapshot.catch(() => (cached = undefined));
    }
    return cached.snapshot;
  };

  const authorized = (req: IncomingMessage): boolean => {
    if (!token) return true;
    const header = req.headers.authorization ?? "";
    const given = Buffer.from(header.startsWith("Bearer ") ? header.slice(7) : "");
    return given.length === token.length && timingSafeEqual(given, token);
  };
  const hostAllowed = (req: IncomingMessage): boolean => {
    if (token || !isLoopback(host)) return true;
    const name = (req.headers.host ?? "").replace(/:\d+$/, "");
    return isLoopback(name);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://console.invalid");
    const path = url.pathname;
    if (!hostAllowed(req))
      return send(res, 403, {
        error: `Host \`${req.headers.host}\` is not a loopback name; open the console at http://127.0.0.1:${port}/`,
      });
    const foreign = foreignRequest(req);
    if (foreign) return send(res, 403, { error: foreign });
    const file = statics.get(path);
    if (req.method === "GET" && file) {
      res.writeHead(200, { ...SECURITY_HEADERS, "Content-Type": file.type });
      res.end(file.body);
      return;
    }
    if (!path.startsWith("/api/")) return send(res, 404, { error: `no such page: ${path}` });
    if (!authorized(req))
      return send(res, 401, { error: "a valid token is required: open the URL printed by `jobworker console` (it carries ?token=)" });

    if (req.method === "GET" && path === "/api/config") {
      return send(res, 200, {
        cluster: options.cluster,
        region: options.region,
        readOnly: !actions.allowActions,
        ...(actions.allowActions
          ? {}
          : { enableActions: "restart the console with --allow-actions (and a role with the actions policy, docs/console.md)" }),
        refreshSeconds: options.refreshSeconds ?? DEFAULT_REFRESH_SECONDS,
      });
    }
    if (req.method === "GET" && path === "/api/overview") return send(res, 200, await overview());
    const service = /^\/api\/services\/([^/]+)$/.exec(path);
    if (req.method === "GET" && service) return send(res, 200, await collector.serviceDetail(decodeURIComponent(service[1] as string)));
    const action = /^\/api\/actions\/([a-z-]+)$/.exec(path);
    if (action) {
      if (req.method !== "POST") return send(res, 405, { error: "actions are POST requests" });
      if (!(req.headers["content-type"] ?? "").startsWith("application/json")) {
        return send(res, 415, { error: "actions take a JSON body (Content-Type: application/json)" });
      }
      const request = parseActionRequest(action[1] as string, await readJson(req));
      const result = await actions.run(request, req.socket.remoteAddress ?? "unknown");
      cached = undefined;
      return send(res, 200, result);
    }
    return send(res, 404, { error: `no such API: ${req.method} ${path}` });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof ActionRefusedError) return send(res, err.status, { error: err.message, name: err.name });
      if (err instanceof NotFoundError) return send(res, 404, { error: err.message, name: err.name });
      if (err instanceof ActionFailedError) return send(res, 502, { error: err.message, name: err.name, ...describeAwsError(err.cause) });
      const aws = describeAwsError(err);
      log({ event: "console-error", path: req.url, error: aws.message, code: aws.code });
      return send(res, aws.throttled ? 503 : 500, { error: aws.message, name: aws.code, throttled: aws.throttled });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Methods that change nothing; every other method must come from the console's own page. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Why a state-changing request is refused as cross-origin, or undefined when it may proceed. A
 * browser names the page that sent a request in `Origin` (on every non-GET fetch) and, in
 * `Sec-Fetch-Site`, how it relates to the target; the console's page is same-origin, so a foreign
 * `Origin` (or "null") or `Sec-Fetch-Site: cross-site` is another site's page riding on the
 * operator's browser. Checked before anything else, so no AWS call is ever made for one.
 * Clients that are not browsers (curl, scripts) send neither and pass.
 */
export function foreignRequest(req: Pick<IncomingMessage, "method" | "headers">): string | undefined {
  if (SAFE_METHODS.has(req.method ?? "GET")) return undefined;
  const site = req.headers["sec-fetch-site"];
  if (site === "cross-site") return "cross-site request refused (Sec-Fetch-Site: cross-site): actions come from the console's own page";
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  const own = `http://${req.headers.host ?? ""}`;
  // https: the same host behind a TLS-terminating proxy is still the console's own page.
  if (![own, own.replace(/^http:/, "https:")].some((o) => o.toLowerCase() === origin.toLowerCase())) {
    return `request from origin \`${origin}\` refused: actions come from the console's own page (${own})`;
  }
  return undefined;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { ...SECURITY_HEADERS, "Content-Type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ActionRefusedError(`request body is over ${MAX_BODY_BYTES} bytes`, 400);
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return text ? JSON.parse(text) : {};
  } catch (err) {
    throw new ActionRefusedError(`request body is not JSON: ${(err as Error).message}`, 400);
  }
}
