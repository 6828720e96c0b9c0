import assert from "node:assert/strict";
import { WORKER_ENV } from "../../../catalog/contract";
import { feedNormalize, ordersWebhook, partnerProtobufSftp } from "../../../catalog/kinds";
import { ConfigError } from "../../../workers/errors";
import { DEFAULT_SHUTDOWN_SECONDS, loadSettings } from "../../../workers/runtime/settings";

const QUEUE = "https://sqs.ap-northeast-1.amazonaws.com/123456789012/feed-normalize";
const good = () => ({
  [WORKER_ENV.queueUrl]: QUEUE,
  [WORKER_ENV.outputs]: JSON.stringify({ records: { type: "s3", bucket: "next" } }),
});

describe("runtime settings from WORKER_ENV", () => {
  it("applies the definition's values and the documented defaults", () => {
    const s = loadSettings(good(), feedNormalize);
    assert.equal(s.worker, "feed-normalize");
    assert.equal(s.queueUrl, QUEUE);
    assert.deepEqual(s.outputs, { records: { type: "s3", bucket: "next" } });
    assert.equal(s.concurrency, feedNormalize.concurrency);
    assert.equal(s.maxProcessingSeconds, feedNormalize.maxProcessingSeconds);
    assert.equal(s.shutdownSeconds, DEFAULT_SHUTDOWN_SECONDS);
    assert.equal(s.pollWaitSeconds, 20);
    assert.equal(s.logLevel, "info");
    assert.equal(s.ecsAgentUri, undefined);
  });

  it("reads every variable the JobWorker component sets, and ECS_AGENT_URI", () => {
    const s = loadSettings(
      {
        ...good(),
        [WORKER_ENV.worker]: "feed-normalize",
        [WORKER_ENV.concurrency]: "7",
        [WORKER_ENV.maxProcessingSeconds]: "90",
        [WORKER_ENV.shutdownSeconds]: "45",
        [WORKER_ENV.scratchDir]: "/scratch",
        [WORKER_ENV.logLevel]: "debug",
        ECS_AGENT_URI: "http://169.254.170.2/api/x",
      },
      feedNormalize,
    );
    assert.deepEqual(
      [s.concurrency, s.maxProcessingSeconds, s.shutdownSeconds, s.scratchDir, s.logLevel, s.ecsAgentUri],
      [7, 90, 45, "/scratch", "debug", "http://169.254.170.2/api/x"],
    );
  });

  it("shortens the default long-poll wait to the drain deadline, and reads the hand-off limit", () => {
    const short = loadSettings({ ...good(), [WORKER_ENV.shutdownSeconds]: "10", JOBWORKER_MAX_HANDOFFS: "3" }, feedNormalize);
    assert.deepEqual([short.pollWaitSeconds, short.maxHandoffs], [10, 3]);
    assert.equal(loadSettings(good(), feedNormalize).maxHandoffs, 20);
  });

  it("accepts an s3 binding for a slot that accepts `worker` (chaining is resolved to s3)", () => {
    assert.doesNotThrow(() => loadSettings(good(), feedNormalize));
  });

  const bad: Array<[string, Record<string, string>, RegExp]> = [
    ["a missing queue URL", { [WORKER_ENV.queueUrl]: "" }, /`JOBWORKER_QUEUE_URL` is not set/],
    [
      "a queue URL that is not a URL",
      { [WORKER_ENV.queueUrl]: "my-queue" },
      /`JOBWORKER_QUEUE_URL` must be an http\(s\) queue URL, got "my-queue"/,
    ],
    [
      "another worker's name",
      { [WORKER_ENV.worker]: "orders-webhook" },
      /`JOBWORKER_WORKER` is "orders-webhook" but this process runs `feed-normalize`/,
    ],
    ["a concurrency of 0", { [WORKER_ENV.concurrency]: "0" }, /`JOBWORKER_CONCURRENCY` must be between 1 and 1000.*\(got "0"\)/],
    [
      "a concurrency that is not a number",
      { [WORKER_ENV.concurrency]: "four" },
      /`JOBWORKER_CONCURRENCY` must be a whole number.*\(got "four"\)/,
    ],
    ["a long-poll wait over 20 s", { JOBWORKER_POLL_WAIT_SECONDS: "30" }, /`JOBWORKER_POLL_WAIT_SECONDS` must be between 0 and 20/],
    ["an unknown log level", { [WORKER_ENV.logLevel]: "loud" }, /`JOBWORKER_LOG_LEVEL` must be one of fatal, error/],
    ["outputs that are not JSON", { [WORKER_ENV.outputs]: "{records:" }, /`JOBWORKER_OUTPUTS` is not JSON/],
    ["outputs that are a list", { [WORKER_ENV.outputs]: "[]" }, /`JOBWORKER_OUTPUTS` must be a JSON object of slot → binding/],
    [
      "an undeclared slot",
      { [WORKER_ENV.outputs]: JSON.stringify({ records: { type: "s3", bucket: "b" }, extra: { type: "s3", bucket: "b" } }) },
      /binds slot `extra`, which `feed-normalize` does not declare: use one of `records`/,
    ],
    ["a missing slot", { [WORKER_ENV.outputs]: "{}" }, /does not bind slot `records` of `feed-normalize`/],
    [
      "an unknown binding type",
      { [WORKER_ENV.outputs]: JSON.stringify({ records: { type: "kafka" } }) },
      /`JOBWORKER_OUTPUTS`\.records\.type must be one of s3, rest, sftp, ftp, got "kafka"/,
    ],
    [
      "a binding field the binding schema refuses",
      { [WORKER_ENV.outputs]: JSON.stringify({ records: { type: "s3", bucket: "Bad_Bucket" } }) },
      /`JOBWORKER_OUTPUTS`\.records\.bucket is "Bad_Bucket": use an S3 bucket name/,
    ],
    [
      "an unknown binding field",
      { [WORKER_ENV.outputs]: JSON.stringify({ records: { type: "s3", bucket: "next", prefx: "in/" } }) },
      /`JOBWORKER_OUTPUTS`\.records\.prefx is "in\/": not a field of `s3` bindings; its fields: type, bucket, prefix/,
    ],
    [
      "a file name template with an unknown placeholder",
      { [WORKER_ENV.outputs]: JSON.stringify({ records: { type: "s3", bucket: "next", fileName: "{stem}_{when}.csv" } }) },
      /`JOBWORKER_OUTPUTS`\.records\.fileName is "\{stem\}_\{when\}\.csv": unknown placeholder `\{when\}`; use \{dir\}, \{name\}, \{stem\}/,
    ],
    [
      "a type the slot does not accept",
      { [WORKER_ENV.outputs]: JSON.stringify({ records: { type: "rest", url: "https://x" } }) },
      /`JOBWORKER_OUTPUTS`\.records is bound to `rest`, but slot `records` accepts worker, s3/,
    ],
    [
      "a long-poll wait longer than the drain deadline",
      { JOBWORKER_POLL_WAIT_SECONDS: "20", [WORKER_ENV.shutdownSeconds]: "10" },
      /`JOBWORKER_POLL_WAIT_SECONDS` \(20\) is longer than the drain deadline `JOBWORKER_SHUTDOWN_SECONDS` \(10\).*lower `JOBWORKER_POLL_WAIT_SECONDS` to at most 10 \(or leave it unset\) or raise `JOBWORKER_SHUTDOWN_SECONDS`/,
    ],
    ["a negative hand-off limit", { JOBWORKER_MAX_HANDOFFS: "-1" }, /`JOBWORKER_MAX_HANDOFFS` must be a whole number/],
    [
      "a retry cap below the base",
      { JOBWORKER_RETRY_BASE_SECONDS: "10", JOBWORKER_RETRY_CAP_SECONDS: "5" },
      /`JOBWORKER_RETRY_CAP_SECONDS` \(5\) must be at least `JOBWORKER_RETRY_BASE_SECONDS` \(10\)/,
    ],
  ];
  for (const [what, change, message] of bad) {
    it(`refuses ${what} with a ConfigError naming the variable`, () => {
      assert.throws(
        () => loadSettings({ ...good(), ...change }, feedNormalize),
        (err: unknown) => err instanceof ConfigError && message.test(err.message),
      );
    });
  }

  it("lets the local pipeline redirect any slot to s3 with JOBWORKER_LOCAL_REDIRECT=true, and only then", () => {
    const env = { [WORKER_ENV.queueUrl]: QUEUE, [WORKER_ENV.outputs]: JSON.stringify({ api: { type: "s3", bucket: "local-deliveries" } }) };
    assert.throws(() => loadSettings(env, ordersWebhook), /`JOBWORKER_OUTPUTS`\.api is bound to `s3`, but slot `api` accepts rest/);
    assert.equal(loadSettings({ ...env, JOBWORKER_LOCAL_REDIRECT: "true" }, ordersWebhook).outputs.api!.type, "s3");
  });

  it("checks slots against the definition it runs", () => {
    const env = {
      [WORKER_ENV.queueUrl]: QUEUE,
      [WORKER_ENV.outputs]: JSON.stringify({
        partner: {
          type: "sftp",
          host: "h",
          username: "u",
          hostKeySha256: `SHA256:${"A".repeat(43)}`,
          privateKeySecret: "env:KEY",
          directory: "/in",
        },
      }),
    };
    assert.equal(loadSettings(env, partnerProtobufSftp).outputs.partner!.type, "sftp");
  });
});
