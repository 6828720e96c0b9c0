/**
 * OAuth2 client credentials grant (RFC 6749 §4.4) for `rest` bindings: one token, fetched on first
 * use, reused until `expires_in` minus a margin, fetched again after that or after the target
 * answered 401 (`invalidate`). Concurrent deliveries share one token request. The client
 * authenticates with HTTP Basic (RFC 6749 §2.3.1, which every server must support).
 */
import type { Dispatcher } from "undici";
import type { RestOutputBinding } from "../../catalog/contract";
import { PermanentError, RetryableError } from "../errors";
import { withDeadline } from "../runtime/deadline";
import type { BindingSecrets } from "./binding-secrets";
import { checkHeaderSecret } from "./header-secret";

export const OAUTH2_DEFAULTS = {
  /** A token is renewed this long before it expires, ms (or at half its life when that is shorter). */
  expiryMarginMs: 60_000,
  /** Lifetime assumed when the response has no `expires_in`, s. */
  defaultExpiresInSeconds: 300,
  /** Token request timeout, ms. */
  timeoutMs: 30_000,
} as const;

export interface OAuth2TokenSource {
  /** A valid access token: the cached one, or a fresh one. */
  token(signal: AbortSignal): Promise<string>;
  /** Forgets the cached token (the target refused it). */
  invalidate(): void;
}

export interface OAuth2Deps {
  readonly secrets: BindingSecrets;
  readonly fetch: typeof fetch;
  readonly dispatcher?: Dispatcher;
  /** Clock, ms. @default Date.now */
  readonly now?: () => number;
}

type OAuth2Settings = NonNullable<RestOutputBinding["oauth2"]>;

/** `application/x-www-form-urlencoded` encoding of client credentials for the Basic header (RFC 6749 §2.3.1). */
const formEncode = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");

export function createOAuth2TokenSource(settings: OAuth2Settings, deps: OAuth2Deps): OAuth2TokenSource {
  const now = deps.now ?? Date.now;
  const tokenUrl = new URL(settings.tokenUrl);
  const endpoint = `${tokenUrl.protocol}//${tokenUrl.host}${tokenUrl.pathname}`;
  let cached: { readonly token: string; readonly renewAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function request(signal: AbortSignal): Promise<string> {
    // A timer owned and cleared here (`deadline.ts`): it covers the request and reading the answer.
    const deadline = withDeadline(signal, OAUTH2_DEFAULTS.timeoutMs, `no token within ${OAUTH2_DEFAULTS.timeoutMs} ms`);
    try {
      return await requestOnce(deadline.signal);
    } finally {
      deadline.clear();
    }
  }

  async function requestOnce(signal: AbortSignal): Promise<string> {
    const [id, secret] = await Promise.all([deps.secrets.get("oauth2ClientIdSecret"), deps.secrets.get("oauth2ClientSecret")]);
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (settings.scope !== undefined) form.set("scope", settings.scope);
    if (settings.audience !== undefined) form.set("audience", settings.audience);
    const basic = Buffer.from(`${formEncode(id ?? "")}:${formEncode(secret ?? "")}`).toString("base64");
    let res: Response;
    try {
      res = await deps.fetch(tokenUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", authorization: `Basic ${basic}` },
        body: form.toString(),
        redirect: "manual",
        signal,
        dispatcher: deps.dispatcher,
      } as RequestInit);
    } catch (err) {
      throw new RetryableError(`OAuth2 token request to ${endpoint} failed: ${(err as Error).message}`, {
        cause: err,
        context: { target: endpoint },
      });
    }
    const text = await res.text();
    if (!res.ok) {
      // The body of an error (RFC 6749 §5.2) names the problem (`invalid_client`) and holds no token.
      const detail = text.slice(0, 200);
      const context = { target: endpoint, status: res.status };
      if (res.status === 429 || res.status >= 500)
        throw new RetryableError(`OAuth2 token endpoint answered HTTP ${res.status}: ${detail}`, { context });
      throw new PermanentError(
        `OAuth2 token endpoint answered HTTP ${res.status} (check \`oauth2ClientIdSecret\`, \`oauth2ClientSecret\`, \`oauth2.scope\`): ${detail}`,
        { context: { ...context, authFailure: res.status === 400 || res.status === 401 } },
      );
    }
    let body: { access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch (err) {
      throw new PermanentError(`OAuth2 token endpoint ${endpoint} answered with no JSON`, { cause: err, context: { target: endpoint } });
    }
    if (typeof body.access_token !== "string" || body.access_token === "") {
      throw new PermanentError(`OAuth2 token endpoint ${endpoint} answered without \`access_token\``, { context: { target: endpoint } });
    }
    // Sent as a header value (`Authorization: Bearer …`): a control character in it fails every request.
    try {
      checkHeaderSecret("access_token", endpoint, body.access_token);
    } catch (err) {
      throw new PermanentError(`OAuth2 token endpoint ${endpoint} answered with an unusable token: ${(err as Error).message}`, {
        cause: err,
        context: { target: endpoint },
      });
    }
    const lifeMs =
      (typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : OAUTH2_DEFAULTS.defaultExpiresInSeconds) * 1000;
    cached = { token: body.access_token, renewAt: now() + lifeMs - Math.min(OAUTH2_DEFAULTS.expiryMarginMs, lifeMs / 2) };
    return body.access_token;
  }

  return {
    token(signal) {
      if (cached && now() < cached.renewAt) return Promise.resolve(cached.token);
      if (!pending) {
        pending = request(signal);
        const clear = () => (pending = undefined);
        pending.then(clear, clear);
      }
      return pending;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
