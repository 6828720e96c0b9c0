/**
 * Shutdown against moto server: a receive parked at SIGTERM is never abandoned (its messages would stay
 * invisible with nobody holding them), and a job stopped by shutdown is handed back without charging a
 * receive, so interruptions never send a healthy job to the dead-letter queue; real failures still do.
 */
import assert from "node:assert/strict";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { join } from "node:path";
import { WORKER_ENV } from "../../../catalog/contract";
import { HANDOFF_ATTRIBUTE } from "../../../workers/runtime/handoff";
import { RUNTIME_TUNING_ENV } from "../../../workers/runtime/settings";
import { startMoto, type MotoServer } from "../../support/moto";
import { duplicateKeys } from "../../support/json-keys";
import { waitFor } from "../../support/wait";
import { copyKind } from "./fixtures/test-kinds";
import {
  createPipeline,
  ensureStopped,
  eventsOf,
  queueDepth,
  receiveAll,
  spawnWorker,
  startWorker,
  testSettings,
  waitForLine,
  type ChildWorker,
  type RunningWorker,
} from "./helpers";

const FIXTURE = join(__dirname, "fixtures", "worker-process.ts");

describe("runtime shutdown and hand-off (moto server)", function () {
  this.timeout(180_000);
  let moto: MotoServer;
  let s3: S3Client;
  let sqs: SQSClient;
  let child: ChildWorker | undefined;
  let running: RunningWorker | undefined;

  before(async () => {
    moto = await startMoto();
    s3 = new S3Client(moto.clientConfig);
    sqs = new SQSClient(moto.clientConfig);
  });
  afterEach(async () => {
    await ensureStopped(child);
    child = undefined;
    await running?.stop();
    running = undefined;
  });
  after(async () => {
    s3?.destroy();
    sqs?.destroy();
    await moto?.stop();
  });

  const emptyQueue = async (queueUrl: string) => {
    const d = await queueDepth(sqs, queueUrl);
    return d.visible === 0 && d.inFlight === 0;
  };

  it("hands back a message that reaches a receive parked at SIGTERM, instead of leaving it invisible for the visibility timeout", async () => {
    const pipeline = await createPipeline(moto, { visibilityTimeout: 60 });
    child = spawnWorker([FIXTURE, "copy"], {
      ...moto.env,
      [WORKER_ENV.queueUrl]: pipeline.queueUrl,
      [WORKER_ENV.outputs]: JSON.stringify({ out: { type: "s3", bucket: pipeline.outputBucket } }),
      [WORKER_ENV.shutdownSeconds]: "10",
      [RUNTIME_TUNING_ENV.pollWaitSeconds]: "8",
    });
    await waitForLine(child, "worker started");
    // The notification's s3:TestEvent is taken and deleted; the next receive is then parked.
    await waitForLine(child, "s3:TestEvent acknowledged");
    await waitFor("test event deleted", () => emptyQueue(pipeline.queueUrl), { timeoutMs: 10_000 });
    child.child.kill("SIGTERM");
    await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "after-sigterm.txt", Body: "x" }));
    assert.deepEqual(await child.exited, { code: 0, signal: null });
    // Visibility timeout 60 s: only a hand-back makes the message visible within seconds.
    await waitFor("message visible with no worker running", async () => (await queueDepth(sqs, pipeline.queueUrl)).visible === 1, {
      timeoutMs: 5_000,
    });
    assert.deepEqual(await queueDepth(sqs, pipeline.queueUrl), { visible: 1, inFlight: 0 });
    const handedBack = child.lines.find((l) => l.msg === "message handed back without charging a receive");
    assert.equal(handedBack?.why, "received while stopping");
    const [message] = await receiveAll(sqs, pipeline.queueUrl);
    assert.match(message!.Body!, /after-sigterm\.txt/);
    // A copy: its first receive is this one, so the interrupted worker's receive was not charged.
    assert.equal(message!.Attributes?.ApproximateReceiveCount, "1");
    assert.equal(message!.MessageAttributes?.[HANDOFF_ATTRIBUTE]?.StringValue, "1");
  });

  it("never sends a job to the DLQ for ten shutdowns in a row (maxReceiveCount 5); five real failures do", async () => {
    const pipeline = await createPipeline(moto, { maxReceiveCount: 5, visibilityTimeout: 60 });
    const settings = testSettings(pipeline, { shutdownSeconds: 1, pollWaitSeconds: 1 });
    await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "interrupted.txt", Body: "x" }));
    for (let i = 1; i <= 10; i++) {
      let started = 0;
      // A job far longer than the drain deadline: every shutdown interrupts it.
      running = await startWorker(moto, copyKind({ delayMs: 120_000, onStart: () => started++ }), settings);
      await waitFor(`job started (shutdown ${i})`, () => started === 1, { timeoutMs: 20_000 });
      const worker = running;
      await worker.stop();
      running = undefined;
      const [handedOff] = eventsOf(worker.events, "message-handed-off");
      assert.equal(handedOff?.handoffs, i);
      assert.deepEqual(eventsOf(worker.events, "message-released"), []);
      assert.deepEqual(eventsOf(worker.events, "job-failed"), []);
      const interrupted = worker.logs.withMsg("job interrupted by shutdown");
      assert.equal(interrupted.length, 1);
      assert.equal(interrupted[0]!.level, 40); // warn: expected on every deploy
      assert.deepEqual(
        worker.logs.lines.filter((l) => Number(l.level) >= 50),
        [],
      );
      assert.deepEqual(
        worker.logs.raw.filter((line) => duplicateKeys(line).length > 0),
        [],
      );
    }
    assert.deepEqual(await receiveAll(sqs, pipeline.dlqUrl, 0), []);
    assert.deepEqual(await queueDepth(sqs, pipeline.queueUrl), { visible: 1, inFlight: 0 });

    // The same message, now failing for real: the redrive policy moves it after 5 receives.
    let attempts = 0;
    running = await startWorker(moto, copyKind({ fail: true, onStart: () => attempts++ }), settings);
    const failing = running;
    const dead = await waitFor(
      "message in the DLQ",
      async () => {
        const m = await receiveAll(sqs, pipeline.dlqUrl);
        return m.length > 0 ? m : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    ).catch(async (err: Error) => {
      // Say where it stood: attempts so far, the queue, and the worker's last lines.
      const depth = await queueDepth(sqs, pipeline.queueUrl);
      const last = failing.logs.lines.slice(-8).map((l) => l.msg);
      throw new Error(`${err.message}; attempts ${attempts}; queue ${JSON.stringify(depth)}; last lines ${JSON.stringify(last)}`);
    });
    assert.match(dead[0]!.Body!, /interrupted\.txt/);
    assert.equal(dead[0]!.MessageAttributes?.[HANDOFF_ATTRIBUTE]?.StringValue, "10");
    assert.equal(attempts, 5);
    assert.equal(running.logs.withMsg("job failed on its last receive; the redrive policy moves it to the dead-letter queue").length, 1);
  });

  it("releases normally (charging a receive) once a message was handed back JOBWORKER_MAX_HANDOFFS times", async () => {
    const pipeline = await createPipeline(moto, { visibilityTimeout: 60 });
    const settings = testSettings(pipeline, { shutdownSeconds: 1, pollWaitSeconds: 1, maxHandoffs: 1 });
    await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "bounded.txt", Body: "x" }));
    const outcomes: string[] = [];
    for (let i = 0; i < 2; i++) {
      let started = 0;
      running = await startWorker(moto, copyKind({ delayMs: 120_000, onStart: () => started++ }), settings);
      await waitFor("job started", () => started === 1, { timeoutMs: 20_000 });
      const worker = running;
      await worker.stop();
      running = undefined;
      outcomes.push(...worker.events.filter((e) => e.type === "message-handed-off" || e.type === "message-released").map((e) => e.type));
    }
    assert.deepEqual(outcomes, ["message-handed-off", "message-released"]);
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: pipeline.queueUrl,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
      }),
    );
    // The copy's first receive was charged by the release; this is its second.
    assert.equal(out.Messages?.[0]?.Attributes?.ApproximateReceiveCount, "2");
  });
});
