import assert from "node:assert/strict";
import type { RestOutputBinding } from "../../../catalog/contract";
import { createConnector } from "../../../workers/connectors";
import { ConfigError, PermanentError, RetryableError } from "../../../workers/errors";
import { createSecretResolver } from "../../../workers/secrets";
import { startHttpRecorder, type HttpRecorder, type Responder } from "../../support/http-recorder";
import { bufferDelivery, FAST_RETRY, recordingLogger } from "./helpers";

describe("REST connector (recording HTTP server)", function () {
  let server: HttpRecorder;
  before(async () => (server = await startHttpRecorder()));
  after(async () => server?.stop());

  const secrets = createSecretResolver({ env: { API_TOKEN: "Bearer s3cret" } });
  async function connector(extra: Partial<RestOutputBinding> = {}, log = recordingLogger()) {
    const binding: RestOutputBinding = {
      type: "rest",
      url: `${server.url}/v1/orders?token=hidden`,
      authSecret: "env:API_TOKEN",
      timeoutSeconds: 1,
      ...extra,
    };
    return { c: await createConnector(binding, { s3: undefined as never, logger: log.logger, secrets, retry: FAST_RETRY }), log };
  }

  const payload = "a,b\n1,2\n";
  const cases: Array<{
    title: string;
    responder: Responder;
    outcome: "ok" | typeof RetryableError | typeof PermanentError;
    requests: number;
    minDurationMs?: number;
  }> = [
    { title: "delivers on the first 200", responder: () => ({ status: 201 }), outcome: "ok", requests: 1 },
    { title: "retries a 500 and then succeeds", responder: (_r, i) => ({ status: i === 0 ? 500 : 200 }), outcome: "ok", requests: 2 },
    {
      title: "waits the Retry-After of a 429 before the next attempt",
      responder: (_r, i) => (i === 0 ? { status: 429, headers: { "retry-after": "1" } } : { status: 200 }),
      outcome: "ok",
      requests: 2,
      minDurationMs: 1000,
    },
    {
      title: "times out a hanging server, and retries until the attempts run out",
      responder: () => "hang",
      outcome: RetryableError,
      requests: FAST_RETRY.maxAttempts,
      minDurationMs: FAST_RETRY.maxAttempts * 1000,
    },
    {
      title: "sends once more after a 401, with the secret re-read, and then gives up",
      responder: () => ({ status: 401, body: "bad token" }),
      outcome: PermanentError,
      requests: 2,
    },
    { title: "does not retry a 422", responder: () => ({ status: 422 }), outcome: PermanentError, requests: 1 },
    { title: "retries a 408", responder: (_r, i) => ({ status: i < 2 ? 408 : 204 }), outcome: "ok", requests: 3 },
  ];

  for (const tc of cases) {
    it(tc.title, async () => {
      server.script(tc.responder);
      const { c, log } = await connector();
      const started = Date.now();
      const delivery = bufferDelivery("orders.csv", payload, { idempotencyKey: "job-42/api", contentType: "text/csv" });
      const run = c.deliver(delivery);
      if (tc.outcome === "ok") {
        const result = await run;
        assert.equal(result.attempts, tc.requests);
        assert.equal(result.bytes, payload.length);
        assert.equal(result.target, `${server.url}/v1/orders`, "the target leaves out the query string");
        assert.equal(log.withMsg("delivered").length, 1);
      } else {
        await assert.rejects(run, tc.outcome);
        assert.equal(log.withMsg("delivery failed").length, 1);
        assert.equal(log.withMsg("delivery failed")[0]!.attempts, tc.requests);
      }
      if (tc.minDurationMs) assert.ok(Date.now() - started >= tc.minDurationMs - 50, `took ${Date.now() - started} ms`);
      assert.equal(server.requests.length, tc.requests);
      for (const req of server.requests) {
        assert.equal(req.method, "POST");
        assert.equal(req.url, "/v1/orders?token=hidden");
        assert.equal(req.headers["authorization"], "Bearer s3cret");
        assert.equal(req.headers["content-type"], "text/csv");
        assert.equal(req.headers["idempotency-key"], "job-42/api", "the same key on every attempt");
        assert.equal(req.body.toString(), payload);
        assert.equal(req.headers["content-length"], String(payload.length), "a known size is sent as Content-Length");
      }
    });
  }

  it("posts NDJSON records as JSON batches with a key per batch, and a retry resends only the failed batch", async () => {
    server.script((_r, i) => ({ status: i === 1 ? 503 : 200 }));
    const { c } = await connector({ mode: "records", batchSize: 2, method: "PUT", authHeader: "X-Api-Key" });
    const records = [1, 2, 3, 4, 5].map((id) => JSON.stringify({ id }));
    const result = await c.deliver(bufferDelivery("o.ndjson", records.join("\n") + "\n", { idempotencyKey: "job-7" }));
    assert.equal(result.attempts, 2);
    assert.deepEqual(
      server.requests.map((r) => [r.method, r.headers["idempotency-key"], r.headers["x-api-key"], JSON.parse(r.body.toString())]),
      [
        ["PUT", "job-7-0", "Bearer s3cret", [{ id: 1 }, { id: 2 }]],
        ["PUT", "job-7-1", "Bearer s3cret", [{ id: 3 }, { id: 4 }]],
        ["PUT", "job-7-1", "Bearer s3cret", [{ id: 3 }, { id: 4 }]],
        ["PUT", "job-7-2", "Bearer s3cret", [{ id: 5 }]],
      ],
    );
  });

  it("streams a payload of unknown size with chunked transfer encoding", async () => {
    server.script(() => ({ status: 200 }));
    const { c } = await connector();
    const { size: _size, ...delivery } = bufferDelivery("big.bin", Buffer.alloc(200_000, 9));
    const result = await c.deliver(delivery);
    assert.equal(result.bytes, 200_000);
    assert.equal(server.requests[0]!.headers["transfer-encoding"], "chunked");
    assert.deepEqual(server.requests[0]!.body, Buffer.alloc(200_000, 9));
  });

  const unsendable: Array<[string, string, RegExp]> = [
    ["a line break", "Bearer line-one\nline-two", /holds a line break at character 16/],
    ["a carriage return and header injection", "Bearer tok\r\nX-Evil: 1", /holds a line break at character 11/],
    ["a NUL", "Bearer tok\u0000en", /holds a control character \(U\+0000\) at character 11/],
    ["a character beyond Latin-1", "Bearer tok\u20acen", /holds a character outside Latin-1 at character 11/],
  ];
  for (const [what, value, message] of unsendable) {
    it(`refuses an \`authSecret\` holding ${what} at start, as one ConfigError naming the reference, never the value`, async () => {
      const log = recordingLogger();
      const broken = createSecretResolver({ env: { BROKEN_TOKEN: value } });
      const binding: RestOutputBinding = { type: "rest", url: `${server.url}/v1/orders`, authSecret: "env:BROKEN_TOKEN" };
      const before = server.requests.length;
      const err = await createConnector(binding, { s3: undefined as never, logger: log.logger, secrets: broken, retry: FAST_RETRY }).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof ConfigError, String(err));
      assert.match(err.message, /^`authSecret` \(env:BROKEN_TOKEN\) holds /);
      assert.match(err.message, message);
      assert.deepEqual(err.context, { field: "authSecret", reference: "env:BROKEN_TOKEN" });
      const said = [err.message, JSON.stringify(err.context), ...log.lines.map((l) => JSON.stringify(l))].join("\n");
      for (const part of ["line-one", "line-two", "tok", "X-Evil"]) assert.ok(!said.includes(part), `the value leaked: ${said}`);
      assert.equal(server.requests.length, before, "nothing was sent");
    });
  }

  it("stops at once when the delivery is aborted during a backoff", async () => {
    server.script(() => ({ status: 503, headers: { "retry-after": "30" } }));
    const { c } = await connector();
    const ac = new AbortController();
    const started = Date.now();
    const run = c.deliver(bufferDelivery("x", "x", { signal: ac.signal }));
    setTimeout(() => ac.abort(new Error("shutdown")), 200);
    const err = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof RetryableError && err.context.aborted === true, String(err));
    assert.ok(Date.now() - started < 5000);
    assert.equal(server.requests.length, 1);
  });
});
