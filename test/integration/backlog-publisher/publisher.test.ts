/**
 * The backlog publisher against moto server: it finds the worker queues by prefix, reads their
 * visible and in-flight counts, and publishes them as 1-second-resolution custom metrics; the loop
 * keeps a 10-second cadence (checked with a fake clock) and survives a failing pass.
 */
import assert from "node:assert/strict";
import {
  CloudWatchClient,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  type PutMetricDataCommandInput,
} from "@aws-sdk/client-cloudwatch";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { handler } from "../../../workers/backlog-publisher/handler";
import { listQueueUrls, publishOnce, PUBLISHER_ENV, runPublisher, settingsFromEnv } from "../../../workers/backlog-publisher/publisher";
import { ConfigError } from "../../../workers/errors";
import { type MotoServer, startMoto } from "../../support/moto";

const NAMESPACE = "Jobworker/SQS";
const PREFIX = "jw-itest-";

describe("backlog publisher (moto server)", function () {
  this.timeout(60_000);
  let moto: MotoServer;
  let sqs: SQSClient;
  let cloudwatch: CloudWatchClient;
  const sent: PutMetricDataCommandInput[] = [];
  /** The real CloudWatch client, recording what is sent. */
  const recordingCloudwatch = () => ({
    send: (command: any) => {
      if (command.constructor.name === "PutMetricDataCommand") sent.push(command.input);
      return cloudwatch.send(command);
    },
  });

  before(async () => {
    moto = await startMoto();
    sqs = new SQSClient(moto.clientConfig);
    cloudwatch = new CloudWatchClient(moto.clientConfig);
  });
  after(async () => {
    sqs?.destroy();
    cloudwatch?.destroy();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    sent.length = 0;
  });

  async function queue(name: string): Promise<string> {
    const out = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    return out.QueueUrl!;
  }

  it("publishes visible and in-flight counts of every queue with the prefix, and only those", async () => {
    const busy = await queue(`${PREFIX}orders-abc`);
    await queue(`${PREFIX}orders-dlq-abc`);
    const other = await queue("someone-elses-queue");
    for (let i = 0; i < 5; i++) await sqs.send(new SendMessageCommand({ QueueUrl: busy, MessageBody: `m${i}` }));
    await sqs.send(new SendMessageCommand({ QueueUrl: other, MessageBody: "x" }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: busy, MaxNumberOfMessages: 2, VisibilityTimeout: 300 }));
    assert.equal(received.Messages?.length, 2);

    const at = new Date();
    const result = await publishOnce(
      { sqs, cloudwatch: recordingCloudwatch() },
      { queueNamePrefix: PREFIX, namespace: NAMESPACE },
      () => at,
    );
    assert.deepEqual(result.failed, []);
    assert.deepEqual(
      result.published.sort((a, b) => a.queueName.localeCompare(b.queueName)),
      [
        { queueName: `${PREFIX}orders-abc`, visible: 3, inFlight: 2 },
        { queueName: `${PREFIX}orders-dlq-abc`, visible: 0, inFlight: 0 },
      ],
    );

    // What CloudWatch received: 1-second storage resolution, Count, QueueName dimension.
    assert.equal(sent.length, 1);
    assert.equal(sent[0].Namespace, NAMESPACE);
    for (const d of sent[0].MetricData!) {
      assert.equal(d.StorageResolution, 1);
      assert.equal(d.Unit, "Count");
      assert.equal(d.Timestamp!.getTime(), at.getTime());
    }
    // And what it stores: read back through the CloudWatch API.
    const listed = await cloudwatch.send(new ListMetricsCommand({ Namespace: NAMESPACE }));
    const names = listed.Metrics!.map((m) => `${m.MetricName} ${m.Dimensions![0].Value}`).sort();
    assert.deepEqual(names, [
      `ApproximateNumberOfMessagesNotVisible ${PREFIX}orders-abc`,
      `ApproximateNumberOfMessagesNotVisible ${PREFIX}orders-dlq-abc`,
      `ApproximateNumberOfMessagesVisible ${PREFIX}orders-abc`,
      `ApproximateNumberOfMessagesVisible ${PREFIX}orders-dlq-abc`,
    ]);
    const stats = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: NAMESPACE,
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: `${PREFIX}orders-abc` }],
        StartTime: new Date(at.getTime() - 60_000),
        EndTime: new Date(at.getTime() + 60_000),
        Period: 60,
        Statistics: ["Maximum"],
      }),
    );
    assert.equal(stats.Datapoints?.[0]?.Maximum, 3);
  });

  it("pages through more queues than one ListQueues page and splits PutMetricData at 1000 data", async () => {
    // 600 queues → 1200 data → two PutMetricData calls. ListQueues pages are forced small by a wrapper.
    const urls = Array.from({ length: 600 }, (_, i) => `${moto.endpoint}/123456789012/${PREFIX}q${String(i).padStart(3, "0")}`);
    let pages = 0;
    const fakeSqs = {
      send: async (command: any) => {
        const name = command.constructor.name;
        if (name === "ListQueuesCommand") {
          pages++;
          const start = Number(command.input.NextToken ?? 0);
          const next = start + 250;
          return { QueueUrls: urls.slice(start, next), NextToken: next < urls.length ? String(next) : undefined };
        }
        if (name === "GetQueueAttributesCommand")
          return { Attributes: { ApproximateNumberOfMessages: "1", ApproximateNumberOfMessagesNotVisible: "0" } };
        // Untagged queues: no TasksNeeded, so two data per queue.
        if (name === "ListQueueTagsCommand") return { Tags: {} };
        throw new Error(`unexpected ${name}`);
      },
    };
    assert.equal((await listQueueUrls(fakeSqs, PREFIX)).length, 600);
    const result = await publishOnce(
      { sqs: fakeSqs, cloudwatch: recordingCloudwatch() },
      { queueNamePrefix: PREFIX, namespace: NAMESPACE },
    );
    assert.equal(pages, 3 + 3);
    assert.equal(result.published.length, 600);
    assert.deepEqual(
      sent.map((s) => s.MetricData!.length),
      [1000, 200],
    );
  });

  it("reports a queue deleted between listing and reading, and publishes the others", async () => {
    const real = await queue(`${PREFIX}live`);
    const gone = `${moto.endpoint}/123456789012/${PREFIX}gone`;
    const listing = {
      send: (command: any) =>
        command.constructor.name === "ListQueuesCommand" ? Promise.resolve({ QueueUrls: [real, gone] }) : sqs.send(command),
    };
    const result = await publishOnce(
      { sqs: listing, cloudwatch: recordingCloudwatch() },
      { queueNamePrefix: PREFIX, namespace: NAMESPACE },
    );
    assert.deepEqual(
      result.published.map((p) => p.queueName),
      [`${PREFIX}live`],
    );
    assert.deepEqual(
      result.failed.map((f) => f.queueUrl),
      [gone],
    );
  });

  it("publishes every 10 s from pass start within the window: 6 passes a minute (fake clock)", async () => {
    let now = 1_000_000;
    const starts: number[] = [];
    const passes = await runPublisher(
      {
        sqs: {
          send: async () => {
            starts.push(now);
            now += 1_500;
            return { QueueUrls: [] };
          },
        },
        cloudwatch: { send: async () => ({}) },
      },
      {
        queueNamePrefix: PREFIX,
        namespace: NAMESPACE,
        intervalMs: 10_000,
        deadline: 1_000_000 + 60_000,
        now: () => now,
        sleep: async (ms) => {
          now += ms;
        },
      },
    );
    assert.equal(passes, 6);
    assert.deepEqual(
      starts.map((t) => t - 1_000_000),
      [0, 10_000, 20_000, 30_000, 40_000, 50_000],
    );
  });

  it("keeps going after a failed pass and stops on abort", async () => {
    const controller = new AbortController();
    let calls = 0;
    const errors: string[] = [];
    const passes = await runPublisher(
      {
        sqs: {
          send: async () => {
            calls++;
            if (calls === 1) throw new Error("throttled");
            if (calls === 3) controller.abort();
            return { QueueUrls: [] };
          },
        },
        cloudwatch: { send: async () => ({}) },
      },
      {
        queueNamePrefix: PREFIX,
        namespace: NAMESPACE,
        intervalMs: 20,
        deadline: Date.now() + 10_000,
        signal: controller.signal,
        onPass: ({ error }) => error && errors.push(error.message),
      },
    );
    assert.equal(passes, 3);
    assert.deepEqual(errors, ["throttled"]);
  });

  it("runs as the Lambda handler: reads its settings from the environment and publishes until the window ends", async () => {
    const url = await queue(`${PREFIX}handler`);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "m" }));
    const saved = { ...process.env };
    Object.assign(process.env, moto.env, {
      [PUBLISHER_ENV.queueNamePrefix]: PREFIX,
      [PUBLISHER_ENV.namespace]: NAMESPACE,
      // Two passes (at 0 s and 2 s) in a 4-second window: room for a slow first pass on a busy machine.
      [PUBLISHER_ENV.intervalSeconds]: "2",
      [PUBLISHER_ENV.windowSeconds]: "4",
    });
    try {
      const result = await handler({}, { getRemainingTimeInMillis: () => 60_000 });
      assert.deepEqual(result, { passes: 2, failedPasses: 0 });
    } finally {
      process.env = saved;
    }
    const listed = await cloudwatch.send(
      new ListMetricsCommand({ Namespace: NAMESPACE, MetricName: "ApproximateNumberOfMessagesVisible" }),
    );
    assert.deepEqual(
      listed.Metrics!.map((m) => m.Dimensions![0].Value),
      [`${PREFIX}handler`],
    );
  });

  const badSettings: [string, Record<string, string>, RegExp][] = [
    ["a missing prefix", { [PUBLISHER_ENV.queueNamePrefix]: "" }, /JOBWORKER_BACKLOG_QUEUE_PREFIX is not set/],
    ["an interval of 0", { [PUBLISHER_ENV.intervalSeconds]: "0" }, /JOBWORKER_BACKLOG_INTERVAL_SECONDS is 0/],
    ["a window longer than 14 minutes", { [PUBLISHER_ENV.windowSeconds]: "900" }, /JOBWORKER_BACKLOG_WINDOW_SECONDS is 900/],
    [
      "a capacity cluster without its namespace",
      { [PUBLISHER_ENV.capacityCluster]: "jw" },
      /JOBWORKER_CAPACITY_NAMESPACE is not set; capacity metrics need both/,
    ],
  ];
  for (const [what, change, message] of badSettings) {
    it(`rejects ${what} with a ConfigError naming the variable`, () => {
      const env = {
        [PUBLISHER_ENV.queueNamePrefix]: "p-",
        [PUBLISHER_ENV.namespace]: "N",
        [PUBLISHER_ENV.intervalSeconds]: "10",
        [PUBLISHER_ENV.windowSeconds]: "60",
        ...change,
      };
      assert.throws(
        () => settingsFromEnv(env),
        (err: unknown) => err instanceof ConfigError && message.test(err.message),
      );
    });
  }
});
