/**
 * The HTTP dispatcher a `rest` binding's requests (and its OAuth2 token requests) go through: undici's
 * `EnvHttpProxyAgent`, so `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` are honoured (Node's global fetch
 * ignores them unless `NODE_USE_ENV_PROXY` is set), with the binding's TLS settings (client certificate
 * for mutual TLS, a private CA) applied to the target whether it is reached directly (`connect`) or
 * through a proxy tunnel (`requestTls`).
 */
import type { Dispatcher } from "undici";

/** TLS settings of a binding, resolved (PEM text). */
export interface ClientTls {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** The proxy environment variables read, lower-case first as curl does. */
export interface ProxyEnv {
  readonly httpProxy?: string;
  readonly httpsProxy?: string;
  readonly noProxy?: string;
}

/** Reads `https_proxy`/`HTTPS_PROXY`, `http_proxy`/`HTTP_PROXY`, `no_proxy`/`NO_PROXY`. */
export function proxyEnvOf(env: Readonly<Record<string, string | undefined>>): ProxyEnv {
  const first = (...names: string[]) => names.map((n) => env[n]).find((v) => v !== undefined && v !== "");
  return {
    httpProxy: first("http_proxy", "HTTP_PROXY"),
    httpsProxy: first("https_proxy", "HTTPS_PROXY"),
    noProxy: first("no_proxy", "NO_PROXY"),
  };
}

/** Loads undici on first use: a worker without a `rest` binding never pays its memory (about 10 MiB of RSS). */
export async function createHttpDispatcher(proxy: ProxyEnv, tls: ClientTls): Promise<Dispatcher> {
  const { EnvHttpProxyAgent } = await import("undici");
  const tlsOptions = Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined));
  return new EnvHttpProxyAgent({
    // "" (not undefined) keeps undici from reading process.env behind the caller's back.
    httpProxy: proxy.httpProxy ?? "",
    httpsProxy: proxy.httpsProxy ?? "",
    noProxy: proxy.noProxy ?? "",
    connect: tlsOptions,
    requestTls: tlsOptions,
  });
}
