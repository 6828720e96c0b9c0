/**
 * `jobworker smoke` against moto server. The fixture deploys feed-normalize as the staging stack
 * does; `ControlPlaneStandIn` plays what moto cannot (the alarm going to ALARM, App Auto Scaling
 * raising the desired count, ECS placing a task, the container: the real `jobworker run
 * feed-normalize`), each only when the state AWS would react to is there. The happy path runs the
 * CLI as an operator would (`--stack`, through a stand-in `pulumi` on the PATH, and AWS_ENDPOINT_URL);
 * the failures run `smokeCommand` in process with clients pointed at moto.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { smokeCommand } from "../../../console";
import { createSmokeClients } from "../../../console/smoke/clients";
import { STEP_IDS, STEPS } from "../../../console/smoke/steps";
import { startMoto, type MotoServer } from "../../support/moto";
import { ControlPlaneStandIn, deployWorker, type DeployedWorker, type Parts, RESULTS_BUCKET, WORKER, writeOutputs } from "./smoke-fixture";

const ROOT = join(__dirname, "..", "..", "..");
// The checkout's `jobworker`, as an operator runs it: it sends `smoke` to the console package.
const JOBWORKER = join(ROOT, "bin", "jobworker.js");
const ARTIFACTS = join(ROOT, "test-artifacts", "smoke");
const ALL_PARTS: Parts = { alarm: true, scale: true, task: true, worker: true };
const TITLES = STEP_IDS.map((id) => STEPS[id].title);
/** `[  12.3 s] ok    message queued            1 visible, 0 in flight` */
const STEP_LINE = /^\[\s*([\d.]+) s\] (ok  |skip|FAIL)  (.{24})  (.*)$/;

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [JOBWORKER, ...args], {
      cwd: ROOT,
      env: { HOME: process.env.HOME ?? "/tmp", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 150_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `smokeCommand` in process, with clients on moto and the outputs read from files. */
async function runInProcess(moto: MotoServer, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: "", stderr: "" };
  const code = await smokeCommand(
    argv,
    { stdout: { write: (t: string) => (out.stdout += t) }, stderr: { write: (t: string) => (out.stderr += t) } },
    {
      createClients: (region) => createSmokeClients({ ...moto.clientConfig, region, maxAttempts: 1 }),
      outputsReader: {
        readFile: (path) => readFile(path, "utf8"),
        readStdin: async () => "",
        pulumiStackOutput: async (stack) => {
          throw new Error(`no Pulumi CLI in this test (asked for ${stack})`);
        },
      },
    },
  );
  return { code, ...out };
}

function stepLines(stdout: string): Array<{ seconds: number; mark: string; title: string; detail: string }> {
  return stdout
    .split("\n")
    .map((l) => STEP_LINE.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ seconds: Number(m[1]), mark: m[2]!.trim(), title: m[3]!.trim(), detail: m[4]! }));
}

async function keysIn(moto: MotoServer, bucket: string): Promise<string[]> {
  const s3 = new S3Client(moto.clientConfig);
  try {
    return ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key!);
  } finally {
    s3.destroy();
  }
}

describe("jobworker smoke (against moto server)", function () {
  this.timeout(180_000);
  let moto: MotoServer;
  let dir: string;

  before(async () => {
    moto = await startMoto();
    dir = mkdtempSync(join(tmpdir(), "jobworker-smoke-"));
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("follows the sample from upload to its output object, printing every step in order with its time, and deletes what it put (exit 0)", async () => {
    const deployed = await deployWorker(moto);
    const outputsFile = writeOutputs(dir, deployed);
    // `--stack staging` runs `pulumi stack output --json --stack staging`: a stand-in CLI answers it.
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, "pulumi"),
      `#!/bin/sh\n[ "$*" = "stack output --json --stack staging" ] || { echo "unexpected: pulumi $*" >&2; exit 3; }\ncat '${outputsFile}'\n`,
    );
    chmodSync(join(bin, "pulumi"), 0o755);
    const standIn = new ControlPlaneStandIn(moto, deployed, ALL_PARTS).start();
    let run;
    try {
      run = await runCli(["smoke", "--stack", "staging", "--interval", "0.5", "--timeout", "120"], {
        ...moto.env,
        PATH: `${bin}:${process.env.PATH}`,
      });
    } finally {
      await standIn.stop();
    }
    writeFileSync(join(ARTIFACTS, "happy-path.txt"), run.stdout);
    assert.equal(run.code, 0, `exit code; stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);

    const steps = stepLines(run.stdout);
    assert.deepEqual(
      steps.map((s) => [s.mark, s.title]),
      TITLES.map((t) => ["ok", t]),
      run.stdout,
    );
    for (let i = 1; i < steps.length; i++) assert.ok(steps[i]!.seconds >= steps[i - 1]!.seconds, `times in order:\n${run.stdout}`);
    for (const s of steps) assert.doesNotMatch(s.detail, /not seen itself/, `every step seen itself:\n${run.stdout}`);
    assert.match(
      steps[0]!.detail,
      new RegExp(`^s3://${deployed.inputBucket}/feeds/jobworker-smoke-\\d{8}T\\d{6}Z-[0-9a-f]{6}-acme-feed\\.csv \\(\\d+ bytes\\)$`),
    );
    assert.match(
      steps[2]!.detail,
      new RegExp(`^${deployed.scaleOutAlarms[0]} \\(CloudWatch changed its state [\\d.]+ s after the upload\\)$`),
    );
    assert.match(steps[3]!.detail, /^desired 1 /);
    const output = new RegExp(`s3://${RESULTS_BUCKET}/feed-normalize/feeds/jobworker-smoke-[^ ]+-acme-feed\\.[0-9a-f]{16}\\.ndjson`);
    assert.match(steps[5]!.detail, output);
    assert.match(steps[5]!.detail, /queue drained; nothing in the DLQ$/);

    const decision = /^upload → scale-out decision: ([\d.]+) s \(target ≤ 30 s: met\)$/m.exec(run.stdout);
    assert.ok(decision, `the decision time is printed:\n${run.stdout}`);
    assert.ok(Number(decision[1]) <= steps[2]!.seconds, "CloudWatch's change comes no later than the check saw it");
    assert.match(run.stdout, /^PASSED: every step happened, in [\d.]+ s$/m);

    // The stand-in reacted in AWS's order; the real worker delivered the output the check found.
    assert.deepEqual(
      standIn.actions.map((a) => a.what),
      ["alarm", "scale", "task", "worker"],
    );
    const done = standIn.workerProcess!.lines.find((l) => l.msg === "job done") as { outputs?: Array<{ target: string }> } | undefined;
    assert.ok(done?.outputs?.[0], "the worker logged its delivery");
    assert.match(done.outputs[0].target, output);
    // Cleanup: the sample and the output it made are gone, and the report says so.
    assert.deepEqual(await keysIn(moto, deployed.inputBucket), []);
    assert.deepEqual(await keysIn(moto, RESULTS_BUCKET), []);
    assert.match(run.stdout, new RegExp(`^cleanup: deleted s3://${deployed.inputBucket}/feeds/jobworker-smoke-.*, ${output.source}$`, "m"));
  });

  it('fails at "ECS desired count > 0" when the alarm fires but nothing scales the service, and says what to look at (exit 1)', async () => {
    const deployed = await deployWorker(moto);
    const outputsFile = writeOutputs(dir, deployed);
    const standIn = new ControlPlaneStandIn(moto, deployed, { alarm: true, scale: false, task: false, worker: false }).start();
    let run;
    try {
      run = await runInProcess(moto, ["--outputs", outputsFile, "--timeout", "6", "--interval", "0.5"]);
    } finally {
      await standIn.stop();
    }
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const steps = stepLines(run.stdout);
    assert.deepEqual(
      steps.map((s) => [s.mark, s.title]),
      [
        ["ok", TITLES[0]],
        ["ok", TITLES[1]],
        ["ok", TITLES[2]],
        ["FAIL", TITLES[3]],
      ],
      run.stdout,
    );
    assert.match(
      steps[3]!.detail,
      /^did not happen within 6 s \(last seen: queue 1 visible \/ 0 in flight; desired 0, running 0, pending 0/,
    );
    assert.ok(steps[3]!.seconds >= 6, `failed at the deadline, ${steps[3]!.seconds} s`);
    assert.match(run.stdout, /^FAILED at "ECS desired count > 0" after [\d.]+ s: did not happen within 6 s/m);
    assert.match(
      run.stdout,
      new RegExp(
        `what to look at: .*describe-scaling-activities --service-namespace ecs --resource-id service/${deployed.clusterName}/${deployed.serviceName}`,
      ),
    );
    assert.match(run.stdout, /AWSServiceRoleForApplicationAutoScaling_ECSService/);
    assert.deepEqual(await keysIn(moto, deployed.inputBucket), [], "the sample is deleted even when the check fails");
  });

  it("reports the dead-letter queue's reason when the job fails for good, as JSON lines (exit 1)", async () => {
    const deployed = await deployWorker(moto);
    const outputsFile = writeOutputs(dir, deployed);
    const empty = join(dir, "empty-feed.csv");
    writeFileSync(empty, "");
    const standIn = new ControlPlaneStandIn(moto, deployed, ALL_PARTS).start();
    let run;
    try {
      run = await runInProcess(moto, [
        "--outputs",
        outputsFile,
        "--worker",
        WORKER,
        "--file",
        empty,
        "--json",
        "--timeout",
        "90",
        "--interval",
        "0.5",
      ]);
    } finally {
      await standIn.stop();
    }
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const events = run.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, any>);
    assert.equal(events[0]!.type, "start");
    const steps = events.filter((e) => e.type === "step");
    assert.deepEqual(
      steps.map((s) => [s.step, s.status]),
      [...STEP_IDS.slice(0, 5).map((id) => [id, "passed"]), ["delivered", "failed"]],
    );
    const result = events[events.length - 1]!;
    assert.equal(result.type, "result");
    assert.deepEqual([result.passed, result.exitCode, result.failure.step], [false, 1, "delivered"]);
    const dlq = deployed.deadLetterQueueUrl.split("/").pop();
    assert.match(
      result.failure.message,
      new RegExp(`^the job was dead-lettered into ${dlq}: .*empty-feed\\.csv is empty: a feed needs a header row`),
    );
    assert.match(result.failure.hint, /stays in .* for inspection/);
    assert.equal(typeof result.decisionSeconds, "number");
    assert.match(events[0]!.object, new RegExp(`^s3://${deployed.inputBucket}/feeds/jobworker-smoke-.*-empty-feed\\.csv$`));
    assert.deepEqual(result.cleanup, { deleted: [events[0]!.object], errors: [] }, "the sample is deleted; no output was made");
  });

  describe("could not run (exit 2, nothing uploaded)", () => {
    let good: string;
    let deployed: DeployedWorker;
    before(async () => {
      deployed = await deployWorker(moto);
      good = writeOutputs(mkdtempSync(join(dir, "good-")), deployed);
    });

    const file = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      return path;
    };
    const cases: Array<[string, () => string[], RegExp]> = [
      ["without a source of outputs", () => [], /`--outputs <file\|->` or `--stack <name>` is required/],
      ["with both --outputs and --stack", () => ["--outputs", good, "--stack", "staging"], /`--outputs` and `--stack` are both given/],
      ["with an outputs file that does not exist", () => ["--outputs", join(dir, "nope.json")], /`--outputs .*nope\.json`: ENOENT/],
      [
        "with outputs that are not JSON",
        () => ["--outputs", file("text.json", "Current stack outputs (2):")],
        /`--outputs .*text\.json` is not JSON/,
      ],
      [
        "with outputs of something else than a jobworker stack",
        () => ["--outputs", file("other.json", '{"clusterName":"c"}')],
        /`--outputs .*other\.json` is not a jobworker stack's outputs: `workers` is missing/,
      ],
      [
        "with a worker the stack does not have",
        () => ["--outputs", good, "--worker", "nope"],
        /`--worker nope` is not a worker of `--outputs .*`; its workers: feed-normalize/,
      ],
      [
        "with a timeout that is not a number",
        () => ["--outputs", good, "--timeout", "soon"],
        /`--timeout` is "soon"; give a number of seconds from 1 to 3600/,
      ],
      [
        "with a sample file that cannot be read",
        () => ["--outputs", good, "--file", join(dir, "missing.csv")],
        /`--file .*missing\.csv` cannot be read \(ENOENT\)/,
      ],
      ["with an unknown flag", () => ["--outputs", good, "--bucket", "x"], /Unknown option '--bucket'/],
    ];
    for (const [what, argv, message] of cases) {
      it(`exits 2 ${what}, naming the flag`, async () => {
        const run = await runInProcess(moto, argv());
        assert.equal(run.code, 2, run.stdout + run.stderr);
        assert.match(run.stderr, message);
        assert.match(run.stderr, /usage: jobworker smoke/);
        assert.equal(run.stdout, "");
      });
    }

    it("exits 2 when the stack's resources are not where its outputs say, and uploads nothing", async () => {
      const outputs = structuredClone(deployed.outputs) as { workers: Record<string, Record<string, string>> };
      outputs.workers[WORKER]!.queueUrl = `${deployed.queueUrl}-gone`;
      const run = await runInProcess(moto, ["--outputs", file("stale.json", JSON.stringify(outputs)), "--json"]);
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(
        run.stderr,
        /^jobworker smoke: could not run: reading queue .*-gone: .*is `--outputs .*stale\.json` the stack of this account and region, and is it deployed\?/,
      );
      assert.deepEqual(JSON.parse(run.stdout), { type: "result", passed: false, exitCode: 2, error: JSON.parse(run.stdout).error });
      assert.deepEqual(await keysIn(moto, deployed.inputBucket), []);
    });

    it("exits 2 from the CLI when --stack is given and the Pulumi CLI is not on the PATH", async () => {
      const run = await runCli(["smoke", "--stack", "staging"], { ...moto.env, PATH: dirnameOfNode() });
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(run.stderr, /`--stack staging`: the Pulumi CLI \(`pulumi`\) is not on the PATH; .* pass `--outputs <file>`/);
    });
  });
});

/** A PATH with node and nothing else (no `pulumi`). */
function dirnameOfNode(): string {
  return join(process.execPath, "..");
}
