import assert from "node:assert/strict";
import { WORKER_ENV } from "../../../catalog/contract";
import { feedNormalize } from "../../../catalog/kinds";
import { ConfigError } from "../../../workers/errors";
import { loadSettings, RUNTIME_TUNING_ENV } from "../../../workers/runtime/settings";

const env = (extra: Record<string, string> = {}) => ({
  [WORKER_ENV.queueUrl]: "https://sqs.ap-northeast-1.amazonaws.com/123456789012/feed-normalize",
  [WORKER_ENV.outputs]: JSON.stringify({ records: { type: "s3", bucket: "next" } }),
  ...extra,
});

describe("runtime settings: the secret cache TTL", () => {
  const cases: Array<[string, Record<string, string>, number]> = [
    ["defaults to 300 seconds", {}, 300],
    ["reads JOBWORKER_SECRET_TTL_SECONDS", { [RUNTIME_TUNING_ENV.secretTtlSeconds]: "60" }, 60],
    ["accepts 0 (read on every use)", { [RUNTIME_TUNING_ENV.secretTtlSeconds]: "0" }, 0],
  ];
  for (const [what, extra, expected] of cases) {
    it(what, () => assert.equal(loadSettings(env(extra), feedNormalize).secretTtlSeconds, expected));
  }

  it("refuses a negative TTL naming the variable", () => {
    assert.throws(
      () => loadSettings(env({ [RUNTIME_TUNING_ENV.secretTtlSeconds]: "-1" }), feedNormalize),
      (err: unknown) => err instanceof ConfigError && err.message.includes("`JOBWORKER_SECRET_TTL_SECONDS`"),
    );
  });
});
