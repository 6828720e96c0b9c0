/**
 * `jobworker status` against moto server: the table and `--json` show every one of the 28 services
 * with the counts moto and SQS report, through the standard SDK settings (AWS_ENDPOINT_URL in the
 * child's environment), in batched calls; failed reads are reported and set the exit code.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createClients, ConsoleClients } from "../../../console/aws/clients";
import { statusCommand } from "../../../console/index";
import { Snapshot } from "../../../console/types";
import { startMoto, MotoServer } from "../../support/moto";
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

  before(async () => {
    moto = await startMoto();
    seeded = await seedPlatform(moto);
  });
  after(async () => {
    await moto?.stop();
  });

  it("prints one table row per service with moto's desired/running/pending and SQS's visible/in-flight/DLQ counts", async () => {
    // No --cluster: the account's only cluster is used.
    const { code, stdout, stderr } = await runCli(["status"], moto.env);
    assert.equal(code, 0, `exit code; stderr: ${stderr}`);
    const rowPattern = /^(!?)\s+(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)/;
    const rows = new Map(
      stdout
        .split("\n")
        .slice(1)
        .map((line) => rowPattern.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[2] as string, m]),
    );
    assert.equal(rows.size, SERVICE_COUNT, `rows in:\n${stdout}`);
    for (const e of seeded.expected) {
      const m = rows.get(e.worker);
      assert.ok(m, `row for ${e.worker}`);
      const [, flag, , status, desired, running, pending, visible, inFlight, dlq, oldest] = m;
      assert.deepEqual(
        { flag, status, desired: Number(desired), running: Number(running), pending: Number(pending), visible: Number(visible), inFlight: Number(inFlight), dlq: Number(dlq) },
        { flag: e.attention ? "!" : "", status: "ACTIVE", desired: e.desired, running: e.running, pending: e.pending, visible: e.visible, inFlight: e.inFlight, dlq: e.dlqDepth },
        `row of ${e.worker}: ${m[0]}`,
      );
      assert.equal(oldest, e.oldestMessageAgeSeconds === undefined ? "-" : "7m", `oldest of ${e.worker}`);
    }
    assert.match(stdout, new RegExp(`${SERVICE_COUNT} services on ${CLUSTER} \\(ap-northeast-1\\), 4 need attention`));
    assert.match(stdout, new RegExp(`instances: 2 active, 1 draining, 1 stale; fleet ${seeded.fleetId} 8/8 vCPU; types m5.largex2`));
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
        { worker: w.worker, desired: w.desired, running: w.running, pending: w.pending, visible: w.queue?.visible, inFlight: w.queue?.inFlight, dlq: w.dlqDepth, age: w.oldestMessageAgeSeconds, attention: w.attention.length > 0 },
        { worker: e.worker, desired: e.desired, running: e.running, pending: e.pending, visible: e.visible, inFlight: e.inFlight, dlq: e.dlqDepth, age: e.oldestMessageAgeSeconds, attention: e.attention },
        e.serviceName,
      );
    }
    assert.deepEqual(byService.get(seeded.dlqService)?.attention, ["DLQ holds 3 message(s)"]);
    assert.deepEqual(byService.get(seeded.backlogIdleService)?.attention, ["backlog of 7 with 0 running tasks"]);
    assert.deepEqual(byService.get(seeded.alarmService)?.attention, ["alarm jw-alarmed-backlog is in ALARM"]);
    assert.deepEqual(byService.get(seeded.dlqService)?.alarms, [{ name: "jw-orders-webhook-backlog", state: "OK" }]);
    assert.equal(byService.get("jw-tag-found")?.queueSource, "tag");
    assert.equal(byService.get("jw-tag-found")?.worker, "tag-found");
    assert.equal(byService.get(seeded.tasksService)?.queueSource, "task-definition");

    const panel = snapshot.clusterPanel;
    assert.deepEqual(
      { active: panel.active, draining: panel.draining, types: panel.instanceTypes, fleets: panel.fleets },
      { active: 2, draining: 1, types: { "m5.large": 2 }, fleets: [{ id: seeded.fleetId, state: "active", targetVcpus: 8, fulfilledVcpus: 8 }] },
    );
    assert.deepEqual(
      panel.stale.map((s) => [s.ec2InstanceId, s.instanceType, s.stale]),
      [[seeded.staleEc2Id, "c5.xlarge", `EC2 instance ${seeded.staleEc2Id} is terminated`]],
    );
    assert.equal(panel.instances.reduce((n, i) => n + i.runningTasks, 0), 3, "the three RunTask tasks");
  });

  it("reads the 28 services in DescribeServices calls of at most 10, and all tasks in one DescribeTasks call", async () => {
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
      assert.deepEqual(describeServices, [10, 10, 8]);
      const describeTasks = calls.filter((c) => c.command === "DescribeTasksCommand").map((c) => c.size);
      assert.deepEqual(describeTasks, [3]);
      assert.equal(calls.filter((c) => c.command === "ListTasksCommand").length, 1, "one ListTasks for the cluster, not one per service");
    } finally {
      clients.ecs.destroy();
    }
  });

  it("names the failing AWS call and exits 1 when some reads fail, still printing what it could read", async () => {
    const good = seeded.clients;
    // SQS pointed at a closed port: every queue read fails, ECS still answers.
    const broken: ConsoleClients = { ...good, sqs: createClients({ ...moto.clientConfig, endpoint: "http://127.0.0.1:9", maxAttempts: 1 }).sqs };
    const { io, out } = memoryIo();
    const code = await statusCommand(["--cluster", CLUSTER], broken, io);
    broken.sqs.destroy();
    assert.equal(code, 1);
    const errorLines = out.stdout.split("\n").filter((l) => l.startsWith("error: sqs:GetQueueAttributes"));
    assert.equal(errorLines.length, SERVICE_COUNT, out.stdout);
    assert.match(out.stdout, new RegExp(`${SERVICE_COUNT} services on ${CLUSTER}`));
  });

  it("`jobworker console` serves the overview on the port it prints, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, ["-r", join(ROOT, "test/support/register.js"), join(ROOT, "console/cli.ts"), "console", "--port", "0"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...moto.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
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
