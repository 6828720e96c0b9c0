/**
 * The log metric filters against lines the runtime's own logger writes (`workers/runtime/logger.ts`
 * with the worker name on every line, the delivery line from `runDelivery` itself), evaluated by
 * test/support/metric-filter.ts. moto cannot evaluate them (its CloudWatch Logs treats a JSON
 * pattern as unsupported and matches every event), so moto only checks in the integration tier that
 * PutMetricFilter accepts them (test/integration/alerts/alerts-moto.test.ts).
 */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { DELIVERY_FAILED_MSG, LOG_ALARM_DEFAULTS, LOG_METRICS, logAlarmSpecs } from "../../../../components/alerts/log-alerts";
import { runDelivery } from "../../../../workers/connectors/run-delivery";
import { RetryableError } from "../../../../workers/errors";
import { createLogger } from "../../../../workers/runtime/logger";
import { jsonFilterMatches } from "../../../support/metric-filter";

/** Lines as the container writes them to stdout (one JSON object each). */
async function runtimeLines(): Promise<Record<string, string>> {
  const lines: string[] = [];
  const log = createLogger({
    level: "debug",
    worker: "feed-normalize",
    destination: { write: (s: string) => void lines.push(s.trimEnd()) },
  });
  const job = log.child({ messageId: "m-1", bucket: "partner-drop", key: "feeds/a.csv" });
  job.info({ durationMs: 12, bytesIn: 10, outputs: [] }, "job done");
  job.warn({ visibilitySeconds: 30, maxReceiveCount: 5 }, "job failed; message retried after a backoff");
  job.error({ err: new Error("boom"), durationMs: 5, permanent: false, configError: false }, "job failed");
  await runDelivery(
    {
      connector: "sftp",
      target: "sftp://sftp.partner.example.com/inbound/a.bin",
      delivery: { name: "a.bin", open: () => Readable.from([Buffer.from("x")]), signal: new AbortController().signal } as never,
      logger: job,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      random: () => 0,
    },
    async () => {
      throw new RetryableError("connection reset");
    },
  ).catch((err: unknown) => assert.ok(err instanceof Error));
  const find = (msg: string) => {
    const line = lines.find((l) => (JSON.parse(l) as { msg: string }).msg === msg);
    assert.ok(line, `a "${msg}" line among ${lines.join("\n")}`);
    return line;
  };
  return {
    jobDone: find("job done"),
    retried: find("job failed; message retried after a backoff"),
    jobFailed: find("job failed"),
    attemptFailed: find("delivery attempt failed, retrying"),
    deliveryFailed: find(DELIVERY_FAILED_MSG),
  };
}

describe("log alerts", () => {
  let lines: Record<string, string>;
  before(async () => {
    lines = await runtimeLines();
  });

  const expected: Record<string, Record<string, boolean>> = {
    "error-lines": { jobDone: false, retried: false, jobFailed: true, attemptFailed: false, deliveryFailed: true },
    "failed-deliveries": { jobDone: false, retried: false, jobFailed: false, attemptFailed: false, deliveryFailed: true },
  };
  for (const metric of LOG_METRICS) {
    for (const [line, matches] of Object.entries(expected[metric.key]!)) {
      it(`${metric.key} (${metric.pattern}) ${matches ? "counts" : "ignores"} the runtime's "${line}" line`, () => {
        assert.equal(jsonFilterMatches(metric.pattern, lines[line]!), matches);
      });
    }
  }

  it("the runtime's lines carry the fields the filters and their Worker dimension read", () => {
    const failed = JSON.parse(lines.deliveryFailed!) as Record<string, unknown>;
    assert.equal(failed.level, "error");
    assert.equal(failed.worker, "feed-normalize");
    assert.equal(failed.msg, DELIVERY_FAILED_MSG);
  });

  it("a line that is not JSON (a daemon's plain output) never counts", () => {
    for (const m of LOG_METRICS) assert.equal(jsonFilterMatches(m.pattern, 'level=error msg="delivery failed"'), false);
  });

  it("each worker gets one alarm per log metric, threshold from its settings, alarm on more than the threshold in 5 minutes", () => {
    const specs = logAlarmSpecs("orders-webhook", "jobworker/prod", { ...LOG_ALARM_DEFAULTS, errorLines: 25 });
    assert.deepEqual(
      specs.map((s) => [
        s.key,
        s.threshold,
        s.comparisonOperator,
        s.metric?.metricName,
        s.metric?.dimensions,
        s.metric?.period,
        s.metric?.stat,
      ]),
      [
        ["orders-webhook-error-lines", 25, "GreaterThanThreshold", "ErrorLines", { Worker: "orders-webhook" }, 300, "Sum"],
        ["orders-webhook-failed-deliveries", 0, "GreaterThanThreshold", "FailedDeliveries", { Worker: "orders-webhook" }, 300, "Sum"],
      ],
    );
  });
});

describe("metric filter evaluator (test support)", () => {
  const table: [string, string, boolean][] = [
    ['{ $.level = "error" }', '{"level":"error"}', true],
    ['{ $.level = "error" }', '{"level":"warn"}', false],
    ['{ $.level = "error" && $.msg = "x y" }', '{"level":"error","msg":"x y"}', true],
    ['{ $.level = "error" && $.msg = "x y" }', '{"level":"error","msg":"x"}', false],
    ["{ $.a.b > 3 }", '{"a":{"b":4}}', true],
    ["{ $.a.b > 3 }", '{"a":{"b":3}}', false],
  ];
  for (const [pattern, message, matches] of table) {
    it(`${pattern} ${matches ? "matches" : "does not match"} ${message}`, () => assert.equal(jsonFilterMatches(pattern, message), matches));
  }
  it("throws on syntax it does not implement", () => assert.throws(() => jsonFilterMatches("{ $.a = * }", "{}"), /unsupported clause/));
});
