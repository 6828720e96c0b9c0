/**
 * The spot interruption watcher script, run for real (bash, curl, the AWS CLI from .venv) against a
 * fake IMDSv2 metadata server and a fake ECS agent introspection endpoint on loopback, and moto's
 * ECS behind a counting proxy: no notice means no call; a notice means exactly one
 * UpdateContainerInstancesState(DRAINING), once, even across restarts.
 */
import assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, IncomingMessage, request, Server, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeImagesCommand, EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { CreateClusterCommand, DescribeContainerInstancesCommand, ECSClient, RegisterContainerInstanceCommand } from "@aws-sdk/client-ecs";
import { WATCHER_SCRIPT_FILE } from "../../../bootstrap/files";
import { MotoServer, startMoto } from "../../support/moto";
import { freePort } from "../../support/ports";
import { waitFor } from "../../support/wait";

const AWS_CLI = join(__dirname, "..", "..", "..", ".venv", "bin", "aws");
const TOKEN = "imds-session-token-1";

/** Fake IMDSv2 + ECS agent introspection. Metadata items need the session token, as IMDSv2 requires. */
class FakeInstance {
  instanceAction: string | undefined;
  rebalance: string | undefined;
  readonly polls = { instanceAction: 0, rebalance: 0, token: 0, unauthorized: 0 };
  private server!: Server;
  port = 0;
  constructor(private readonly agentMetadata: { Cluster: string; ContainerInstanceArn: string }) {}

  async start(): Promise<string> {
    this.port = await freePort();
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(this.port, "127.0.0.1", r));
    return `http://127.0.0.1:${this.port}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const send = (code: number, body = ""): void => {
      res.writeHead(code, { "content-type": "text/plain" }).end(body);
    };
    if (req.method === "PUT" && req.url === "/latest/api/token") {
      this.polls.token++;
      return req.headers["x-aws-ec2-metadata-token-ttl-seconds"] ? send(200, TOKEN) : send(400);
    }
    if (req.method === "GET" && req.url === "/v1/metadata") {
      return send(200, JSON.stringify({ ...this.agentMetadata, Version: "Amazon ECS Agent - v1.89.0" }));
    }
    if (req.method === "GET" && req.url?.startsWith("/latest/meta-data/")) {
      if (req.headers["x-aws-ec2-metadata-token"] !== TOKEN) {
        this.polls.unauthorized++;
        return send(401);
      }
      if (req.url === "/latest/meta-data/spot/instance-action") {
        this.polls.instanceAction++;
        return this.instanceAction ? send(200, this.instanceAction) : send(404);
      }
      if (req.url === "/latest/meta-data/events/recommendations/rebalance") {
        this.polls.rebalance++;
        return this.rebalance ? send(200, this.rebalance) : send(404);
      }
    }
    send(404);
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** Forwards to moto and counts UpdateContainerInstancesState calls with their bodies. */
class CountingProxy {
  readonly drainCalls: Record<string, unknown>[] = [];
  private server!: Server;
  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    const port = await freePort();
    const target = new URL(this.target);
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        if (String(req.headers["x-amz-target"] ?? "").endsWith(".UpdateContainerInstancesState"))
          this.drainCalls.push(JSON.parse(body.toString()));
        const upstream = request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        upstream.on("error", (err) => res.writeHead(502).end(String(err)));
        upstream.end(body);
      });
    });
    await new Promise<void>((r) => this.server.listen(port, "127.0.0.1", r));
    return `http://127.0.0.1:${port}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

interface Run {
  child: ChildProcess;
  stderr: () => string;
  exited: () => number | null | undefined;
}

describe("spot interruption watcher (bash, against fake IMDSv2 + moto ECS)", function () {
  this.timeout(60_000);
  let moto: MotoServer;
  let ecs: ECSClient;
  let proxy: CountingProxy;
  let proxyUrl: string;
  let instanceArn: string;
  let stateDir: string;
  const running: ChildProcess[] = [];

  before(async () => {
    if (!existsSync(AWS_CLI)) throw new Error(`the AWS CLI is not installed at ${AWS_CLI}: run \`bash scripts/setup.sh\``);
    moto = await startMoto();
    ecs = new ECSClient(moto.clientConfig);
    proxy = new CountingProxy(moto.endpoint);
    proxyUrl = await proxy.start();
  });

  after(async () => {
    for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await proxy?.stop();
    await moto?.stop();
  });

  beforeEach(async () => {
    await moto.reset();
    proxy.drainCalls.length = 0;
    await ecs.send(new CreateClusterCommand({ clusterName: "jw" }));
    // moto registers a container instance only for an EC2 instance it knows.
    const ec2 = new EC2Client(moto.clientConfig);
    const images = await ec2.send(new DescribeImagesCommand({}));
    const launched = await ec2.send(
      new RunInstancesCommand({ ImageId: images.Images![0].ImageId!, InstanceType: "c6i.4xlarge", MinCount: 1, MaxCount: 1 }),
    );
    const instanceId = launched.Instances![0].InstanceId!;
    const registered = await ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: "jw",
        instanceIdentityDocument: JSON.stringify({ instanceId, region: "ap-northeast-1" }),
      }),
    );
    instanceArn = registered.containerInstance!.containerInstanceArn!;
    stateDir = mkdtempSync(join(tmpdir(), "watcher-state-"));
  });

  afterEach(() => {
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  function startWatcher(imds: string, env: Record<string, string> = {}): Run {
    const child = spawn("bash", [WATCHER_SCRIPT_FILE], {
      stdio: ["ignore", "ignore", "pipe"],
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        ...moto.env,
        AWS_ENDPOINT_URL: proxyUrl,
        IMDS_ENDPOINT: imds,
        ECS_AGENT_URL: imds,
        WATCHER_INTERVAL_SECONDS: "0.2",
        WATCHER_STATE_DIR: stateDir,
        AWS_CLI,
        ...env,
      },
    });
    running.push(child);
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    let code: number | null | undefined;
    child.once("exit", (c) => (code = c));
    return { child, stderr: () => stderr, exited: () => code };
  }

  async function status(): Promise<string> {
    const out = await ecs.send(new DescribeContainerInstancesCommand({ cluster: "jw", containerInstances: [instanceArn] }));
    return out.containerInstances![0].status!;
  }

  const notices = [
    {
      kind: "a Spot interruption notice",
      field: "instanceAction" as const,
      body: '{"action":"terminate","time":"2030-01-01T00:02:00Z"}',
      reason: /spot interruption/,
    },
    {
      kind: "a rebalance recommendation",
      field: "rebalance" as const,
      body: '{"noticeTime":"2030-01-01T00:00:00Z"}',
      reason: /rebalance recommendation/,
    },
  ];
  for (const n of notices) {
    it(`keeps quiet without a notice, then drains exactly once on ${n.kind}`, async () => {
      const fake = new FakeInstance({ Cluster: "jw", ContainerInstanceArn: instanceArn });
      const url = await fake.start();
      try {
        const run = startWatcher(url);
        await waitFor("three polls without a notice", () => fake.polls.instanceAction >= 3 && fake.polls.rebalance >= 3, {
          timeoutMs: 15_000,
          intervalMs: 50,
        });
        assert.equal(run.exited(), undefined, `still watching: ${run.stderr()}`);
        assert.equal(proxy.drainCalls.length, 0);
        assert.equal(await status(), "ACTIVE");
        assert.equal(fake.polls.unauthorized, 0, "every metadata read carried the IMDSv2 token");

        fake[n.field] = n.body;
        const code = await waitFor("the watcher to drain and exit", () => run.exited() ?? undefined, { timeoutMs: 20_000, intervalMs: 50 });
        assert.equal(code, 0, run.stderr());
        assert.deepEqual(proxy.drainCalls, [{ cluster: "jw", containerInstances: [instanceArn], status: "DRAINING" }]);
        assert.equal(await status(), "DRAINING");
        assert.match(run.stderr(), new RegExp(`set container instance ${instanceArn.replace(/[/.]/g, "\\$&")} of cluster jw to DRAINING`));
        assert.match(run.stderr(), n.reason);

        // Restarted (systemd, a reboot without a new instance): it remembers and calls nothing.
        const pollsBefore = fake.polls.instanceAction;
        const again = startWatcher(url);
        const againCode = await waitFor("the restarted watcher to exit", () => again.exited() ?? undefined, {
          timeoutMs: 10_000,
          intervalMs: 50,
        });
        assert.equal(againCode, 0);
        assert.match(again.stderr(), /already set to DRAINING/);
        assert.equal(proxy.drainCalls.length, 1);
        assert.equal(fake.polls.instanceAction, pollsBefore);
      } finally {
        await fake.stop();
      }
    });
  }

  it("ignores rebalance recommendations when told to, and still drains on the interruption notice", async () => {
    const fake = new FakeInstance({ Cluster: "jw", ContainerInstanceArn: instanceArn });
    const url = await fake.start();
    try {
      fake.rebalance = '{"noticeTime":"2030-01-01T00:00:00Z"}';
      const run = startWatcher(url, { WATCHER_DRAIN_ON_REBALANCE: "false" });
      await waitFor("three polls with a rebalance recommendation", () => fake.polls.instanceAction >= 3, {
        timeoutMs: 15_000,
        intervalMs: 50,
      });
      assert.equal(fake.polls.rebalance, 0, "rebalance not even read");
      assert.equal(proxy.drainCalls.length, 0);
      fake.instanceAction = '{"action":"terminate","time":"2030-01-01T00:02:00Z"}';
      const code = await waitFor("the watcher to drain and exit", () => run.exited() ?? undefined, { timeoutMs: 20_000, intervalMs: 50 });
      assert.equal(code, 0, run.stderr());
      assert.equal(proxy.drainCalls.length, 1);
    } finally {
      await fake.stop();
    }
  });

  it("retries the drain on the next poll when the agent has not registered the instance yet", async () => {
    const fake = new FakeInstance({ Cluster: "", ContainerInstanceArn: "" });
    const url = await fake.start();
    try {
      fake.instanceAction = '{"action":"terminate","time":"2030-01-01T00:02:00Z"}';
      const run = startWatcher(url);
      await waitFor("two failed attempts", () => (run.stderr().match(/agent has not registered/g) ?? []).length >= 2, {
        timeoutMs: 15_000,
        intervalMs: 50,
      });
      assert.equal(run.exited(), undefined);
      assert.equal(proxy.drainCalls.length, 0);
      run.child.kill("SIGTERM");
    } finally {
      await fake.stop();
    }
  });
});
