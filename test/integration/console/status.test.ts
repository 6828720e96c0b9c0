/**
 * `jobworker status` against moto server: the table and `--json` show every one of the 60 services
 * with the counts moto and SQS report, through the standard SDK settings (AWS_ENDPOINT_URL in the
 * child's environment), in batched calls under one concurrency limit; exactly the rows with real
 * problems are flagged (scaling alarms in ALARM are not problems); failed reads are reported and
 * set the exit code, and a failed refresh keeps the last good data, marked stale.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createClients, ConsoleClients, destroyClients } from "../../../console/aws/clients";
import { Collector } from "../../../console/collect";
import { statusCommand } from "../../../console/index";
import { renderStatus } from "../../../console/table";
import { Snapshot } from "../../../console/types";
import { PutDashboardCommand } from "@aws-sdk/client-cloudwatch";
import { startMoto, MotoServer } from "../../support/moto";
import { SpotHistoryStub, withSpotFleetHistory } from "../../support/spot-history-stub";
import { waitFor } from "../../support/wait";
import { CLUSTER, SeededPlatform, seedPlatform, SERVICE_COUNT } from "./fixture";

const ROOT = join(__dirname, "..", "..", "..");

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", join(ROOT, "test/support/register.js"), join(ROOT, "console/cli.ts"), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Captures what `statusCommand` writes. */
function memoryIo(env: NodeJS.ProcessEnv = {}) {
  const out = { stdout: "", stderr: "" };
  return {
    out,
    io: { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) }, env },
  };
}

describe("jobworker status (against moto server)", function () {
  this.timeout(120_000);
  let moto: MotoServer;
  let seeded: SeededPlatform;
  let spotHistory: SpotHistoryStub;
  const interruptedAt = new Date(Date.now() - 2 * 3_600_000);
  const terminatedAt = new Date(interruptedAt.getTime() + 120_000);

  before(async () => {
    // moto has no DescribeSpotFleetRequestHistory: a stub in front of it answers that call alone.
    const platform = await withSpotFleetHistory(await startMoto());
    moto = platform;
    spotHistory = platform.spotHistory;
    seeded = await seedPlatform(moto);
    const fleetId = seeded.fleetId;
    spotHistory.records = [
      // One interruption (notice, then the termination: one instance), a launch, and one older than 24 h.
      { fleetId, timestamp: interruptedAt, eventType: "instanceChange", subType: "termination_notified", instanceId: "i-0aaa" },
      {
        fleetId,
        timestamp: terminatedAt,
        eventType: "instanceChange",
        subType: "terminated",
        instanceId: "i-0aaa",
        description: "Spot instance interrupted",
      },
      {
        fleetId,
        timestamp: new Date(interruptedAt.getTime() + 300_000),
        eventType: "instanceChange",
        subType: "launched",
        instanceId: "i-0bbb",
      },
      {
        fleetId,
        timestamp: new Date(Date.now() - 30 * 3_600_000),
        eventType: "instanceChange",
        subType: "termination_notified",
        instanceId: "i-0ccc",
      },
    ];
    const clients = createClients({ ...moto.clientConfig, maxAttempts: 1 });
    try {
      // Found by the cluster's name as prefix; another stack's dashboard is not.
      for (const name of [`${CLUSTER}-overview`, "other-stack-overview"])
        await clients.cloudwatch.send(new PutDashboardCommand({ DashboardName: name, DashboardBody: JSON.stringify({ widgets: [] }) }));
    } finally {
      destroyClients(clients);
    }
  });
  after(async () => {
    await moto?.stop();
  });

  it("prints one table row per service with moto's desired/running/pending and SQS's visible/in-flight/DLQ counts", async () => {
    // No --cluster: the account's only cluster is used.
    const { code, stdout, stderr } = await runCli(["status"], moto.env);
    assert.equal(code, 0, `exit code; stderr: ${stderr}`);
    const rowPattern = /^(!?)\s+(\S+)\s+(\S+)\s+(scaling out|idle|steady)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)/;
    const rows = new Map(
      stdout
        .split("\n")
        .slice(1)
        .map((line) => rowPattern.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[2] as string, m]),
    );
    const flagged = seeded.expected.filter((e) => e.attention);
    // Problems first: the flagged rows lead the table, in name order.
    assert.deepEqual([...rows.keys()].slice(0, flagged.length).sort(), flagged.map((e) => e.worker).sort());
    assert.equal(rows.size, SERVICE_COUNT, `rows in:\n${stdout}`);
    for (const e of seeded.expected) {
      const m = rows.get(e.worker);
      assert.ok(m, `row for ${e.worker}`);
      const [, flag, , service, status, desired, running, pending, visible, inFlight, dlq] = m;
      assert.deepEqual(
        {
          flag,
          service,
          status,
          desired: Number(desired),
          running: Number(running),
          pending: Number(pending),
          visible: Number(visible),
          inFlight: Number(inFlight),
          dlq: Number(dlq),
        },
        {
          flag: e.attention ? "!" : "",
          service: e.serviceName,
          status: e.scaling,
          desired: e.desired,
          running: e.running,
          pending: e.pending,
          visible: e.visible,
          inFlight: e.inFlight,
          dlq: e.dlqDepth,
        },
        `row of ${e.worker}: ${m[0]}`,
      );
    }
    assert.match(stdout, new RegExp(`${SERVICE_COUNT} services on ${CLUSTER} \\(ap-northeast-1\\), ${flagged.length} need attention`));
    assert.match(
      stdout,
      new RegExp(
        `instances: 2 active, 1 draining, 1 stale; fleet ${seeded.fleetId} 8/8 vCPU, 1 interrupted in 24 h \\(last ${terminatedAt.toISOString()}\\); types m5.largex2`,
      ),
    );
    assert.match(stdout, new RegExp(`stale: \\S+ \\(${seeded.staleEc2Id}\\): EC2 instance ${seeded.staleEc2Id} is terminated`));
  });

  it("--json gives every service's counts, the rows needing attention with their reasons, and the cluster panel", async () => {
    const { code, stdout, stderr } = await runCli(["status", "--cluster", CLUSTER, "--json"], moto.env);
    assert.equal(code, 0, `exit code; stderr: ${stderr}`);
    const snapshot = JSON.parse(stdout) as Snapshot;
    assert.equal(snapshot.cluster, CLUSTER);
    assert.deepEqual(snapshot.errors, []);
    assert.equal(snapshot.workers.length, SERVICE_COUNT);
    const byService = new Map(snapshot.workers.map((w) => [w.serviceName, w]));
    for (const e of seeded.expected) {
      const w = byService.get(e.serviceName);
      assert.ok(w, e.serviceName);
      assert.deepEqual(
        {
          worker: w.worker,
          desired: w.desired,
          running: w.running,
          pending: w.pending,
          visible: w.queue?.visible,
          inFlight: w.queue?.inFlight,
          dlq: w.dlqDepth,
          age: w.oldestMessageAgeSeconds,
          scaling: w.scaling,
          attention: w.attention,
        },
        {
          worker: e.worker,
          desired: e.desired,
          running: e.running,
          pending: e.pending,
          visible: e.visible,
          inFlight: e.inFlight,
          dlq: e.dlqDepth,
          age: e.oldestMessageAgeSeconds,
          scaling: e.scaling,
          attention: e.reasons,
        },
        e.serviceName,
      );
    }
    // The realistic fleet: most idle (idle alarm in ALARM), a third scaling out (backlog alarms in ALARM), 9 real problems.
    const scaling = snapshot.workers.reduce<Record<string, number>>((n, w) => ({ ...n, [w.scaling]: (n[w.scaling] ?? 0) + 1 }), {});
    assert.deepEqual(scaling, { idle: 40, "scaling out": 20 });
    assert.equal(snapshot.workers.filter((w) => w.attention.length > 0).length, 9);
    assert.deepEqual(
      snapshot.workers
        .slice(0, 9)
        .map((w) => w.serviceName)
        .sort(),
      seeded.expected
        .filter((e) => e.attention)
        .map((e) => e.serviceName)
        .sort(),
      "problems first",
    );
    assert.deepEqual(
      byService.get(seeded.dlqService)?.alarms.map((a) => [a.name.replace(/-[0-9a-f]{7}$/, ""), a.state, a.role]),
      [
        ["orders-webhook-backlog", "ALARM", "scale-out"],
        ["orders-webhook-backlog-fast", "ALARM", "scale-out"],
        ["orders-webhook-dlq-not-empty", "ALARM", "notify"],
        ["orders-webhook-idle", "OK", "scale-in"],
        ["orders-webhook-oldest-message", "OK", "notify"],
      ],
    );
    assert.equal(byService.get(seeded.maxedService)?.maxTasks, 3);
    assert.equal(byService.get("jw-tag-found")?.queueSource, "tag");
    assert.equal(byService.get("jw-tag-found")?.worker, "tag-found");
    assert.equal(byService.get(seeded.tasksService)?.queueSource, "task-definition");

    const panel = snapshot.clusterPanel;
    assert.deepEqual(
      { active: panel.active, draining: panel.draining, types: panel.instanceTypes, fleets: panel.fleets },
      {
        active: 2,
        draining: 1,
        types: { "m5.large": 2 },
        fleets: [
          {
            id: seeded.fleetId,
            state: "active",
            targetVcpus: 8,
            fulfilledVcpus: 8,
            interruptions: { count: 1, last: terminatedAt.toISOString(), windowHours: 24 },
          },
        ],
      },
    );
    // One history request per fleet, for instance changes since 24 h ago.
    const asked = spotHistory.requests.at(-1);
    assert.equal(asked?.SpotFleetRequestId, seeded.fleetId);
    assert.equal(asked?.EventType, "instanceChange");
    assert.ok(Math.abs(Date.parse(asked?.StartTime ?? "") - (Date.now() - 24 * 3_600_000)) < 120_000, asked?.StartTime);
    // The sparklines: 36 five-minute periods; the fixture put 10 then 40 visible messages (10 and 1 min ago).
    const maxed = byService.get(seeded.maxedService)?.history;
    assert.equal(maxed?.periodSeconds, 300);
    assert.equal(maxed?.backlog.length, 36);
    assert.deepEqual(
      maxed?.backlog.filter((v) => v !== null),
      [10, 40],
    );
    // 40 is in the last five-minute period, or the one before when a period began after the fixture put it.
    assert.ok(maxed?.backlog.slice(-2).includes(40), JSON.stringify(maxed?.backlog.slice(-2)));
    assert.equal(maxed?.dlq?.length, 36, "the DLQ's series too");
    assert.deepEqual(
      maxed?.dlq?.filter((v) => v !== null),
      [],
    );
    assert.match(snapshot.dashboardUrl ?? "", new RegExp(`#dashboards/dashboard/${CLUSTER}-overview$`));
    assert.deepEqual(
      panel.stale.map((s) => [s.ec2InstanceId, s.instanceType, s.stale]),
      [[seeded.staleEc2Id, "c5.xlarge", `EC2 instance ${seeded.staleEc2Id} is terminated`]],
    );
    assert.equal(
      panel.instances.reduce((n, i) => n + i.runningTasks, 0),
      3,
      "the three RunTask tasks",
    );
  });

  it("reads the 60 services in DescribeServices calls of at most 10, and all tasks in one DescribeTasks call", async () => {
    const calls: { command: string; size: number }[] = [];
    const clients = createClients({ ...moto.clientConfig, maxAttempts: 1 });
    clients.ecs.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { services?: unknown[]; tasks?: unknown[] };
        calls.push({ command: context.commandName ?? "", size: (input.services ?? input.tasks ?? []).length });
        return next(args);
      },
      { step: "initialize", name: "countCalls" },
    );
    try {
      const { io, out } = memoryIo();
      assert.equal(await statusCommand(["--cluster", CLUSTER], clients, io), 0, out.stderr);
      const describeServices = calls.filter((c) => c.command === "DescribeServicesCommand").map((c) => c.size);
      assert.deepEqual(describeServices, [10, 10, 10, 10, 10, 10]);
      const describeTasks = calls.filter((c) => c.command === "DescribeTasksCommand").map((c) => c.size);
      assert.deepEqual(describeTasks, [3], "the running tasks; no task has stopped");
      assert.equal(
        calls.filter((c) => c.command === "ListTasksCommand").length,
        2,
        "one ListTasks for the cluster per desired status (RUNNING, STOPPED), not one per service",
      );
    } finally {
      clients.ecs.destroy();
    }
  });

  it("names the failing AWS call and exits 1 when some reads fail, still printing what it could read", async () => {
    const good = seeded.clients;
    // SQS pointed at a closed port: every queue read fails, ECS still answers.
    const broken: ConsoleClients = {
      ...good,
      sqs: createClients({ ...moto.clientConfig, endpoint: "http://127.0.0.1:9", maxAttempts: 1 }).sqs,
    };
    const { io, out } = memoryIo();
    const code = await statusCommand(["--cluster", CLUSTER], broken, io);
    broken.sqs.destroy();
    assert.equal(code, 1);
    const errorLines = out.stdout.split("\n").filter((l) => l.startsWith("error: sqs:GetQueueAttributes"));
    assert.equal(errorLines.length, SERVICE_COUNT, out.stdout);
    assert.match(out.stdout, new RegExp(`${SERVICE_COUNT} services on ${CLUSTER}`));
    // Never read, so unknown: not 60 rows of "queue not found", and not counted as problems.
    assert.doesNotMatch(out.stdout, /queue not found/);
  });

  it("keeps the last good snapshot when every AWS read fails, marked stale with its age; never an empty all-clear", async () => {
    let clock = new Date();
    const good = createClients({ ...moto.clientConfig, maxAttempts: 1 });
    const collector = new Collector(good, { cluster: CLUSTER, region: moto.clientConfig.region, now: () => clock });
    const first = await collector.snapshot();
    assert.deepEqual(first.stale, []);
    assert.equal(first.dataAsOf, first.generatedAt);
    const flaggedBefore = first.workers.filter((w) => w.attention.length > 0).map((w) => w.serviceName);

    // The endpoint goes away: every client now points at a closed port.
    const dead = createClients({ ...moto.clientConfig, endpoint: "http://127.0.0.1:9", maxAttempts: 1 });
    (collector as unknown as { clients: ConsoleClients }).clients = dead;
    clock = new Date(clock.getTime() + 90_000);
    try {
      const second = await collector.snapshot();
      assert.ok(second.errors.length > 0, "the failures are reported");
      assert.equal(second.unavailable, false);
      assert.equal(second.workers.length, SERVICE_COUNT, "the rows are kept");
      assert.deepEqual(
        second.workers.filter((w) => w.attention.length > 0).map((w) => w.serviceName),
        flaggedBefore,
        "and their problems",
      );
      assert.equal(second.dataAsOf, first.generatedAt, "the data is as old as the last good read");
      assert.ok(
        second.workers.every((w) => w.staleSince === first.generatedAt),
        "every row is marked stale",
      );
      assert.equal(second.clusterPanel.staleSince, first.generatedAt);
      assert.equal(second.clusterPanel.instances.length, first.clusterPanel.instances.length);
      assert.ok(second.stale.some((s) => s.source === "ecs:ListServices/DescribeServices"));
      assert.match(renderStatus(second), new RegExp(`STALE: \\d+ read\\(s\\) failed; showing data from ${first.generatedAt}`));
    } finally {
      destroyClients(dead);
      destroyClients(good);
    }
  });

  it("says there is no data, not zero services, when the very first read fails", async () => {
    const dead = createClients({ ...moto.clientConfig, endpoint: "http://127.0.0.1:9", maxAttempts: 1 });
    try {
      const snapshot = await new Collector(dead, { cluster: CLUSTER, region: moto.clientConfig.region }).snapshot();
      assert.deepEqual({ unavailable: snapshot.unavailable, workers: snapshot.workers.length }, { unavailable: true, workers: 0 });
      assert.match(
        renderStatus(snapshot),
        /no data: the services on jobworker-test \(ap-northeast-1\) could not be read; nothing is known to be well/,
      );
    } finally {
      destroyClients(dead);
    }
  });

  it("keeps at most 4 AWS calls in flight across all collectors (measured for 60 services)", async () => {
    const clients = createClients({ ...moto.clientConfig, maxAttempts: 1 });
    const collector = new Collector(clients, { cluster: CLUSTER, region: moto.clientConfig.region });
    try {
      const measure = async () => {
        clients.limiter?.resetStats();
        const started = process.hrtime.bigint();
        await collector.snapshot();
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        return { calls: clients.limiter?.calls ?? 0, maxInFlight: clients.limiter?.maxInFlight ?? 0, ms: Math.round(ms) };
      };
      const cold = await measure();
      const warm = await measure();
      process.stdout.write(
        `      refresh of ${SERVICE_COUNT} services against moto: cold ${cold.calls} calls in ${cold.ms} ms, warm ${warm.calls} calls in ${warm.ms} ms, at most ${Math.max(cold.maxInFlight, warm.maxInFlight)} in flight\n`,
      );
      assert.equal(cold.maxInFlight, 4);
      assert.equal(warm.maxInFlight, 4);
      // Task definitions and DLQ URLs are cached: a warm refresh skips 60 + 60 calls; so are the
      // sparklines' GetMetricData (5 min), the fleet's history (1 min) and the dashboard lookup (10 min).
      assert.equal(cold.calls - warm.calls, 2 * SERVICE_COUNT + 3);
    } finally {
      destroyClients(clients);
    }
  });

  it("`jobworker console` serves the overview on the port it prints, and stops on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      ["-r", join(ROOT, "test/support/register.js"), join(ROOT, "console/cli.ts"), "console", "--port", "0"],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...moto.env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      const url = await waitFor(
        "the console's URL",
        () => {
          if (child.exitCode !== null) throw new Error(`console exited ${child.exitCode}: ${stderr}`);
          return /read-only: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1];
        },
        { timeoutMs: 30_000 },
      );
      assert.match(stdout, new RegExp(`jobworker console for cluster ${CLUSTER} \\(ap-northeast-1\\), read-only: `));
      const snapshot = (await (await fetch(`${url}api/overview`)).json()) as Snapshot;
      assert.equal(snapshot.workers.length, SERVICE_COUNT);
    } finally {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      assert.equal(await exited, 0, `exit code after SIGTERM; stderr: ${stderr}`);
      clearTimeout(timer);
    }
  });

  it("exits 2 with the usage on an unknown flag", async () => {
    const { io, out } = memoryIo();
    assert.equal(await statusCommand(["--clutser", "x"], seeded.clients, io), 2);
    assert.match(out.stderr, /Unknown option '--clutser'/);
    assert.match(out.stderr, /usage: jobworker status/);
  });
});
