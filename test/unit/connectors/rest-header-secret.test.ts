import assert from "node:assert/strict";
import { Readable } from "node:stream";
import pino from "pino";
import { bindingSecrets } from "../../../workers/connectors/binding-secrets";
import { createRestConnector } from "../../../workers/connectors/rest";
import { ConfigError } from "../../../workers/errors";
import type { SecretResolver } from "../../../workers/secrets/resolver";

describe("connectors/rest: a re-read authSecret is checked as a header value", () => {
  it("fails a delivery with a ConfigError naming the field, not the value, when the rotated secret holds a line break", async () => {
    let value = "good-key";
    const resolver: SecretResolver = {
      resolve: async () => value,
      refresh: async () => value,
    };
    const binding = { type: "rest" as const, url: "https://api.example/in", authSecret: "env:API_KEY" };
    const secrets = await bindingSecrets(binding, resolver);
    let requests = 0;
    const fakeFetch = (async () => {
      requests++;
      value = "rotated\nX-Injected: 1"; // the secret store now holds a broken value
      return new Response("expired", { status: 401 });
    }) as unknown as typeof fetch;
    const connector = createRestConnector(binding, {
      logger: pino({ level: "silent" }),
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
      secrets,
      fetch: fakeFetch,
      env: {},
    });
    const controller = new AbortController();
    await assert.rejects(
      connector.deliver({ name: "a.json", open: () => Readable.from(["{}"]), idempotencyKey: "k", signal: controller.signal }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /`authSecret` \(env:API_KEY\) holds a line break/.test(err.message) &&
        !err.message.includes("X-Injected"),
    );
    assert.equal(requests, 1);
  });
});
