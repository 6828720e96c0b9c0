import assert from "node:assert/strict";
import { request } from "node:http";
import type { ConsoleClients } from "../../../console/aws/clients";
import { UsageError } from "../../../console/errors";
import { ConsoleServerOptions, isLoopback, RunningConsole, startConsoleServer, validateServerOptions } from "../../../console/server";

const base: ConsoleServerOptions = { cluster: "c", region: "r" };
const noAws = new Proxy({}, { get: () => ({ send: () => assert.fail("no AWS call may be made") }) }) as unknown as ConsoleClients;

function call(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: text.startsWith("{") ? JSON.parse(text) : { text } }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("console/server", () => {
  const loopback: [string, boolean][] = [
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["localhost", true],
    ["::1", true],
    ["[::1]", true],
    ["0.0.0.0", false],
    ["::", false],
    ["10.0.0.5", false],
    ["console.example.com", false],
  ];
  for (const [host, expected] of loopback) it(`isLoopback(${host}) is ${expected}`, () => assert.equal(isLoopback(host), expected));

  const invalid: [string, Partial<ConsoleServerOptions>, RegExp][] = [
    [
      "beyond loopback without a token",
      { host: "0.0.0.0" },
      /`--host` 0.0.0.0 is beyond loopback, so a token is required: pass `--token <secret>`/,
    ],
    ["a short token", { token: "short" }, /`--token` must be at least 16 characters, got 5/],
    ["a port out of range", { port: 70000 }, /`--port` must be an integer from 0 to 65535, got 70000/],
    ["a refresh under a second", { refreshSeconds: 0 }, /`--refresh` must be at least 1 second, got 0/],
    ["no cluster", { cluster: "" }, /`--cluster` is required/],
  ];
  for (const [title, change, message] of invalid) {
    it(`refuses to start ${title}`, () => {
      assert.throws(
        () => validateServerOptions({ ...base, ...change }),
        (err: unknown) => err instanceof UsageError && message.test(err.message),
      );
    });
  }
  it("accepts beyond loopback with a token, and loopback without one", () => {
    validateServerOptions({ ...base, host: "0.0.0.0", token: "0123456789abcdef" });
    validateServerOptions({ ...base });
  });

  describe("requests", () => {
    let running: RunningConsole;
    before(async () => {
      running = await startConsoleServer(noAws, { ...base, port: 0, log: () => undefined });
    });
    after(async () => running.close());

    it("serves the page with a restrictive Content-Security-Policy", async () => {
      const res = await fetch(running.url);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'self'/);
      assert.match(await res.text(), /<script src="app.js" defer><\/script>/);
    });

    it("reports read-only mode and the refresh interval in /api/config", async () => {
      const res = await call(running.port, "GET", "/api/config");
      assert.deepEqual(res, {
        status: 200,
        json: {
          cluster: "c",
          region: "r",
          readOnly: true,
          enableActions: "restart the console with --allow-actions (and a role with the actions policy, docs/console.md)",
          refreshSeconds: 10,
        },
      });
    });

    const refused: [string, string, string, Record<string, string>, string | undefined, number, RegExp][] = [
      [
        "a foreign Host header (DNS rebinding)",
        "GET",
        "/api/config",
        { Host: "evil.example:80" },
        undefined,
        403,
        /Host `evil.example:80` is not a loopback name/,
      ],
      [
        "an action that is not JSON (cross-site form post)",
        "POST",
        "/api/actions/stop-task",
        { "Content-Type": "application/x-www-form-urlencoded" },
        "confirm=true",
        415,
        /JSON body/,
      ],
      ["an action by GET", "GET", "/api/actions/stop-task", {}, undefined, 405, /POST/],
      [
        "an unconfirmed action",
        "POST",
        "/api/actions/stop-task",
        { "Content-Type": "application/json" },
        JSON.stringify({ service: "s", taskArn: "t" }),
        400,
        /`confirm` must be true/,
      ],
      [
        "a confirmed action in read-only mode",
        "POST",
        "/api/actions/stop-task",
        { "Content-Type": "application/json" },
        JSON.stringify({ confirm: true, service: "s", taskArn: "t" }),
        403,
        /read-only mode/,
      ],
      ["a body that is not JSON", "POST", "/api/actions/stop-task", { "Content-Type": "application/json" }, "{", 400, /not JSON/],
      ["an unknown API", "GET", "/api/nothing", {}, undefined, 404, /no such API/],
    ];
    for (const [title, method, path, headers, body, status, message] of refused) {
      it(`answers ${status} to ${title}`, async () => {
        const res = await call(running.port, method, path, headers, body);
        assert.equal(res.status, status);
        assert.match(String(res.json.error), message);
      });
    }
  });

  describe("cross-origin requests, with actions enabled", () => {
    let running: RunningConsole;
    const sent: string[] = [];
    // Records every AWS call; UpdateService answers as ECS would.
    const recording = new Proxy(
      {},
      {
        get: () => ({
          send: async (command: { constructor: { name: string } }) => {
            sent.push(command.constructor.name);
            return { service: { serviceArn: "arn:aws:ecs:r:1:service/c/s", desiredCount: 2 } };
          },
        }),
      },
    ) as unknown as ConsoleClients;
    before(async () => {
      running = await startConsoleServer(recording, { ...base, port: 0, allowActions: true, log: () => undefined });
    });
    after(async () => running.close());
    beforeEach(() => (sent.length = 0));

    const body = JSON.stringify({ confirm: true, service: "s", desiredCount: 2 });
    const json = { "Content-Type": "application/json" };
    const foreign: [string, Record<string, string>, RegExp][] = [
      [
        "a foreign Origin with Sec-Fetch-Site: cross-site",
        { Origin: "http://attacker.example", "Sec-Fetch-Site": "cross-site" },
        /cross-site request refused/,
      ],
      ["a foreign Origin alone", { Origin: "http://attacker.example" }, /origin `http:\/\/attacker.example` refused/],
      [
        "another port on loopback (same-site, not same-origin)",
        { Origin: "http://127.0.0.1:1", "Sec-Fetch-Site": "same-site" },
        /origin `http:\/\/127.0.0.1:1` refused/,
      ],
      ["an opaque Origin (null: sandboxed frame, file://)", { Origin: "null" }, /origin `null` refused/],
      ["Sec-Fetch-Site: cross-site without an Origin", { "Sec-Fetch-Site": "cross-site" }, /cross-site request refused/],
    ];
    for (const [title, headers, message] of foreign) {
      it(`refuses ${title} with 403, before any AWS call`, async () => {
        const res = await call(running.port, "POST", "/api/actions/set-desired-count", { ...json, ...headers }, body);
        assert.deepEqual({ status: res.status, sent }, { status: 403, sent: [] });
        assert.match(String(res.json.error), message);
      });
    }
    it("runs the action from the console's own page (same Origin, Sec-Fetch-Site: same-origin)", async () => {
      const res = await call(
        running.port,
        "POST",
        "/api/actions/set-desired-count",
        { ...json, Origin: `http://127.0.0.1:${running.port}`, "Sec-Fetch-Site": "same-origin" },
        body,
      );
      assert.deepEqual({ status: res.status, sent }, { status: 200, sent: ["UpdateServiceCommand"] });
    });
    it("runs the action for a client that is not a browser (no Origin, no Sec-Fetch-Site)", async () => {
      const res = await call(running.port, "POST", "/api/actions/set-desired-count", json, body);
      assert.deepEqual({ status: res.status, sent }, { status: 200, sent: ["UpdateServiceCommand"] });
    });
  });
});
