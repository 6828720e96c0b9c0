/**
 * The ops console in headless Chromium (Debian `chromium`, driven by playwright-core), served by the
 * real HTTP server with clients pointed at moto server holding a realistic fleet of 60 workers: the
 * overview lists every service on one page with exactly the problem rows flagged and first, the
 * filter and sorting work, read-only mode shows no live action, a foreign origin is refused before
 * any AWS call, an AWS outage keeps the last data marked stale, and with actions enabled "stop task"
 * stops exactly the chosen task (checked through the ECS API) and shows it with its stop reason.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { DescribeServicesCommand, DescribeTasksCommand, ListContainerInstancesCommand } from "@aws-sdk/client-ecs";
import { Browser, chromium, Page } from "playwright-core";
import { createClients, destroyClients } from "../../../console/aws/clients";
import { startConsoleServer, RunningConsole } from "../../../console/server";
import { startMoto, MotoServer } from "../../support/moto";
import { withSpotFleetHistory } from "../../support/spot-history-stub";
import { waitFor } from "../../support/wait";
import { CLUSTER, ExpectedRow, SeededPlatform, seedPlatform, SERVICE_COUNT } from "./fixture";

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

/** The console's default order: rows needing attention first (most reasons first), then by worker name. */
const defaultOrder = (a: ExpectedRow, b: ExpectedRow): number => b.reasons.length - a.reasons.length || a.worker.localeCompare(b.worker);
/** Times carry their date and zone. */
const DATED = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/;

describe("ops console in headless Chromium (against moto server)", function () {
  this.timeout(120_000);
  let moto: MotoServer;
  const interruptedAt = new Date(Date.now() - 3_600_000);
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
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`bash scripts/setup.sh\` (installs the Debian package \`chromium\`)`);
    // moto has no DescribeSpotFleetRequestHistory: a stub in front of it answers that call alone.
    const platform = await withSpotFleetHistory(await startMoto());
    moto = platform;
    seeded = await seedPlatform(moto);
    platform.spotHistory.records = [
      {
        fleetId: seeded.fleetId,
        timestamp: interruptedAt,
        eventType: "instanceChange",
        subType: "termination_notified",
        instanceId: "i-0aaa",
      },
    ];
    readOnly = await startConsoleServer(seeded.clients, {
      cluster: CLUSTER,
      region: moto.clientConfig.region,
      port: 0,
      log: (e) => log.push({ ...e }),
    });
    servers.push(readOnly);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  /** A console with actions enabled over the seeded fleet, stopped after the suite. */
  async function startActionsConsole(log: (entry: Record<string, unknown>) => void = () => undefined) {
    const server = await startConsoleServer(seeded.clients, {
      cluster: CLUSTER,
      region: moto.clientConfig.region,
      port: 0,
      allowActions: true,
      log,
    });
    servers.push(server);
    return server;
  }

  after(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
    await moto?.stop();
  });

  it("lists all 60 services on one page with their counts, names each service, and marks the console read-only", async () => {
    const page = await openConsole(readOnly.url);
    const rows = page.locator("#overview tbody tr");
    await waitFor("60 overview rows", async () => (await rows.count()) === SERVICE_COUNT, { timeoutMs: 30_000 });
    assert.equal(await page.locator("#mode").textContent(), "READ-ONLY");
    assert.deepEqual(await page.locator("#overview thead th").allTextContents(), [
      "Worker",
      "Service",
      "Status",
      "Desired",
      "Running",
      "Pending",
      "Visible",
      "In flight",
      "DLQ",
      "Oldest",
      "Queue / DLQ, 3 h",
      "Alarms",
      "Needs attention",
    ]);
    for (const e of seeded.expected) {
      const row = page.locator(`tr[data-service="${e.serviceName}"]`);
      const cells = await row
        .locator("td[data-col]")
        .evaluateAll((tds) => Object.fromEntries(tds.map((td) => [td.getAttribute("data-col"), td.textContent])));
      assert.deepEqual(
        {
          service: cells.service,
          status: cells.status,
          desired: cells.desired,
          running: cells.running,
          pending: cells.pending,
          visible: cells.visible,
          inFlight: cells.inFlight,
          dlq: cells.dlq,
        },
        {
          service: e.serviceName,
          status: e.scaling,
          desired: String(e.desired),
          running: String(e.running),
          pending: String(e.pending),
          visible: String(e.visible),
          inFlight: String(e.inFlight),
          dlq: String(e.dlqDepth),
        },
        e.serviceName,
      );
    }
    const flagged = seeded.expected.filter((e) => e.attention).length;
    assert.equal(flagged, 9);
    assert.equal(
      await page.locator("#summary").textContent(),
      `${SERVICE_COUNT} of ${SERVICE_COUNT} services shown · ${flagged} need attention`,
    );
    assert.match((await page.locator("#updated").textContent()) ?? "", /^data as of \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    // Sparklines, inline SVG under the page's CSP: the maxed-out worker's backlog went 10 → 40 (fixture), its DLQ stayed empty.
    const history = page.locator(`tr[data-service="${seeded.maxedService}"] td[data-col="history"]`);
    assert.match(
      (await history.locator("svg.sparkline.backlog title").textContent()) ?? "",
      /^queue visible: max 40, latest 40 \(3 h from /,
    );
    assert.ok((await history.locator("svg.sparkline.backlog polyline").count()) >= 1);
    assert.match((await history.locator("svg.sparkline.dlq title").textContent()) ?? "", /^DLQ visible: no datapoints/);
    // The cluster panel: the fleet's interruptions over 24 h, with the last one's time.
    const when = interruptedAt.toISOString().slice(0, 19).replace("T", " ");
    assert.equal(
      await page.locator(`#cluster-stats [data-fleet="${seeded.fleetId}"]`).textContent(),
      `1Spot interruptions in 24 h, fleet ${seeded.fleetId} (last ${when} UTC)`,
    );
    // No dashboard named after the cluster in this account: no link.
    assert.equal(await page.locator("#dashboard-link").isHidden(), true);
    await page.close();
  });

  it("filters the rows by name as the operator types", async () => {
    const page = await openConsole(readOnly.url);
    const rows = page.locator("#overview tbody tr");
    await waitFor("rows", async () => (await rows.count()) === SERVICE_COUNT, { timeoutMs: 30_000 });
    const matching = (text: string) =>
      seeded.expected
        .filter((e) => e.worker.includes(text))
        .sort(defaultOrder)
        .map((e) => e.worker);
    const cases: [string, string[]][] = [
      ["worker-1", matching("worker-1")],
      ["ORDERS", ["orders-webhook"]],
      ["no-such-worker", []],
    ];
    assert.equal(cases[0]?.[1][0], "worker-15", "the flagged worker-15 leads its filter");
    for (const [filter, expected] of cases) {
      await page.fill("#filter", filter);
      assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-worker"))), expected, `filter ${filter}`);
    }
    await page.fill("#filter", "");
    assert.equal(await rows.count(), SERVICE_COUNT);
    await page.close();
  });

  it("flags exactly the problem rows, first, naming what fired; idle and scaling-out workers stay calm; saves a screenshot", async () => {
    const page = await openConsole(readOnly.url);
    const rows = page.locator("#overview tbody tr");
    await waitFor("rows", async () => (await rows.count()) === SERVICE_COUNT, { timeoutMs: 30_000 });
    const expectedFlagged = seeded.expected.filter((e) => e.attention);
    const flagged = await page
      .locator("#overview tbody tr.attention")
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-service")));
    assert.deepEqual([...flagged].sort(), expectedFlagged.map((e) => e.serviceName).sort());
    // Problems first by default, most reasons first, then by name.
    const order = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-service")));
    assert.deepEqual(
      order,
      [...seeded.expected].sort(defaultOrder).map((e) => e.serviceName),
    );
    for (const e of expectedFlagged) {
      assert.equal(
        await page.locator(`tr[data-service="${e.serviceName}"] td[data-col="attention"]`).textContent(),
        e.reasons.join("; "),
        e.serviceName,
      );
    }
    // The alarm that fired is named in the row, not only on hover; scaling alarms are not listed as alarms.
    const dlqAlarm =
      seeded.expected.find((e) => e.serviceName === seeded.dlqService)?.reasons[0]?.replace(/^alarm (\S+) is in ALARM$/, "$1") ?? "";
    assert.equal(
      await page
        .locator(`tr[data-service="${seeded.dlqService}"] td[data-col="alarms"] .alarm-ALARM`)
        .allTextContents()
        .then((t) => t.join(",")),
      dlqAlarm,
    );
    assert.match(
      (await page.locator(`tr[data-service="${seeded.dlqService}"] td[data-col="alarms"] .alarm-ALARM`).getAttribute("title")) ?? "",
      /^in ALARM since \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/,
    );
    assert.equal(
      await page.locator(`tr[data-service="${seeded.tasksService}"] td[data-col="alarms"] .alarm-ALARM`).count(),
      0,
      "a scaling-out worker shows no alarm in red",
    );
    // Red background on flagged rows only: the CSS is applied, not only the class.
    const background = (service: string) =>
      page
        .locator(`tr[data-service="${service}"] td`)
        .first()
        .evaluate((td) => getComputedStyle(td).backgroundColor);
    assert.equal(await background(seeded.dlqService), "rgb(253, 232, 230)");
    assert.equal(await background("jw-worker-10"), "rgba(0, 0, 0, 0)", "an idle worker is calm");

    await page.click('th[data-sort="dlqDepth"]');
    await page.click('th[data-sort="dlqDepth"]');
    assert.equal(await rows.first().getAttribute("data-service"), "jw-billing-export", "descending DLQ sort puts the deepest DLQ first");

    const stale = page.locator("#instances tbody tr.stale");
    assert.equal(await stale.count(), 1);
    assert.match((await stale.textContent()) ?? "", new RegExp(`${seeded.staleEc2Id}.*terminated`));
    assert.equal(await stale.locator('button[data-action="deregister-instance"]').count(), 0, "read-only: no Deregister button");
    assert.match((await page.locator("#cluster-stats").textContent()) ?? "", /\d+ \/ \d+ \(\d+%\)CPU units reserved \/ registered/);

    // Back to the default order (problems first) for the screenshot.
    await page.reload();
    await waitFor("rows", async () => (await rows.count()) === SERVICE_COUNT, { timeoutMs: 30_000 });
    assert.equal(await rows.first().getAttribute("data-service"), [...seeded.expected].sort(defaultOrder)[0]?.serviceName);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "console-overview.png"), fullPage: true });
    assert.ok(existsSync(join(ARTIFACTS, "console-overview.png")));
    await page.close();
  });

  it("read-only mode shows no live action and says how to enable actions; the server still refuses a direct POST, and the task keeps running", async () => {
    const page = await openConsole(`${readOnly.url}#/service/${seeded.tasksService}`);
    const taskRows = page.locator("#tasks tbody tr");
    await waitFor("three task rows", async () => (await taskRows.count()) === 3, { timeoutMs: 30_000 });
    const live = await page
      .locator("button[data-action]")
      .evaluateAll((buttons) => buttons.filter((b) => (b as HTMLElement).offsetParent !== null).map((b) => b.getAttribute("data-action")));
    assert.deepEqual(live, [], "no visible action button");
    assert.equal(await page.locator("#desired-input").isVisible(), false);
    assert.equal(
      await page.locator("#read-only-note").textContent(),
      "Read-only: actions are off. To enable them, restart the console with --allow-actions (and a role with the actions policy, docs/console.md).",
    );
    assert.equal(await page.locator("#read-only-note").isVisible(), true);
    // The service page names the service and dates its data (moto gives its tasks no start time).
    assert.match((await page.locator("#service-stats").textContent()) ?? "", new RegExp(`${seeded.tasksService}service`));
    assert.match(((await page.locator("#updated").textContent()) ?? "").replace(/^data as of /, ""), DATED);

    const target = seeded.taskArns[0] as string;
    const res = await fetch(`${readOnly.url}api/actions/stop-task`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ confirm: true, service: seeded.tasksService, taskArn: target }),
    });
    assert.equal(res.status, 403);
    assert.match(
      ((await res.json()) as { error: string }).error,
      /read-only mode: `stop-task` was refused\. Restart the console with --allow-actions/,
    );
    assert.deepEqual([...(await taskStatuses()).values()], ["RUNNING/RUNNING", "RUNNING/RUNNING", "RUNNING/RUNNING"]);
    assert.deepEqual(
      log.filter((e) => e.event === "console-action").map((e) => [e.action, e.outcome, e.reason]),
      [["stop-task", "refused", "read-only"]],
    );
    await page.close();
  });

  it("refuses a foreign-origin POST with actions enabled, before any AWS call, and the service is unchanged", async () => {
    const enabled = await startActionsConsole();
    const limiter = seeded.clients.limiter;
    assert.ok(limiter, "the fixture's clients count their calls");
    limiter.resetStats();
    const res = await fetch(`${enabled.url}api/actions/set-desired-count`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: "http://attacker.example", "Sec-Fetch-Site": "cross-site" },
      body: JSON.stringify({ confirm: true, service: "jw-worker-11", desiredCount: 7 }),
    });
    assert.equal(res.status, 403);
    assert.equal(limiter.calls, 0, "no AWS call was made");
    const described = await seeded.clients.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ["jw-worker-11"] }));
    assert.equal(described.services?.[0]?.desiredCount, seeded.expected.find((e) => e.serviceName === "jw-worker-11")?.desired);
  });

  it("keeps the last data, marked stale with its age, when every AWS read fails", async () => {
    let outage = false;
    const clients = createClients({ ...moto.clientConfig, maxAttempts: 1 });
    for (const client of [clients.ecs, clients.sqs, clients.cloudwatch, clients.ec2, clients.autoscaling]) {
      (client.middlewareStack as { add: (m: unknown, o: unknown) => void }).add(
        (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
          if (outage) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { name: "ECONNREFUSED" });
          return next(args);
        },
        { step: "initialize", name: "outage" },
      );
    }
    const outageConsole = await startConsoleServer(clients, {
      cluster: CLUSTER,
      region: moto.clientConfig.region,
      port: 0,
      refreshSeconds: 1,
      log: () => undefined,
    });
    servers.push(outageConsole);
    try {
      const page = await openConsole(outageConsole.url);
      const rows = page.locator("#overview tbody tr");
      await waitFor("rows", async () => (await rows.count()) === SERVICE_COUNT, { timeoutMs: 30_000 });
      const flagged = await page.locator("#overview tbody tr.attention").count();
      outage = true;
      await waitFor("the stale summary", async () => /STALE/.test((await page.locator("#summary").textContent()) ?? ""), {
        timeoutMs: 30_000,
      });
      const summary = (await page.locator("#summary").textContent()) ?? "";
      assert.match(
        summary,
        new RegExp(
          `^${SERVICE_COUNT} of ${SERVICE_COUNT} services shown · ${flagged} need attention · STALE: data from \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} UTC \\(\\d+(?:\\.\\d)?[smh] old\\), \\d+ AWS read\\(s\\) failing$`,
        ),
      );
      assert.equal(await rows.count(), SERVICE_COUNT, "the rows are kept");
      assert.equal(await page.locator("#overview tbody tr.stale-row").count(), SERVICE_COUNT, "every row is marked stale");
      assert.equal(await page.locator("#overview tbody tr.attention").count(), flagged, "and so are their problems");
      assert.match((await page.locator("#errors").textContent()) ?? "", /ecs:ListServices\/DescribeServices: connect ECONNREFUSED/);
      await page.close();
    } finally {
      outage = false;
      destroyClients(clients);
    }
  });

  it("with actions enabled, 'stop task' stops exactly the chosen task, which then shows among the stopped tasks with its stop reason", async () => {
    const actionLog: Record<string, unknown>[] = [];
    const enabled = await startActionsConsole((e) => actionLog.push({ ...e }));
    const page = await openConsole(`${enabled.url}#/service/${seeded.tasksService}`);
    assert.equal(await page.locator("#mode").textContent(), "ACTIONS ENABLED");
    assert.equal(await page.locator("#read-only-note").isVisible(), false);
    const taskRows = page.locator("#tasks tbody tr");
    await waitFor("three task rows", async () => (await taskRows.count()) === 3, { timeoutMs: 30_000 });
    assert.equal(await page.locator("#redrive").isDisabled(), true, "Redrive DLQ is disabled on an empty DLQ");
    assert.equal(await page.locator("#redrive").getAttribute("title"), "the DLQ is empty");
    const target = seeded.taskArns[1] as string;
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
    await page.click(`tr[data-task="${target.split("/").pop()}"] button[data-action="stop-task"]`);
    await waitFor("stop message", async () => ((await page.locator("#message").textContent()) ?? "").startsWith("stopped task"));
    assert.equal(await page.locator("#message").textContent(), `stopped task ${target.split("/").pop()}`);
    assert.deepEqual(dialogs, [`Stop task ${target.split("/").pop()} of ${seeded.tasksService}?`]);

    const statuses = await taskStatuses();
    for (const arn of seeded.taskArns) assert.equal(statuses.get(arn), arn === target ? "STOPPED/STOPPED" : "RUNNING/RUNNING", arn);
    // The page refreshed after the action: the stopped task left the running tasks, and shows among the stopped ones with its reason.
    await waitFor("two task rows", async () => (await taskRows.count()) === 2);
    const stoppedRow = page.locator(`#stopped tbody tr[data-task="${target.split("/").pop()}"]`);
    await waitFor("the stopped task", async () => (await stoppedRow.count()) === 1);
    assert.equal(await stoppedRow.locator('td[data-col="stoppedReason"]').textContent(), "stopped from the jobworker console");
    assert.equal(await stoppedRow.locator('td[data-col="exitCode"]').textContent(), "0");
    assert.deepEqual(
      actionLog.filter((e) => e.event === "console-action").map((e) => [e.action, e.outcome, e.changed]),
      [["stop-task", "done", [target]]],
    );
    await page.goto(`${enabled.url}#/service/${seeded.dlqService}`);
    await waitFor("the DLQ service's page", async () =>
      ((await page.locator("#service-title").textContent()) ?? "").startsWith("orders-webhook"),
    );
    await waitFor("Redrive DLQ enabled", async () => !(await page.locator("#redrive").isDisabled()));
    assert.equal(await page.locator("#redrive").getAttribute("title"), "move 3 message(s) back to jw-orders-webhook");
    await page.close();
  });

  it("shows a service's tasks with their task definition and instance, and a link to its logs", async () => {
    const page = await openConsole(`${readOnly.url}#/service/${seeded.tasksService}`);
    const taskRows = page.locator("#tasks tbody tr");
    await waitFor("task rows", async () => (await taskRows.count()) >= 2, { timeoutMs: 30_000 });
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
    const enabled = await startActionsConsole();
    const page = await openConsole(enabled.url);
    page.on("dialog", (d) => void d.accept());
    await waitFor("stale row", async () => (await page.locator("#instances tbody tr.stale").count()) === 1, { timeoutMs: 30_000 });
    await page.click('#instances tbody tr.stale button[data-action="deregister-instance"]');
    await waitFor("deregistered", async () => ((await page.locator("#message").textContent()) ?? "").startsWith("deregistered"));
    const left = await seeded.clients.ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER }));
    assert.equal(left.containerInstanceArns?.length, 2);
    await waitFor("no stale row", async () => (await page.locator("#instances tbody tr.stale").count()) === 0);

    const post = (action: string, body: Record<string, unknown>) =>
      fetch(`${enabled.url}api/actions/${action}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ confirm: true, ...body }),
      });
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
    const guarded = await startConsoleServer(seeded.clients, {
      cluster: CLUSTER,
      region: moto.clientConfig.region,
      port: 0,
      token,
      log: () => undefined,
    });
    servers.push(guarded);
    const anonymous = await fetch(`${guarded.url}api/overview`);
    assert.equal(anonymous.status, 401);
    const wrong = await fetch(`${guarded.url}api/overview`, { headers: { Authorization: `Bearer ${token.replace("0", "1")}` } });
    assert.equal(wrong.status, 401);
    const page = await openConsole(`${guarded.url}?token=${token}`);
    await waitFor("rows", async () => (await page.locator("#overview tbody tr").count()) === SERVICE_COUNT, { timeoutMs: 30_000 });
    assert.equal(new URL(page.url()).search, "", "the token is taken out of the address bar");
    await page.close();
  });
});
