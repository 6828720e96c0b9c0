/**
 * The REST connector against what partners demand (issue 18): a server that requires a client
 * certificate, an OAuth2 token endpoint, multipart uploads, a receipt in the response, static
 * headers, `HTTPS_PROXY`/`NO_PROXY`, and a secret that rotates between deliveries.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RestOutputBinding } from "../../../catalog/contract";
import { createConnector, type Connector } from "../../../workers/connectors";
import { PermanentError } from "../../../workers/errors";
import { createSecretResolver } from "../../../workers/secrets";
import { startConnectProxy, type ConnectProxy } from "../../support/connect-proxy";
import { startHttpRecorder, type HttpRecorder, type RecordedRequest } from "../../support/http-recorder";
import { createTestPki, type TestPki } from "../../support/tls-certs";
import { bufferDelivery, FAST_RETRY, recordingLogger } from "./helpers";

describe("REST connector for partners (mutual TLS, OAuth2, multipart, receipts, proxies, rotating secrets)", function () {
  let pki: TestPki;
  let partner: HttpRecorder;
  let tokens: HttpRecorder;
  let proxy: ConnectProxy;
  const open: Connector[] = [];
  const env: Record<string, string> = {};

  before(async () => {
    pki = createTestPki();
    partner = await startHttpRecorder({
      key: pki.serverKey,
      cert: pki.serverCert,
      ca: pki.ca,
      requestCert: true,
      rejectUnauthorized: true,
    });
    tokens = await startHttpRecorder();
    proxy = await startConnectProxy();
    Object.assign(env, {
      CA: pki.ca,
      CLIENT_CERT: pki.clientCert,
      CLIENT_KEY: pki.clientKey,
      STRANGER_CERT: pki.strangerCert,
      STRANGER_KEY: pki.strangerKey,
      OAUTH_ID: "jobworker",
      OAUTH_SECRET: "oauth s3cret",
    });
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.close();
  });
  after(async () => {
    await Promise.all([partner?.stop(), tokens?.stop(), proxy?.stop()]);
    pki?.remove();
  });

  const MTLS = { tlsCaSecret: "env:CA", clientCertSecret: "env:CLIENT_CERT", clientKeySecret: "env:CLIENT_KEY" } as const;

  async function connector(extra: Partial<RestOutputBinding>, options: { proxyEnv?: Record<string, string>; ttlMs?: number } = {}) {
    const log = recordingLogger();
    const secrets = createSecretResolver({ env, ttlMs: options.ttlMs });
    const binding = { type: "rest", url: `${partner.url}/v1/inbound`, timeoutSeconds: 5, ...MTLS, ...extra } as RestOutputBinding;
    const c = await createConnector(binding, {
      s3: undefined as never,
      logger: log.logger,
      secrets,
      retry: FAST_RETRY,
      env: options.proxyEnv ?? {},
    });
    open.push(c);
    return { c, log };
  }

  describe("mutual TLS", () => {
    it("presents the client certificate by reference, trusts the CA by reference, and sends the static headers", async () => {
      partner.script(() => ({ status: 201 }));
      const { c } = await connector({ headers: { "X-Partner-Id": "acme-42", Accept: "application/json" } });
      const result = await c.deliver(bufferDelivery("a.csv", "x,y\n"));
      assert.equal(result.attempts, 1);
      assert.equal(partner.requests.length, 1);
      const [req] = partner.requests as [RecordedRequest];
      assert.equal(req.clientCn, "jobworker-client");
      assert.equal(req.headers["x-partner-id"], "acme-42");
      assert.equal(req.headers["accept"], "application/json");
      assert.equal(req.body.toString(), "x,y\n");
    });

    // Under TLS 1.3 the server refuses a client certificate after the handshake: the client sees the
    // connection closed, like any drop, and retries; nothing reaches the server.
    const refused: Array<[string, Partial<RestOutputBinding>]> = [
      ["without a client certificate", { clientCertSecret: undefined, clientKeySecret: undefined }],
      ["with a client certificate from another CA", { clientCertSecret: "env:STRANGER_CERT", clientKeySecret: "env:STRANGER_KEY" }],
    ];
    for (const [what, extra] of refused) {
      it(`is refused by the server ${what}: no request reaches it`, async () => {
        partner.script(() => ({ status: 201 }));
        const { c } = await connector(extra);
        await assert.rejects(c.deliver(bufferDelivery("a.csv", "x")), /request failed/);
        assert.equal(partner.requests.length, 0);
      });
    }

    it("fails at once, without a retry, when the server's certificate is not signed by a trusted CA", async () => {
      partner.script(() => ({ status: 201 }));
      const { c, log } = await connector({ tlsCaSecret: undefined });
      await assert.rejects(
        c.deliver(bufferDelivery("a.csv", "x")),
        (err: unknown) => err instanceof PermanentError && /not trusted: set `tlsCaSecret`/.test(err.message),
      );
      assert.equal(log.withMsg("delivery failed")[0]!.attempts, 1);
      assert.equal(partner.requests.length, 0);
    });
  });

  describe("OAuth2 client credentials", () => {
    let issued = 0;
    beforeEach(() => {
      issued = 0;
      tokens.script(() => ({
        status: 200,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ access_token: `tok-${++issued}`, token_type: "Bearer", expires_in: 3600 }),
      }));
    });
    const OAUTH = () => ({
      oauth2: { tokenUrl: `${tokens.url}/oauth/token`, scope: "files.write", audience: "https://api.partner.example" },
      oauth2ClientIdSecret: "env:OAUTH_ID",
      oauth2ClientSecret: "env:OAUTH_SECRET",
    });

    it("fetches one token for several deliveries, with client credentials, scope and audience", async () => {
      partner.script(() => ({ status: 200 }));
      const { c } = await connector(OAUTH());
      for (const n of [1, 2, 3]) await c.deliver(bufferDelivery(`f${n}.csv`, "x"));
      assert.equal(tokens.requests.length, 1);
      const [tokenReq] = tokens.requests as [RecordedRequest];
      assert.equal(tokenReq.method, "POST");
      assert.equal(tokenReq.headers["authorization"], `Basic ${Buffer.from("jobworker:oauth+s3cret").toString("base64")}`);
      assert.deepEqual(Object.fromEntries(new URLSearchParams(tokenReq.body.toString())), {
        grant_type: "client_credentials",
        scope: "files.write",
        audience: "https://api.partner.example",
      });
      assert.deepEqual(
        partner.requests.map((r) => r.headers["authorization"]),
        ["Bearer tok-1", "Bearer tok-1", "Bearer tok-1"],
      );
    });

    it("fetches a fresh token once when the target answers 401, and delivers with it", async () => {
      partner.script((req) => ({ status: req.headers["authorization"] === "Bearer tok-1" ? 401 : 200 }));
      const { c } = await connector(OAUTH());
      const result = await c.deliver(bufferDelivery("f.csv", "x"));
      assert.equal(result.attempts, 2);
      assert.equal(tokens.requests.length, 2);
      assert.deepEqual(
        partner.requests.map((r) => r.headers["authorization"]),
        ["Bearer tok-1", "Bearer tok-2"],
      );
    });

    it("gives up after one renewal when the target keeps answering 401", async () => {
      partner.script(() => ({ status: 401 }));
      const { c } = await connector(OAUTH());
      await assert.rejects(c.deliver(bufferDelivery("f.csv", "x")), PermanentError);
      assert.equal(tokens.requests.length, 2);
      assert.equal(partner.requests.length, 2);
    });

    it("stops at once when the token endpoint refuses the client, without sending the payload", async () => {
      partner.script(() => ({ status: 200 }));
      tokens.script(() => ({ status: 401, body: '{"error":"invalid_client"}' }));
      const { c } = await connector(OAUTH());
      await assert.rejects(
        c.deliver(bufferDelivery("f.csv", "x")),
        (err: unknown) => err instanceof PermanentError && /invalid_client/.test(err.message) && !/s3cret/.test(err.message),
      );
      assert.equal(partner.requests.length, 0);
    });
  });

  it("uploads the payload as a multipart/form-data file part, streamed, with its text fields", async () => {
    partner.script(() => ({ status: 200 }));
    const { c } = await connector({ multipart: { field: "document", fields: { type: "orders", batch: "7" } } });
    const payload = Buffer.alloc(300_000, "p");
    const result = await c.deliver(bufferDelivery("out/orders-7.csv", payload, { contentType: "text/csv" }));
    assert.equal(result.bytes, payload.length);
    const [req] = partner.requests as [RecordedRequest];
    assert.match(req.headers["content-type"]!, /^multipart\/form-data; boundary=/);
    assert.equal(Number(req.headers["content-length"]), req.body.length, "sent with Content-Length, not chunked");
    const form = await new Response(new Uint8Array(req.body), { headers: { "content-type": req.headers["content-type"]! } }).formData();
    assert.equal(form.get("type"), "orders");
    assert.equal(form.get("batch"), "7");
    const file = form.get("document") as File;
    assert.equal(file.name, "orders-7.csv");
    assert.equal(file.type, "text/csv");
    assert.deepEqual(Buffer.from(await file.arrayBuffer()), payload);
  });

  const captures: Array<[string, RestOutputBinding["captureResponse"], string, string | undefined]> = [
    ["a JSON pointer", { jsonPointer: "/receipt/id" }, '{"receipt":{"id":"R-2024-0042"}}', "R-2024-0042"],
    ["a pattern's first group", { pattern: "<ReceiptId>([^<]+)</ReceiptId>" }, "<Ack><ReceiptId>77-A</ReceiptId></Ack>", "77-A"],
    ["a JSON pointer the response lacks", { jsonPointer: "/receipt/id" }, '{"ok":true}', undefined],
  ];
  for (const [what, capture, body, expected] of captures) {
    it(`captures the response's receipt by ${what} into the result and the log line`, async () => {
      partner.script(() => ({ status: 200, body }));
      const { c, log } = await connector({ captureResponse: capture });
      const result = await c.deliver(bufferDelivery("a.csv", "x"));
      assert.equal(result.captured, expected);
      assert.equal(log.withMsg("delivered")[0]!.captured, expected);
    });
  }

  it("goes through HTTPS_PROXY (a CONNECT tunnel), mutual TLS inside it, and straight to a NO_PROXY host", async () => {
    partner.script(() => ({ status: 200 }));
    const proxyEnv = { HTTPS_PROXY: proxy.url, NO_PROXY: "localhost" };
    const before = proxy.tunnels.length;
    const { c: viaProxy } = await connector({}, { proxyEnv });
    await viaProxy.deliver(bufferDelivery("a.csv", "x"));
    assert.deepEqual(
      proxy.tunnels.slice(before).map((t) => t.target),
      [`127.0.0.1:${partner.port}`],
    );
    const { c: direct } = await connector({ url: `https://localhost:${partner.port}/v1/inbound` }, { proxyEnv });
    await direct.deliver(bufferDelivery("b.csv", "y"));
    assert.equal(proxy.tunnels.length, before + 1, "the NO_PROXY host went direct");
    assert.deepEqual(
      partner.requests.map((r) => r.clientCn),
      ["jobworker-client", "jobworker-client"],
    );
  });

  it("re-reads a rotated `authSecret` after a 401 and delivers, within the secret cache's TTL", async () => {
    const dir = mkdtempSync(join(tmpdir(), "jobworker-rotate-"));
    try {
      const file = join(dir, "token");
      writeFileSync(file, "Bearer old\n");
      let valid = "Bearer old";
      partner.script((req) => ({ status: req.headers["authorization"] === valid ? 200 : 401 }));
      const { c } = await connector({ authSecret: `file:${file}` }, { ttlMs: 3_600_000 });
      await c.deliver(bufferDelivery("1.csv", "x"));
      writeFileSync(file, "Bearer new\n");
      valid = "Bearer new";
      const result = await c.deliver(bufferDelivery("2.csv", "x"));
      assert.equal(result.attempts, 2);
      await c.deliver(bufferDelivery("3.csv", "x"));
      assert.deepEqual(
        partner.requests.map((r) => r.headers["authorization"]),
        ["Bearer old", "Bearer old", "Bearer new", "Bearer new"],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
