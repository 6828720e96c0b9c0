/**
 * Every invalid JobWorker argument, one row each: the error names the field and says the fix.
 * Validation is a plain function, so no mocks are needed, except for the shared-bucket rows, which
 * go through the component (and its SharedInputBucket) under mocks.
 */
import assert from "node:assert/strict";
import type { WorkerDefinition } from "../../../catalog/contract";
import type { ChainTarget, JobWorkerArgs, SharedBucketRef } from "../../../components/job-worker/args";
import { settleDefaults } from "../../../components/job-worker/args";
import { JobWorkerArgsError } from "../../../components/job-worker/errors";
import { filtersOverlap, validateJobWorkerArgs } from "../../../components/job-worker/validation";
import { startMocks } from "../../support/pulumi";
import { fakeCluster } from "./job-worker.fixtures";

const definition: WorkerDefinition = {
  name: "orders",
  description: "orders",
  concurrency: 2,
  maxProcessingSeconds: 120,
  outputs: { api: { description: "api", accepts: ["rest", "worker"] } },
};
/** A kind whose one slot accepts every binding type (for the binding rows). */
const anyOut: WorkerDefinition = {
  ...definition,
  outputs: { api: { description: "any", accepts: ["s3", "sftp", "ftp", "rest", "worker"] } },
};
const good = (): JobWorkerArgs => ({
  cluster: fakeCluster,
  definition,
  cpu: 256,
  memory: 512,
  image: { uri: "public.ecr.aws/x/y:1" },
  outputs: { api: { type: "rest", url: "https://api.example.com/orders", authSecret: "ssm:/orders/token" } },
});
const fakeBucket = (name: string): SharedBucketRef => ({
  name,
  bucketName: undefined as never,
  bucketArn: undefined as never,
  addRoute: () => undefined,
});
const target = (worker: string, sharedBucket: SharedBucketRef | undefined, prefix: string, suffix = ""): ChainTarget => ({
  input: { worker, bucketName: undefined as never, bucketArn: undefined as never, sharedBucket, prefix, suffix },
});
const shared = fakeBucket("inbound");
const HOST_KEY = `SHA256:${"A".repeat(43)}`;

const validate = (name: string, args: JobWorkerArgs) => validateJobWorkerArgs(settleDefaults(name, args), args.cluster);

describe("JobWorker argument validation", () => {
  it("accepts the happy-path args", () => {
    validate("orders", good());
  });

  const cases: [string, (a: JobWorkerArgs) => JobWorkerArgs, string, RegExp][] = [
    ["a name that is not kebab-case", (a) => a, "name", /kebab-case/],
    ["cpu 0", (a) => ({ ...a, cpu: 0 }), "cpu", /is 0; it must be an integer from 1 to 16384/],
    ["cpu above the largest instance", (a) => ({ ...a, cpu: 20_000 }), "cpu", /m6i\.4xlarge has 16384/],
    ["fractional cpu", (a) => ({ ...a, cpu: 0.5 }), "cpu", /integer/],
    ["negative memory", (a) => ({ ...a, memory: -1 }), "memory", /is -1/],
    ["memory above what the largest instance registers", (a) => ({ ...a, memory: 65_536 }), "memory", /registers about 60948 MiB/],
    ["maxTasks 0", (a) => ({ ...a, maxTasks: 0 }), "maxTasks", /from 1 to 1000/],
    ["concurrency 0", (a) => ({ ...a, definition: { ...definition, concurrency: 0 } }), "definition.concurrency", /from 1 to 100/],
    [
      "a job longer than SQS's visibility limit",
      (a) => ({ ...a, definition: { ...definition, maxProcessingSeconds: 43_200 } }),
      "definition.maxProcessingSeconds",
      /12 hours/,
    ],
    ["maxReceiveCount 0", (a) => ({ ...a, maxReceiveCount: 0 }), "maxReceiveCount", /dead-letter/],
    ["retention above 14 days", (a) => ({ ...a, messageRetentionSeconds: 1_209_601 }), "messageRetentionSeconds", /14 days/],
    ["a message size under 64 KB", (a) => ({ ...a, maxMessageSizeBytes: 1024 }), "maxMessageSizeBytes", /64 KB/],
    ["a stop timeout above 90 s", (a) => ({ ...a, stopTimeoutSeconds: 120 }), "stopTimeoutSeconds", /spot interruption/],
    ["backlogPerTask 0", (a) => ({ ...a, backlogPerTask: 0 }), "backlogPerTask", /visible messages/],
    ["an idle period not a multiple of 60", (a) => ({ ...a, scaleInIdleSeconds: 90 }), "scaleInIdleSeconds", /multiple of 60/],
    ["an oldest-message alarm under a minute", (a) => ({ ...a, oldestMessageAlarmSeconds: 5 }), "oldestMessageAlarmSeconds", /from 60/],
    ["keepImages 0", (a) => ({ ...a, keepImages: 0 }), "keepImages", /ECR lifecycle/],
    [
      "deployment 100/100",
      (a) => ({ ...a, deploymentMinimumHealthyPercent: 100, deploymentMaximumPercent: 100 }),
      "deploymentMaximumPercent",
      /DRAINING/,
    ],
    [
      "deployment minimum above 100",
      (a) => ({ ...a, deploymentMinimumHealthyPercent: 150 }),
      "deploymentMinimumHealthyPercent",
      /from 0 to 100/,
    ],
    ["deployment maximum above 200", (a) => ({ ...a, deploymentMaximumPercent: 300 }), "deploymentMaximumPercent", /from 100 to 200/],
    ["the root user", (a) => ({ ...a, user: "root" }), "user", /non-root/],
    ["uid 0", (a) => ({ ...a, user: "0:0" }), "user", /non-root/],
    ["awsvpc without subnets", (a) => ({ ...a, networkMode: "awsvpc" }), "networkMode", /subnetIds/],
    ["an input prefix with a leading slash", (a) => ({ ...a, input: { type: "own", prefix: "/in/" } }), "input.prefix", /leading slash/],
    [
      "the AWS managed SQS key",
      (a) => ({ ...a, queueEncryption: { type: "kms", keyArn: "arn:aws:kms:ap-northeast-1:123456789012:alias/aws/sqs" } }),
      "queueEncryption.keyArn",
      /S3 cannot send/,
    ],
    [
      "a key id instead of an ARN",
      (a) => ({ ...a, queueEncryption: { type: "kms", keyArn: "1234-abcd" } }),
      "queueEncryption.keyArn",
      /customer managed key's ARN/,
    ],
    [
      "a reserved environment variable",
      (a) => ({ ...a, environment: { JOBWORKER_QUEUE_URL: "x" } }),
      "environment.JOBWORKER_QUEUE_URL",
      /reserved/,
    ],
    [
      "an invalid environment variable name",
      (a) => ({ ...a, environment: { "1X": "x" } }),
      "environment.1X",
      /not a valid environment variable name/,
    ],
    ["a secret given as a local env reference", (a) => ({ ...a, secrets: { TOKEN: "env:TOKEN" } }), "secrets.TOKEN", /local-only/],
    ["a secret given as its value", (a) => ({ ...a, secrets: { TOKEN: "hunter2" } }), "secrets.TOKEN", /never the secret's value/],
    [
      "a secret also in the environment",
      (a) => ({ ...a, environment: { TOKEN: "x" }, secrets: { TOKEN: "ssm:/t" } }),
      "secrets.TOKEN",
      /also set as a plain environment variable/,
    ],
    ["an unbound slot", (a) => ({ ...a, outputs: {} }), "outputs.api", /is not bound; bind it to one of: rest, worker/],
    [
      "an unknown slot",
      (a) => ({ ...a, outputs: { ...a.outputs, extra: { type: "rest", url: "https://x.example" } } }),
      "outputs.extra",
      /not an output slot of `orders`/,
    ],
    [
      "a binding type the slot does not accept",
      (a) => ({ ...a, outputs: { api: { type: "s3", bucket: "b" } } }),
      "outputs.api.type",
      /accepts: rest, worker/,
    ],
    [
      "a plain-http REST URL",
      (a) => ({ ...a, outputs: { api: { type: "rest", url: "http://api.example.com" } } }),
      "outputs.api.url",
      /https/,
    ],
    ["a REST URL that is not a URL", (a) => ({ ...a, outputs: { api: { type: "rest", url: "api" } } }), "outputs.api.url", /not a URL/],
    [
      "a REST auth secret by value",
      (a) => ({ ...a, outputs: { api: { type: "rest", url: "https://x.example", authSecret: "Bearer abc" } } }),
      "outputs.api.authSecret",
      /reference/,
    ],
    [
      "an S3 output KMS key that is not an ARN",
      (a) => ({ ...a, definition: anyOut, outputs: { api: { type: "s3", bucket: "partner-bucket", kmsKeyId: "alias/x" } } }),
      "outputs.api.kmsKeyId",
      /key's ARN/,
    ],
    [
      "an S3 output prefix with a leading slash",
      (a) => ({ ...a, definition: anyOut, outputs: { api: { type: "s3", bucket: "partner-bucket", prefix: "/x/" } } }),
      "outputs.api.prefix",
      /leading slash/,
    ],
    [
      "an SFTP output without credentials",
      (a) => ({
        ...a,
        definition: anyOut,
        outputs: { api: { type: "sftp", host: "h", username: "u", hostKeySha256: HOST_KEY, directory: "/" } },
      }),
      "outputs.api.privateKeySecret",
      /passwordSecret/,
    ],
    [
      "an SFTP key given by value",
      (a) => ({
        ...a,
        definition: anyOut,
        outputs: {
          api: { type: "sftp", host: "h", username: "u", hostKeySha256: HOST_KEY, directory: "/", privateKeySecret: "-----BEGIN" },
        },
      }),
      "outputs.api.privateKeySecret",
      /reference/,
    ],
    [
      "an FTP password from a local file",
      (a) => ({
        ...a,
        definition: anyOut,
        outputs: { api: { type: "ftp", host: "h", username: "u", passwordSecret: "file:/tmp/p", directory: "/" } },
      }),
      "outputs.api.passwordSecret",
      /local-only/,
    ],
    [
      "FTP active mode on a bridge-mode worker (the server could never connect back)",
      (a) => ({
        ...a,
        definition: anyOut,
        outputs: {
          api: { type: "ftp", host: "h", username: "u", passwordSecret: "ssm:/p", directory: "/", dataConnection: "active" as const },
        },
      }),
      "outputs.api.dataConnection",
      /networkMode: "awsvpc"/,
    ],
    ["a non-string environment value", (a) => ({ ...a, environment: { N: 1 as unknown as string } }), "environment.N", /strings/],
    ["a reserved secret name", (a) => ({ ...a, secrets: { JOBWORKER_X: "ssm:/x" } }), "secrets.JOBWORKER_X", /reserved/],
    ["an invalid secret name", (a) => ({ ...a, secrets: { "a-b": "ssm:/x" } }), "secrets.a-b", /not a valid environment variable name/],
    [
      "maxProcessingSeconds 0",
      (a) => ({ ...a, definition: { ...definition, maxProcessingSeconds: 0 } }),
      "definition.maxProcessingSeconds",
      /from 1/,
    ],
  ];
  for (const [what, change, field, message] of cases) {
    it(`rejects ${what}, naming \`${field}\``, () => {
      const name = what === "a name that is not kebab-case" ? "Orders_Worker" : "orders";
      assert.throws(
        () => validate(name, change(good())),
        (err: unknown) => {
          assert.ok(err instanceof JobWorkerArgsError, String(err));
          assert.equal(err.field, field);
          assert.ok(err.message.includes(`\`${field}\``), err.message);
          assert.match(err.message, message);
          return true;
        },
      );
    });
  }

  it("allows chaining into a worker on the same shared bucket under a disjoint prefix", () => {
    validate("orders", {
      ...good(),
      input: { type: "shared", bucket: shared, prefix: "in/" },
      outputs: { api: { type: "worker", worker: target("next", shared, "next/") } },
    });
  });

  const overlaps: [string, { prefix?: string; suffix?: string }, { prefix?: string; suffix?: string }, boolean][] = [
    ["everything and a prefix", {}, { prefix: "a/" }, true],
    ["nested prefixes", { prefix: "a/" }, { prefix: "a/b/" }, true],
    ["disjoint prefixes", { prefix: "a/" }, { prefix: "b/" }, false],
    ["same prefix, different suffixes", { prefix: "a/", suffix: ".csv" }, { prefix: "a/", suffix: ".json" }, false],
    ["same prefix, nested suffixes", { prefix: "a/", suffix: ".csv" }, { prefix: "a/", suffix: "x.csv" }, true],
    ["same prefix, one without suffix", { prefix: "a/" }, { prefix: "a/", suffix: ".csv" }, true],
  ];
  for (const [what, a, b, expected] of overlaps) {
    it(`filtersOverlap: ${what} → ${expected}`, () => {
      assert.equal(filtersOverlap(a, b), expected);
      assert.equal(filtersOverlap(b, a), expected);
    });
  }

  it("rejects two workers with overlapping filters on one shared bucket at preview, naming both", async () => {
    startMocks();
    const { JobWorker, SharedInputBucket, OverlappingRoutesError } = await import("../../../components");
    const bucket = new SharedInputBucket("drop");
    new JobWorker("first", { ...good(), input: { type: "shared", bucket, prefix: "orders/" } });
    assert.throws(
      () => new JobWorker("second", { ...good(), input: { type: "shared", bucket, prefix: "orders/eu/" } }),
      (err: unknown) => err instanceof OverlappingRoutesError && /`first`.*`second`.*overlap/s.test(err.message),
    );
    new JobWorker("third", { ...good(), input: { type: "shared", bucket, prefix: "invoices/" } });
  });

  // Chaining rules across workers (a chain into itself, into an unknown worker, cycles) are the stack
  // config's (test/unit/config/workers.test.ts); a component only ever sees a chain target that exists.
  it("refuses at preview a chain into a worker whose input its own filter on the shared bucket also matches", async () => {
    startMocks();
    const { JobWorker, SharedInputBucket, OverlappingRoutesError } = await import("../../../components");
    const bucket = new SharedInputBucket("loop");
    const next = new JobWorker("next", { ...good(), input: { type: "shared", bucket, prefix: "in/next/" } });
    assert.throws(
      () =>
        new JobWorker("orders", {
          ...good(),
          input: { type: "shared", bucket, prefix: "in/" },
          outputs: { api: { type: "worker", worker: next } },
        }),
      (err: unknown) => err instanceof OverlappingRoutesError && /`next`.*`orders`.*overlap/s.test(err.message),
    );
  });
});
