import assert from "node:assert/strict";
import pino from "pino";
import { createTaskProtection, protectionExpiryMinutes } from "../../../workers/runtime/task-protection";

const logger = pino({ level: "silent" });

function fakeAgent(respond: (body: any) => { status: number; json: unknown } = () => ({ status: 200, json: { protection: {} } })) {
  const calls: Array<{ url: string; method: string; body: any }> = [];
  const fetchFn = (async (url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body));
    calls.push({ url, method: String(init.method), body });
    const r = respond(body);
    return new Response(JSON.stringify(r.json), { status: r.status });
  }) as unknown as typeof fetch;
  return { calls, fetchFn };
}

describe("ECS task scale-in protection", () => {
  const expiries: Array<[number, number]> = [
    [1, 2],
    [60, 2],
    [61, 3],
    [600, 11],
    [10_000_000, 2880],
  ];
  for (const [seconds, minutes] of expiries) {
    it(`protects for ${minutes} min when jobs take up to ${seconds} s`, () => assert.equal(protectionExpiryMinutes(seconds), minutes));
  }

  it("PUTs ProtectionEnabled with an expiry when busy and turns it off when idle, once each", async () => {
    const agent = fakeAgent();
    const p = createTaskProtection({ agentUri: "http://169.254.170.2/api/task", maxProcessingSeconds: 300, logger, fetch: agent.fetchFn });
    p.busy();
    p.busy();
    await new Promise((r) => setImmediate(r));
    p.idle();
    await p.close();
    assert.deepEqual(agent.calls, [
      {
        url: "http://169.254.170.2/api/task/task-protection/v1/state",
        method: "PUT",
        body: { ProtectionEnabled: true, ExpiresInMinutes: 6 },
      },
      { url: "http://169.254.170.2/api/task/task-protection/v1/state", method: "PUT", body: { ProtectionEnabled: false } },
    ]);
  });

  it("sends nothing for a busy → idle flip that happens before the first request goes out", async () => {
    const agent = fakeAgent();
    const p = createTaskProtection({ agentUri: "http://agent", maxProcessingSeconds: 60, logger, fetch: agent.fetchFn });
    p.busy();
    p.idle();
    await p.close();
    assert.deepEqual(agent.calls, []);
  });

  it("does nothing without ECS_AGENT_URI (local runs)", async () => {
    const agent = fakeAgent();
    const p = createTaskProtection({ agentUri: undefined, maxProcessingSeconds: 300, logger, fetch: agent.fetchFn });
    p.busy();
    await p.close();
    assert.equal(agent.calls.length, 0);
  });

  it("survives a refusal (200 with `failure`) and retries on the next change", async () => {
    let refuse = true;
    const agent = fakeAgent(() =>
      refuse ? { status: 200, json: { failure: { Reason: "TASK_NOT_VALID" } } } : { status: 200, json: { protection: {} } },
    );
    const p = createTaskProtection({ agentUri: "http://agent", maxProcessingSeconds: 60, logger, fetch: agent.fetchFn });
    p.busy();
    await new Promise((r) => setImmediate(r));
    await p.close(); // desired off, never applied on: no "off" request needed
    assert.equal(agent.calls.length, 1);
    refuse = false;
    const q = createTaskProtection({ agentUri: "http://agent", maxProcessingSeconds: 60, logger, fetch: agent.fetchFn });
    q.busy();
    await new Promise((r) => setImmediate(r));
    await q.close();
    assert.deepEqual(
      agent.calls.slice(1).map((c) => c.body.ProtectionEnabled),
      [true, false],
    );
  });
});
