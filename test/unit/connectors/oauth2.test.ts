import assert from "node:assert/strict";
import { fixedSecrets } from "../../../workers/connectors/binding-secrets";
import { createOAuth2TokenSource, OAUTH2_DEFAULTS } from "../../../workers/connectors/oauth2";
import { PermanentError, RetryableError } from "../../../workers/errors";

describe("OAuth2 client credentials token source", () => {
  function setup(answer: (n: number) => { status: number; body: unknown }) {
    let now = 0;
    let requests = 0;
    const fakeFetch = (async () => {
      const { status, body } = answer(++requests);
      return new Response(typeof body === "string" ? body : JSON.stringify(body), { status });
    }) as unknown as typeof fetch;
    const source = createOAuth2TokenSource(
      { tokenUrl: "https://auth.example/oauth/token" },
      { secrets: fixedSecrets({ oauth2ClientIdSecret: "id", oauth2ClientSecret: "secret" }), fetch: fakeFetch, now: () => now },
    );
    return { source, requests: () => requests, advance: (ms: number) => (now += ms) };
  }
  const signal = new AbortController().signal;
  const token = (n: number, expiresIn?: number) => ({ status: 200, body: { access_token: `t${n}`, expires_in: expiresIn } });

  const lifetimes: Array<[string, number | undefined, number]> = [
    ["expires_in minus the margin", 3600, 3600_000 - OAUTH2_DEFAULTS.expiryMarginMs],
    ["half its life when that is shorter than the margin", 60, 30_000],
    [
      "the default lifetime when expires_in is absent",
      undefined,
      OAUTH2_DEFAULTS.defaultExpiresInSeconds * 1000 - OAUTH2_DEFAULTS.expiryMarginMs,
    ],
  ];
  for (const [what, expiresIn, reuseMs] of lifetimes) {
    it(`reuses a token for ${what}, then fetches a new one`, async () => {
      const { source, requests, advance } = setup((n) => token(n, expiresIn));
      assert.equal(await source.token(signal), "t1");
      advance(reuseMs - 1);
      assert.equal(await source.token(signal), "t1");
      assert.equal(requests(), 1);
      advance(1);
      assert.equal(await source.token(signal), "t2");
      assert.equal(requests(), 2);
    });
  }

  it("shares one token request among concurrent callers, and fetches again after invalidate", async () => {
    const { source, requests } = setup((n) => token(n, 3600));
    assert.deepEqual(await Promise.all([source.token(signal), source.token(signal), source.token(signal)]), ["t1", "t1", "t1"]);
    assert.equal(requests(), 1);
    source.invalidate();
    assert.equal(await source.token(signal), "t2");
  });

  const failures: Array<[string, { status: number; body: unknown }, typeof RetryableError | typeof PermanentError, RegExp]> = [
    [
      "a refused client",
      { status: 401, body: '{"error":"invalid_client"}' },
      PermanentError,
      /HTTP 401.*`oauth2ClientSecret`.*invalid_client/,
    ],
    ["a server error", { status: 503, body: "down" }, RetryableError, /HTTP 503/],
    ["a response without access_token", { status: 200, body: { token_type: "Bearer" } }, PermanentError, /without `access_token`/],
    ["a response that is not JSON", { status: 200, body: "<html>" }, PermanentError, /no JSON/],
    [
      "a token an HTTP header cannot carry (never shown)",
      { status: 200, body: { access_token: "tok\r\nX-Injected: 1" } },
      PermanentError,
      /unusable token: `access_token` \(https:\/\/auth\.example\/oauth\/token\) holds a line break at character 4(?!.*X-Injected)/,
    ],
  ];
  for (const [what, answer, type, message] of failures) {
    it(`fails with a ${type.name} on ${what}`, async () => {
      const { source } = setup(() => answer);
      await assert.rejects(source.token(signal), (err: unknown) => err instanceof type && message.test((err as Error).message));
    });
  }
});
