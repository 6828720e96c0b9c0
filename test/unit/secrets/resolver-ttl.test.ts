import assert from "node:assert/strict";
import { createSecretResolver, SECRET_TTL_MS } from "../../../workers/secrets";
import { ConfigError } from "../../../workers/errors";

describe("secret resolver: a cache with a TTL, and refresh", () => {
  function setup(ttlMs?: number) {
    const env: Record<string, string> = { TOKEN: "v1" };
    let now = 1_000_000;
    const r = createSecretResolver({ env, ttlMs, now: () => now });
    return { env, r, advance: (ms: number) => (now += ms) };
  }

  it("keeps a value for 5 minutes by default, then reads the source again", async () => {
    assert.equal(SECRET_TTL_MS, 300_000);
    const { env, r, advance } = setup();
    assert.equal(await r.resolve("env:TOKEN"), "v1");
    env.TOKEN = "v2";
    advance(SECRET_TTL_MS - 1);
    assert.equal(await r.resolve("env:TOKEN"), "v1", "cached within the TTL");
    advance(1);
    assert.equal(await r.resolve("env:TOKEN"), "v2", "read again once the TTL is over");
  });

  it("honours a configured TTL, 0 meaning every time", async () => {
    const { env, r } = setup(0);
    assert.equal(await r.resolve("env:TOKEN"), "v1");
    env.TOKEN = "v2";
    assert.equal(await r.resolve("env:TOKEN"), "v2");
  });

  it("refresh reads the source at once and the cache then serves the new value", async () => {
    const { env, r } = setup();
    assert.equal(await r.resolve("env:TOKEN"), "v1");
    env.TOKEN = "v2";
    assert.equal(await r.refresh!("env:TOKEN"), "v2");
    assert.equal(await r.resolve("env:TOKEN"), "v2");
  });

  it("does not cache a failed refresh: the next read tries the source again", async () => {
    const { env, r } = setup();
    await r.resolve("env:TOKEN");
    delete (env as Partial<Record<string, string>>).TOKEN;
    await assert.rejects(r.refresh!("env:TOKEN"), ConfigError);
    env.TOKEN = "v3";
    assert.equal(await r.resolve("env:TOKEN"), "v3");
  });

  it("rejects a negative TTL naming it", () => {
    assert.throws(() => createSecretResolver({ ttlMs: -1 }), /`ttlMs` is -1/);
  });
});
