/**
 * `jobworker:workers`: the loader accepts the prod catalog, and every wrong value fails with the full
 * key and the fix. Shapes and bindings fail at load; cross-worker rules (chaining order, cycles, unknown
 * targets, overlapping filters on a shared bucket) are plain functions tested directly; one worker's
 * own rules are JobWorker's, reported under the same keys when the program creates the worker.
 */
import assert from "node:assert/strict";
import type { WorkerDefinition } from "../../../catalog/contract";
import { settleDefaults, type ChainTarget, type SharedBucketRef } from "../../../components/job-worker/args";
import { validateJobWorkerArgs } from "../../../components/job-worker/validation";
import {
  checkWorkers,
  jobWorkerArgsFor,
  loadWorkersConfig,
  orderWorkers,
  parseWorkersConfig,
  withConfigKeys,
  type WorkersConfig,
  WorkersConfigError,
} from "../../../config/workers";
import { readStackConfig, startMocks } from "../../support/pulumi";
import { fakeCluster } from "../components/job-worker.fixtures";

const kind = (
  name: string,
  outputs: WorkerDefinition["outputs"] = { out: { description: "o", accepts: ["worker", "s3", "rest", "sftp", "ftp"] } },
): WorkerDefinition => ({
  name,
  description: name,
  concurrency: 1,
  maxProcessingSeconds: 60,
  outputs,
});
const kinds = Object.fromEntries(["a", "b", "c", "d"].map((n) => [n, kind(n)]));
const s3Out = { out: { type: "s3", bucket: "somewhere" } };
const worker = (outputs: unknown = s3Out, extra: Record<string, unknown> = {}) => ({ cpu: 256, memory: 512, outputs, ...extra });
const ftpOut = { type: "ftp", host: "ftp.example.com", username: "u", passwordSecret: "ssm:/ftp/password", directory: "inbox" };

function issuesOf(fn: () => unknown): { key: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof WorkersConfigError, String(err));
    return [...err.issues];
  }
  assert.fail("expected a WorkersConfigError");
}

/**
 * What the program reports for one worker's own rules: it loads the config, then creates each worker
 * inside `withConfigKeys` (index.ts); JobWorker's constructor starts with `validateJobWorkerArgs`.
 */
function programIssues(
  raw: Record<string, unknown>,
  k: Readonly<Record<string, WorkerDefinition>> = kinds,
): { key: string; message: string }[] {
  const workers = parseWorkersConfig(raw, k);
  const bucket = (name: string): SharedBucketRef => ({
    name,
    bucketName: undefined as never,
    bucketArn: undefined as never,
    addRoute: () => undefined,
  });
  const target = (name: string): ChainTarget => ({
    input: { worker: name, bucketName: undefined as never, bucketArn: undefined as never, prefix: "", suffix: "" },
  });
  return issuesOf(() => {
    for (const name of orderWorkers(workers)) {
      const args = jobWorkerArgsFor(name, workers[name], {
        cluster: fakeCluster,
        kinds: k,
        defaultImage: { uri: "img:1" },
        sharedBucket: bucket,
        worker: target,
      });
      withConfigKeys(name, () => validateJobWorkerArgs(settleDefaults(name, args), fakeCluster));
    }
  });
}

describe("jobworker:workers configuration", () => {
  it("loads the prod stack's three shipped kinds, feed-normalize chained into partner-protobuf-sftp", () => {
    const workers = parseWorkersConfig(readStackConfig("prod")["jobworker:workers"]);
    assert.deepEqual(Object.keys(workers).sort(), ["feed-normalize", "orders-webhook", "partner-protobuf-sftp"]);
    assert.deepEqual(workers["feed-normalize"].outputs.records, { type: "worker", worker: "partner-protobuf-sftp" });
    const order = orderWorkers(workers);
    assert.ok(order.indexOf("partner-protobuf-sftp") < order.indexOf("feed-normalize"));
  });

  it("reads the key through pulumi.Config", () => {
    startMocks({ config: { workers: { a: worker() } } });
    const pulumi = require("@pulumi/pulumi");
    assert.deepEqual(Object.keys(loadWorkersConfig(new pulumi.Config("jobworker"), kinds)), ["a"]);
  });

  const shapeCases: [string, unknown, string, RegExp][] = [
    ["a missing key", undefined, "jobworker:workers", /is missing/],
    ["memory as a string", { a: worker(s3Out, { memory: "512" }) }, "jobworker:workers.a.memory", /number/],
    ["an unknown field", { a: worker(s3Out, { memroy: 512 }) }, "jobworker:workers.a.memroy", /not a setting/],
    ["an unknown binding type", { a: worker({ out: { type: "smtp" } }) }, "jobworker:workers.a.outputs.out.type", /.+/],
    [
      "a file name template with an unknown placeholder",
      { a: worker({ out: { ...ftpOut, fileName: "ACME_{date}_{hash}.csv" } }) },
      "jobworker:workers.a.outputs.out.fileName",
      /unknown placeholder `\{hash\}`; use \{dir\}/,
    ],
    ["a REST URL that is not a URL", { a: worker({ out: { type: "rest", url: "nope" } }) }, "jobworker:workers.a.outputs.out.url", /https/],
    [
      "an SFTP host key in the wrong form",
      { a: worker({ out: { type: "sftp", host: "h", username: "u", hostKeySha256: "abc", directory: "/", privateKeySecret: "ssm:/k" } }) },
      "jobworker:workers.a.outputs.out.hostKeySha256",
      /ssh-keygen/,
    ],
    [
      "an FTP password by value",
      { a: worker({ out: { type: "ftp", host: "h", username: "u", passwordSecret: "hunter2", directory: "/" } }) },
      "jobworker:workers.a.outputs.out.passwordSecret",
      /never the secret's value/,
    ],
    [
      "an S3 prefix with a leading slash",
      { a: worker({ out: { type: "s3", bucket: "bkt", prefix: "/x" } }) },
      "jobworker:workers.a.outputs.out.prefix",
      /leading slash/,
    ],
    [
      "a shared bucket name with capitals",
      { a: worker(s3Out, { input: { type: "shared", bucket: "Drop" } }) },
      "jobworker:workers.a.input.bucket",
      /kebab-case/,
    ],
    [
      "an S3 KMS key that is not an ARN",
      { a: worker({ out: { type: "s3", bucket: "bkt", kmsKeyId: "1234" } }) },
      "jobworker:workers.a.outputs.out.kmsKeyId",
      /KMS key ARN/,
    ],
    [
      "a misspelt binding field",
      { a: worker({ out: { type: "rest", url: "https://x.example", batchsize: 5 } }) },
      "jobworker:workers.a.outputs.out.batchsize",
      /not a field of `rest` bindings; its fields: .*\bbatchSize\b/,
    ],
    [
      "a REST batch size of 0",
      { a: worker({ out: { type: "rest", url: "https://x.example", batchSize: 0 } }) },
      "jobworker:workers.a.outputs.out.batchSize",
      /is 0: use an integer from 1 to 10000/,
    ],
    [
      "an FTP CA certificate from a local file",
      { a: worker({ out: { ...ftpOut, tlsCaSecret: "file:/ca.pem" } }) },
      "jobworker:workers.a.outputs.out.tlsCaSecret",
      /local-only/,
    ],
    [
      "an FTP CA certificate without TLS",
      { a: worker({ out: { ...ftpOut, secure: false, tlsCaSecret: "ssm:/ftp/ca" } }) },
      "jobworker:workers.a.outputs.out.tlsCaSecret",
      /set `secure: true`/,
    ],
  ];
  for (const [what, raw, key, message] of shapeCases) {
    it(`rejects ${what}, naming \`${key}\``, () => {
      const issues = issuesOf(() => parseWorkersConfig(raw, kinds));
      const issue = issues.find((i) => i.key === key);
      assert.ok(issue, `no issue for ${key} in ${JSON.stringify(issues)}`);
      assert.match(issue.message, message);
    });
  }

  it("accepts REST `batchSize` and FTP `tlsCaSecret`, documented fields the stack once refused", () => {
    const rest = { type: "rest", url: "https://x.example", mode: "records", batchSize: 200 };
    const ftp = { ...ftpOut, tlsCaSecret: "ssm:/ftp/ca" };
    const workers = parseWorkersConfig({ a: worker({ out: rest }), b: worker({ out: ftp }) }, kinds);
    assert.deepEqual([workers.a.outputs.out, workers.b.outputs.out], [rest, ftp]);
  });

  it("puts every problem in one error whose message names each key", () => {
    const err = (() => {
      try {
        parseWorkersConfig({ a: worker(s3Out, { memory: "x" }), b: worker(s3Out, { cpu: "y" }) }, kinds);
      } catch (e) {
        return e as Error;
      }
    })();
    assert.ok(err);
    assert.match(err.message, /`jobworker:workers\.a\.memory`/);
    assert.match(err.message, /`jobworker:workers\.b\.cpu`/);
  });

  const ruleCases: [string, Record<string, unknown>, string, RegExp][] = [
    ["an unknown worker kind", { zz: worker() }, "jobworker:workers.zz", /not a worker kind; known kinds: a, b, c, d/],
    [
      "chaining into an unknown worker",
      { a: worker({ out: { type: "worker", worker: "b" } }) },
      "jobworker:workers.a.outputs.out.worker",
      /not a worker of this stack/,
    ],
    [
      "chaining into itself",
      { a: worker({ out: { type: "worker", worker: "a" } }) },
      "jobworker:workers.a.outputs.out.worker",
      /trigger itself forever/,
    ],
    [
      "a cycle",
      {
        a: worker({ out: { type: "worker", worker: "b" } }),
        b: worker({ out: { type: "worker", worker: "c" } }),
        c: worker({ out: { type: "worker", worker: "a" } }),
      },
      "jobworker:workers.c.outputs",
      /cycle a → b → c → a/,
    ],
    [
      "overlapping filters on a shared bucket",
      {
        a: worker(s3Out, { input: { type: "shared", bucket: "drop", prefix: "in/" } }),
        b: worker(s3Out, { input: { type: "shared", bucket: "drop", prefix: "in/b/" } }),
      },
      "jobworker:workers.b.input",
      /overlaps `a`'s filter on shared bucket `drop`/,
    ],
    [
      "chaining into a worker its own filter matches",
      {
        a: worker({ out: { type: "worker", worker: "b" } }, { input: { type: "shared", bucket: "drop" } }),
        b: worker(s3Out, { input: { type: "shared", bucket: "drop", prefix: "b/" } }),
      },
      "jobworker:workers.a.outputs.out",
      /trigger itself forever/,
    ],
    [
      "an SFTP binding without credentials",
      { a: worker({ out: { type: "sftp", host: "h", username: "u", hostKeySha256: `SHA256:${"A".repeat(43)}`, directory: "/" } }) },
      "jobworker:workers.a.outputs.out.privateKeySecret",
      /passwordSecret/,
    ],
  ];
  for (const [what, raw, key, message] of ruleCases) {
    it(`rejects ${what}, naming \`${key}\``, () => {
      const issues = issuesOf(() => parseWorkersConfig(raw, kinds));
      const issue = issues.find((i) => i.key === key);
      assert.ok(issue, `no issue for ${key} in ${JSON.stringify(issues)}`);
      assert.match(issue.message, message);
    });
  }

  // One worker's own rules: checked once, by JobWorker (components/job-worker/validation.ts), and
  // reported under the stack key through the error's `field` and `detail`.
  const ownRules: [string, Record<string, unknown>, string, RegExp][] = [
    ["negative cpu", { a: worker(s3Out, { cpu: -1 }) }, "jobworker:workers.a.cpu", /is -1; it must be an integer from 1 to 16384/],
    ["maxTasks 0", { a: worker(s3Out, { maxTasks: 0 }) }, "jobworker:workers.a.maxTasks", /is 0; it must be an integer from 1 to 1000/],
    [
      "a stop timeout above 90",
      { a: worker(s3Out, { stopTimeoutSeconds: 100 }) },
      "jobworker:workers.a.stopTimeoutSeconds",
      /is 100; it must be an integer from 2 to 90/,
    ],
    [
      "a secret from a local env reference",
      { a: worker(s3Out, { secrets: { TOKEN: "env:TOKEN" } }) },
      "jobworker:workers.a.secrets.TOKEN",
      /local-only/,
    ],
    [
      "a secret by value",
      { a: worker(s3Out, { secrets: { TOKEN: "hunter2" } }) },
      "jobworker:workers.a.secrets.TOKEN",
      /never the secret's value/,
    ],
    ["an invalid env name", { a: worker(s3Out, { env: { "a-b": "1" } }) }, "jobworker:workers.a.env.a-b", /environment variable name/],
    ["an unbound slot", { a: worker({}) }, "jobworker:workers.a.outputs.out", /is not bound/],
    [
      "an unknown slot",
      { a: worker({ ...s3Out, extra: { type: "s3", bucket: "bkt" } }) },
      "jobworker:workers.a.outputs.extra",
      /not an output slot/,
    ],
    [
      "a secret also in env",
      { a: worker(s3Out, { env: { T: "1" }, secrets: { T: "ssm:/t" } }) },
      "jobworker:workers.a.secrets.T",
      /also set as a plain environment variable/,
    ],
    [
      "a reserved env name",
      { a: worker(s3Out, { env: { JOBWORKER_WORKER: "x" } }) },
      "jobworker:workers.a.env.JOBWORKER_WORKER",
      /reserved/,
    ],
    [
      "a binding type the slot does not accept",
      { a: worker({ out: { type: "rest", url: "https://x.example" } }) },
      "jobworker:workers.a.outputs.out.type",
      /accepts: s3/,
    ],
  ];
  for (const [what, raw, key, message] of ownRules) {
    it(`rejects ${what} when the worker is created, naming \`${key}\``, () => {
      const k =
        what === "a binding type the slot does not accept" ? { a: kind("a", { out: { description: "o", accepts: ["s3"] } }) } : kinds;
      assert.doesNotThrow(() => parseWorkersConfig(raw, k), "a rule of one worker is JobWorker's, not checked twice at load");
      const issues = programIssues(raw, k);
      assert.equal(issues.length, 1, JSON.stringify(issues));
      assert.equal(issues[0]!.key, key);
      assert.match(issues[0]!.message, message);
    });
  }

  it("allows workers on one shared bucket with disjoint prefixes, and a chain between them", () => {
    const raw = {
      a: worker({ out: { type: "worker", worker: "b" } }, { input: { type: "shared", bucket: "drop", prefix: "a/" } }),
      b: worker(s3Out, { input: { type: "shared", bucket: "drop", prefix: "b/" } }),
    };
    assert.deepEqual(checkWorkers(parseWorkersConfig(raw, kinds), kinds), []);
  });

  it("orders workers after the ones they chain into, alphabetically among equals", () => {
    const chain = (to: string) => ({ cpu: 1, memory: 1, outputs: { out: { type: "worker" as const, worker: to } }, env: {}, secrets: {} });
    const leaf = { cpu: 1, memory: 1, outputs: {}, env: {}, secrets: {} };
    const workers: WorkersConfig = { d: chain("b"), c: leaf, b: chain("a"), a: leaf };
    assert.deepEqual(orderWorkers(workers), ["a", "b", "c", "d"].filter((n) => n !== "d").concat("d"));
    assert.deepEqual(orderWorkers({ z: chain("y"), y: leaf }), ["y", "z"]);
  });

  it("re-throws a JobWorker argument error under the stack key, and other errors unchanged", () => {
    const { JobWorkerArgsError } = require("../../../components/job-worker/errors");
    const cause = new JobWorkerArgsError("a", "environment.X", "uses the reserved prefix.");
    const issues = issuesOf(() =>
      withConfigKeys("a", () => {
        throw cause;
      }),
    );
    assert.deepEqual(issues, [{ key: "jobworker:workers.a.env.X", message: "uses the reserved prefix." }]);
    assert.throws(
      () =>
        withConfigKeys("a", () => {
          throw cause;
        }),
      (err: unknown) => err instanceof WorkersConfigError && err.cause === cause,
    );
    const nested = issuesOf(() =>
      withConfigKeys("a", () => {
        throw new JobWorkerArgsError("a", "outputs.out.url", 'is "x": not a URL; use an absolute https URL.');
      }),
    );
    assert.deepEqual(nested, [{ key: "jobworker:workers.a.outputs.out.url", message: 'is "x": not a URL; use an absolute https URL.' }]);
    assert.throws(
      () =>
        withConfigKeys("a", () => {
          throw new Error("boom");
        }),
      /^Error: boom$/,
    );
    assert.equal(
      withConfigKeys("a", () => 42),
      42,
    );
  });

  it("maps a worker's configuration to JobWorker args: chained targets by reference, shared buckets by name, image default", () => {
    const workers = parseWorkersConfig(
      {
        a: worker(
          { out: { type: "worker", worker: "b" } },
          { input: { type: "shared", bucket: "drop", prefix: "a/" }, queueEncryption: "kms", image: "repo/img:1" },
        ),
        b: worker(),
      },
      kinds,
    );
    const target = { input: { worker: "b" } } as never;
    const bucket = { name: "drop" } as never;
    const args = jobWorkerArgsFor("a", workers.a, {
      cluster: fakeCluster,
      kinds,
      defaultImage: { build: { context: "/repo" } },
      sharedBucket: (n) => (n === "drop" ? bucket : assert.fail(n)),
      worker: (n) => (n === "b" ? target : assert.fail(n)),
    });
    assert.equal(args.definition, kinds.a);
    assert.deepEqual(args.outputs, { out: { type: "worker", worker: target } });
    assert.deepEqual(args.input, { type: "shared", bucket, prefix: "a/", suffix: undefined });
    assert.deepEqual(args.image, { uri: "repo/img:1" });
    assert.deepEqual(args.queueEncryption, { type: "kms" });
    const b = jobWorkerArgsFor("b", workers.b, {
      cluster: fakeCluster,
      kinds,
      defaultImage: { build: { context: "/repo" } },
      sharedBucket: assert.fail,
      worker: assert.fail,
    });
    assert.deepEqual(
      [b.input, b.image, b.queueEncryption],
      [{ type: "own", prefix: undefined, suffix: undefined }, { build: { context: "/repo" } }, undefined],
    );
  });
});
