/**
 * The ops console in headless Chromium (Debian `chromium`, driven by playwright-core), served by the
 * real HTTP server with clients pointed at moto server: the overview lists every service on one
 * page, the filter and sorting work, the DLQ row stands out, read-only mode refuses "stop task", and
 * with actions enabled "stop task" stops exactly the chosen task (checked through the ECS API).
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { DescribeServicesCommand, DescribeTasksCommand, ListContainerInstancesCommand } from "@aws-sdk/client-ecs";
import { Browser, chromium, Page } from "playwright-core";
import { startConsoleServer, RunningConsole } from "../../../console/server";
import { startMoto, MotoServer } from "../../support/moto";
import { waitFor } from "../../support/wait";
import { CLUSTER, SeededPlatform, seedPlatform, SERVICE_COUNT } from "./fixture";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(__dirname, "..", "..", "..", "test-artifacts");
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

describe("ops console in headless Chromium (against moto server)", function () {
  this.timeout(120_000);
  let moto: MotoServer;
  let seeded: SeededPlatform;
  let browser: Browser;
  let readOnly: RunningConsole;
  const servers: RunningConsole[] = [];
  const log: Record<string, unknown>[] = [];

  async function openConsole(url: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    await page.goto(url);
    return page;
  }

  async function taskStatuses(): Promise<Map<string, string>> {
    const out = await seeded.clients.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [...seeded.taskArns] }));
    return new Map((out.tasks ?? []).map((t) => [t.taskArn as string, `${t.desiredStatus}/${t.lastStatus}`]));
  }

  before(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`bash scripts/setup.sh\` (installs the Debian package \`chromium\`)`);
    moto = await startMoto();
    seeded = await seedPlatform(moto);
    readOnly = await startConsoleServer(seeded.clients, { cluster: CLUSTER, region: moto.clientConfig.region, port: 0, log: (e) => log.push({ ...e }) });
    servers.push(readOnly);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
    await moto?.stop();
  });

  it("lists all 28 services on one page with their counts and marks the console read-only", async () => {
    const page = await openConsole(readOnly.url);
    const rows = page.locator("#overview tbody tr");
    await waitFor("28 overview rows", async () => (await rows.count()) === SERVICE_COUNT, { timeoutMs: 20_000 });
    assert.equal(await page.locator("#mode").textContent(), "READ-ONLY");
    for (const e of seeded.expected) {
      const row = page.locator(`tr[data-service="${e.serviceName}"]`);
      const cells = await row.locator("td[data-col]").evaluateAll((tds) => Object.fromEntries(tds.map((td) => [td.getAttribute("data-col"), td.textContent])));
      assert.deepEqual(
        { desired: cells.desired, running: cells.running, pending: cells.pending, visible: cells.visible, inFlight: cells.inFlight, dlq: cells.dlq },
        { desired: String(e.desired), running: String(e.running), pending: String(e.pending), visible: String(e.visible), inFlight: String(e.inFlight), dlq: String(e.dlqDepth) },
        e.serviceName,
      );
    }
    assert.equal(await page.locator("#summary").textContent(), `${SERVICE_COUNT} of ${SERVICE_COUNT} services shown · 4 need attention`);
    await page.close();
  });

  it("filters the rows by name as the operator types", async () => {
    const page = await openConsole(readOnly.url);
    const rows = page.locator("#overview tbody tr");
    await waitFor("rows", async () => (await rows.count()) === SERVICE_COUNT, { timeoutMs: 20_000 });
    const cases: [string, string[]][] = [
      ["worker-1", ["worker-10", "worker-11", "worker-12", "worker-13", "worker-14", "worker-15", "worker-16", "worker-17", "worker-18", "worker-19"]],
      ["ORDERS", ["orders-webhook"]],
      ["no-such-worker", []],
    ];
    for (const [filter, expected] of cases) {
      await page.fill("#filter", filter);
      assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-worker"))), expected, `filter ${filter}`);
    }
    await page.fill("#filter", "");
    assert.equal(await rows.count(), SERVICE_COUNT);
    await page.close();
  });

  it("flags the DLQ row (and only the rows needing attention), sorts by DLQ depth, and shows the stale instance; saves a screenshot", async () => {
    const page = await openConsole(readOnly.url);
    const rows = page.locator("#overview tbody tr");
    await waitFor("rows", async () => (await rows.count()) === SERVICE_COUNT, { timeoutMs: 20_000 });
    const flagged = await page.locator("#overview tbody tr.attention").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-service")).sort());
    assert.deepEqual(flagged, seeded.expected.filter((e) => e.attention).map((e) => e.serviceName).sort());
    assert.equal(await page.locator(`tr[data-service="${seeded.dlqService}"] td[data-col="attention"]`).textContent(), "DLQ holds 3 message(s)");
    // Red background on flagged rows: the CSS is applied, not only the class.
    const background = await page.locator(`tr[data-service="${seeded.dlqService}"] td`).first().evaluate((td) => getComputedStyle(td).backgroundColor);
    assert.equal(background, "rgb(253, 232, 230)");

    await page.click('th[data-sort="dlqDepth"]');
    await page.click('th[data-sort="dlqDepth"]');
    assert.equal(await rows.first().getAttribute("data-service"), seeded.dlqService, "descending DLQ sort puts the DLQ row first");

    const stale = page.locator("#instances tbody tr.stale");
    assert.equal(await stale.count(), 1);
    assert.match((await stale.textContent()) ?? "", new RegExp(`${seeded.staleEc2Id}.*terminated`));
    assert.equal(await stale.locator('button[data-action="deregister-instance"]').count(), 1);

    await page.click('th[data-sort="worker"]');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "console-overview.png"), fullPage: true });
    assert.ok(existsSync(join(ARTIFACTS, "console-overview.png")));
    await page.close();
  });

  it("refuses 'stop task' in read-only mode with a 403 and a clear message, and the task keeps running", async () => {
    const page = await openConsole(`${readOnly.url}#/service/${seeded.tasksService}`);
    const taskRows = page.locator("#tasks tbody tr");
    await waitFor("three task rows", async () => (await taskRows.count()) === 3, { timeoutMs: 20_000 });
    const target = seeded.taskArns[0] as string;
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    const response = page.waitForResponse((r) => r.url().endsWith("/api/actions/stop-task"));
    await page.click(`tr[data-task="${target.split("/").pop()}"] button[data-action="stop-task"]`);
    assert.equal((await response).status(), 403);
    await waitFor("refusal message", async () => /read-only mode/.test((await page.locator("#message").textContent()) ?? ""));
    assert.match((await page.locator("#message").textContent()) ?? "", /stop-task failed: read-only mode: `stop-task` was refused\. Restart the console with --allow-actions/);
    assert.equal(dialogs.length, 1, "the action was confirmed first");
    assert.match(dialogs[0] as string, /Stop task .* of jw-feed-normalize\?/);
    assert.deepEqual([...(await taskStatuses()).values()], ["RUNNING/RUNNING", "RUNNING/RUNNING", "RUNNING/RUNNING"]);
    assert.deepEqual(
      log.filter((e) => e.event === "console-action").map((e) => [e.action, e.outcome, e.reason]),
      [["stop-task", "refused", "read-only"]],
    );
    await page.close();
  });

  it("with actions enabled, 'stop task' stops exactly the chosen task", async () => {
    const actionLog: Record<string, unknown>[] = [];
    const enabled = await startConsoleServer(seeded.clients, {
      cluster: CLUSTER,
      region: moto.clientConfig.region,
      port: 0,
      allowActions: true,
      log: (e) => actionLog.push({ ...e }),
    });
    servers.push(enabled);
    const page = await openConsole(`${enabled.url}#/service/${seeded.tasksService}`);
    assert.equal(await page.locator("#mode").textContent(), "ACTIONS ENABLED");
    const taskRows = page.locator("#tasks tbody tr");
    await waitFor("three task rows", async () => (await taskRows.count()) === 3, { timeoutMs: 20_000 });
    const target = seeded.taskArns[1] as string;
    page.on("dialog", (d) => void d.accept());
    await page.click(`tr[data-task="${target.split("/").pop()}"] button[data-action="stop-task"]`);
    await waitFor("stop message", async () => ((await page.locator("#message").textContent()) ?? "").startsWith("stopped task"));
    assert.equal(await page.locator("#message").textContent(), `stopped task ${target.split("/").pop()}`);

    const statuses = await taskStatuses();
    for (const arn of seeded.taskArns) assert.equal(statuses.get(arn), arn === target ? "STOPPED/STOPPED" : "RUNNING/RUNNING", arn);
    // The page refreshed after the action: the stopped task is gone from the service's running tasks.
    await waitFor("two task rows", async () => (await taskRows.count()) === 2);
    assert.deepEqual(
      actionLog.filter((e) => e.event === "console-action").map((e) => [e.action, e.outcome, e.changed]),
      [["stop-task", "done", [target]]],
    );
    await page.close();
  });

  it("shows a service's tasks with their task definition and instance, and a link to its logs", async () => {
    const page = await openConsole(`${readOnly.url}#/service/${seeded.tasksService}`);
    const taskRows = page.locator("#tasks tbody tr");
    await waitFor("task rows", async () => (await taskRows.count()) >= 2, { timeoutMs: 20_000 });
    const first = await taskRows.first().locator("td").allTextContents();
    assert.equal(first[1], `${seeded.tasksService}:1`);
    assert.match(first[5] as string, /^i-[0-9a-f]+$/, "the EC2 instance the task runs on");
    assert.equal(
      await page.locator("#logs-link").getAttribute("href"),
      "https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/$252Fjobworker$252Ffeed-normalize$3FlogStreamNameFilter$3Dworker",
    );
    await page.close();
  });

  it("with actions enabled: deregisters the stale instance from the cluster panel, sets a desired count, stops all tasks; a failing redrive is shown", async () => {
    const enabled = await startConsoleServer(seeded.clients, { cluster: CLUSTER, region: moto.clientConfig.region, port: 0, allowActions: true, log: () => undefined });
    servers.push(enabled);
    const page = await openConsole(enabled.url);
    page.on("dialog", (d) => void d.accept());
    await waitFor("stale row", async () => (await page.locator("#instances tbody tr.stale").count()) === 1, { timeoutMs: 20_000 });
    await page.click('#instances tbody tr.stale button[data-action="deregister-instance"]');
    await waitFor("deregistered", async () => ((await page.locator("#message").textContent()) ?? "").startsWith("deregistered"));
    const left = await seeded.clients.ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER }));
    assert.equal(left.containerInstanceArns?.length, 2);
    await waitFor("no stale row", async () => (await page.locator("#instances tbody tr.stale").count()) === 0);

    const post = (action: string, body: Record<string, unknown>) =>
      fetch(`${enabled.url}api/actions/${action}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ confirm: true, ...body }) });
    const set = await post("set-desired-count", { service: "jw-worker-10", desiredCount: 5 });
    assert.equal(set.status, 200);
    const described = await seeded.clients.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ["jw-worker-10"] }));
    assert.equal(described.services?.[0]?.desiredCount, 5);

    const before = await taskStatuses();
    const running = seeded.taskArns.filter((arn) => before.get(arn) === "RUNNING/RUNNING");
    const stopAll = await post("stop-service-tasks", { service: seeded.tasksService });
    assert.deepEqual(((await stopAll.json()) as { changed: string[] }).changed.sort(), [...running].sort());
    assert.deepEqual([...(await taskStatuses()).values()], ["STOPPED/STOPPED", "STOPPED/STOPPED", "STOPPED/STOPPED"]);

    // moto 5.2.5 has no StartMessageMoveTask: the error reaches the operator, it is not swallowed.
    const redrive = await post("redrive-dlq", { service: seeded.dlqService });
    assert.equal(redrive.status, 502);
    assert.match(((await redrive.json()) as { error: string }).error, /^sqs:StartMessageMoveTask failed: /);
    await page.close();
  });

  it("with a token, the API answers 401 without it and the page works when opened with ?token=", async () => {
    const token = "0123456789abcdef0123456789abcdef";
    const guarded = await startConsoleServer(seeded.clients, { cluster: CLUSTER, region: moto.clientConfig.region, port: 0, token, log: () => undefined });
    servers.push(guarded);
    const anonymous = await fetch(`${guarded.url}api/overview`);
    assert.equal(anonymous.status, 401);
    const wrong = await fetch(`${guarded.url}api/overview`, { headers: { Authorization: `Bearer ${token.replace("0", "1")}` } });
    assert.equal(wrong.status, 401);
    const page = await openConsole(`${guarded.url}?token=${token}`);
    await waitFor("rows", async () => (await page.locator("#overview tbody tr").count()) === SERVICE_COUNT, { timeoutMs: 20_000 });
    assert.equal(new URL(page.url()).search, "", "the token is taken out of the address bar");
    await page.close();
  });
});
