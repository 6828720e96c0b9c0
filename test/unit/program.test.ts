/**
 * The whole program (`index.ts`) with each stack file (`Pulumi.prod.yaml`, `Pulumi.staging.yaml`)
 * under Pulumi mocks: the worker graph issue 3 asks for, for the shipped catalog — notifications →
 * queues with the right ARNs, queue policies, redrive, container limits, secrets by reference, log
 * driver, scaling and alarms, IAM scoped to each worker's own resources, outputs (prod chains
 * feed-normalize → partner-protobuf-sftp; staging delivers to an S3 prefix), the backlog publisher,
 * the desired count left to autoscaling, and the stack outputs `jobworker smoke` reads.
 * One table row per stack; what only prod has (KMS queue keys, config errors) is tested on prod.
 */
import assert from "node:assert/strict";
import { type ResolvedOutputBinding, WORKER_ENV } from "../../catalog/contract";
import { workerKinds } from "../../catalog/kinds";
import { ACCOUNT_ID, type MockStack, readStackConfig, type RecordedResource, REGION, runProgram } from "../support/pulumi";

type Program = MockStack & { outputs: Record<string, unknown> };

/** Lookups into one program run. */
interface Graph {
  named(type: string, name: string): RecordedResource;
  bucket(resourceName: string): { bucket: string; arn: string };
}

interface WorkerExpectation {
  /** Resource name of the input bucket. */
  readonly inputBucket: string;
  readonly prefix: string;
  readonly suffix: string;
  readonly cpu: number;
  readonly memory: number;
  readonly maxTasks: number;
  /** The connector secrets the task role may read, in its policy's order. */
  readonly connectorSecrets?: readonly string[];
  /** `JOBWORKER_OUTPUTS` (and the stack output `workers.<name>.outputs`). */
  readonly outputs: (g: Graph) => Record<string, ResolvedOutputBinding>;
  /** Resources of the task role's `WriteDeclaredOutputs` statement; none when it writes to no bucket. */
  readonly writes: (g: Graph) => string[];
}

interface StackCase {
  readonly stack: string;
  readonly workers: Readonly<Record<string, WorkerExpectation>>;
  readonly sharedBuckets: readonly string[];
}

const STACKS: readonly StackCase[] = [
  {
    stack: "prod",
    sharedBuckets: ["partner-drop"],
    workers: {
      "feed-normalize": {
        inputBucket: "partner-drop-bucket",
        prefix: "feeds/",
        suffix: ".csv",
        cpu: 512,
        memory: 1024,
        maxTasks: 20,
        outputs: (g) => ({ records: { type: "s3", bucket: g.bucket("partner-protobuf-sftp-input").bucket, prefix: "records/" } }),
        writes: (g) => [`${g.bucket("partner-protobuf-sftp-input").arn}/records/*`],
      },
      "orders-webhook": {
        inputBucket: "partner-drop-bucket",
        prefix: "orders/",
        suffix: "",
        cpu: 256,
        memory: 512,
        maxTasks: 10,
        connectorSecrets: [`arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter/jobworker/prod/orders-api-token`],
        outputs: () => ({
          api: {
            type: "rest",
            url: "https://orders.example.com/v1/orders/batch",
            method: "POST",
            mode: "records",
            authSecret: "ssm:/jobworker/prod/orders-api-token",
            timeoutSeconds: 30,
          },
        }),
        writes: () => [],
      },
      "partner-protobuf-sftp": {
        inputBucket: "partner-protobuf-sftp-input",
        prefix: "records/",
        suffix: "",
        cpu: 256,
        memory: 512,
        maxTasks: 10,
        connectorSecrets: [
          `arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter/jobworker/prod/partner-pgp-public`,
          `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:jobworker/prod/partner-sftp-key-??????`,
        ],
        outputs: () => ({
          partner: {
            type: "sftp",
            host: "sftp.partner.example.com",
            port: 22,
            username: "jobworker",
            hostKeySha256: "SHA256:ttUpeVNRm/wHHpQBGL+Vx5ZZ+oiXBipsCz8aA4utKnU",
            privateKeySecret: "secretsmanager:jobworker/prod/partner-sftp-key",
            directory: "/inbound/jobworker",
            format: { type: "protobuf", schema: "partner/v1/record.proto", messageType: "partner.v1.Record", delimited: true },
            fileName: "ACME_{date}_{time}_{stem}_{id:8}.pb.pgp",
            timeZone: "Europe/Berlin",
            pgpPublicKeySecret: "ssm:/jobworker/prod/partner-pgp-public",
          },
        }),
        writes: () => [],
      },
    },
  },
  {
    stack: "staging",
    sharedBuckets: [],
    workers: {
      "feed-normalize": {
        inputBucket: "feed-normalize-input",
        prefix: "feeds/",
        suffix: ".csv",
        cpu: 256,
        memory: 512,
        maxTasks: 2,
        outputs: () => ({ records: { type: "s3", bucket: "jobworker-staging-results-123456789012", prefix: "feed-normalize/" } }),
        writes: () => ["arn:aws:s3:::jobworker-staging-results-123456789012/feed-normalize/*"],
      },
    },
  },
];

for (const c of STACKS) {
  const workers = Object.keys(c.workers).sort();
  describe(`${c.stack} program: workers`, function () {
    this.timeout(120_000);
    let program: Program;
    const named = (type: string, name: string): RecordedResource => {
      const found = program.resources.filter((r) => r.type === type && r.name === name);
      assert.equal(found.length, 1, `${type} ${name}: found ${found.length}`);
      return found[0];
    };
    const graph: Graph = { named, bucket: (name) => named("aws:s3/bucket:Bucket", name).state as { bucket: string; arn: string } };
    const json = (r: RecordedResource, key: string) => JSON.parse(r.inputs[key]);
    const container = (worker: string) => json(named("aws:ecs/taskDefinition:TaskDefinition", `${worker}-task`), "containerDefinitions")[0];
    const envOf = (worker: string): Record<string, string> =>
      Object.fromEntries(container(worker).environment.map((e: { name: string; value: string }) => [e.name, e.value]));
    const queue = (worker: string) => named("aws:sqs/queue:Queue", `${worker}-queue`);
    const taskPolicy = (worker: string) => json(named("aws:iam/rolePolicy:RolePolicy", `${worker}-task-policy`), "policy");

    before(async () => {
      program = await runProgram(readStackConfig(c.stack), { stack: c.stack });
    });

    it("creates one JobWorker per configured kind, one bucket per shared name and one backlog publisher", () => {
      assert.deepEqual(
        program
          .ofType("jobworker:index:JobWorker")
          .map((r) => r.name)
          .sort(),
        workers,
      );
      assert.deepEqual(
        program
          .ofType("jobworker:index:SharedInputBucket")
          .map((r) => r.name)
          .sort(),
        [...c.sharedBuckets],
      );
      assert.equal(program.ofType("jobworker:index:BacklogPublisher").length, 1);
    });

    it("routes each input bucket's uploads by prefix/suffix to its workers' queues, one notification per bucket", () => {
      const byBucket = new Map<string, string[]>();
      for (const w of workers) byBucket.set(c.workers[w].inputBucket, [...(byBucket.get(c.workers[w].inputBucket) ?? []), w]);
      for (const [bucketName, routed] of byBucket) {
        const resourceName = bucketName.endsWith("-bucket")
          ? `${bucketName.slice(0, -"-bucket".length)}-notification`
          : `${routed[0]}-notification`;
        const notification = named("aws:s3/bucketNotification:BucketNotification", resourceName);
        assert.equal(notification.inputs.bucket, named("aws:s3/bucket:Bucket", bucketName).id);
        assert.deepEqual(
          notification.inputs.queues,
          routed.map((w) => ({
            id: w,
            queueArn: queue(w).state.arn,
            events: ["s3:ObjectCreated:*"],
            ...(c.workers[w].prefix ? { filterPrefix: c.workers[w].prefix } : {}),
            ...(c.workers[w].suffix ? { filterSuffix: c.workers[w].suffix } : {}),
          })),
        );
      }
    });

    it("lets each queue accept messages only from S3 for its own input bucket and this account", () => {
      for (const w of workers) {
        const allow = json(named("aws:sqs/queuePolicy:QueuePolicy", `${w}-queue-policy`), "policy").Statement[0];
        assert.equal(allow.Resource, queue(w).state.arn);
        assert.deepEqual(allow.Condition, {
          ArnEquals: { "aws:SourceArn": graph.bucket(c.workers[w].inputBucket).arn },
          StringEquals: { "aws:SourceAccount": ACCOUNT_ID },
        });
      }
    });

    it("redrives every worker queue to its DLQ after 5 receives, with a visibility timeout from the kind's longest job", () => {
      for (const w of workers) {
        const q = queue(w).inputs;
        assert.deepEqual(JSON.parse(q.redrivePolicy), {
          deadLetterTargetArn: named("aws:sqs/queue:Queue", `${w}-dlq`).state.arn,
          maxReceiveCount: 5,
        });
        assert.equal(q.visibilityTimeoutSeconds, workerKinds[w]!.maxProcessingSeconds + 60);
      }
    });

    it("sets the configured cpu and memory on every worker container, with the fluentd driver and no secret values", () => {
      for (const w of workers) {
        const ct = container(w);
        assert.deepEqual([ct.cpu, ct.memory], [c.workers[w].cpu, c.workers[w].memory]);
        assert.equal(ct.logConfiguration.logDriver, "fluentd");
        assert.equal(ct.logConfiguration.options["fluentd-address"], "127.0.0.1:24224");
        assert.equal(ct.logConfiguration.options.mode, "non-blocking");
        for (const e of ct.environment)
          assert.doesNotMatch(e.value, /^(ssm|secretsmanager):/, `${w}: ${e.name} looks like a secret reference in plain env`);
      }
    });

    it("binds each output slot as configured (a chained worker resolved to its bucket and prefix) and lets the task write only there", () => {
      for (const w of workers) {
        assert.deepEqual(JSON.parse(envOf(w)[WORKER_ENV.outputs]), c.workers[w].outputs(graph), `${w}: ${WORKER_ENV.outputs}`);
        const write = taskPolicy(w).Statement.find((s: { Sid: string }) => s.Sid === "WriteDeclaredOutputs");
        assert.deepEqual(write ? [write.Resource].flat() : [], c.workers[w].writes(graph), `${w}: WriteDeclaredOutputs`);
      }
    });

    it("scopes each task role to its own input prefix and suffix and queue, and lets it read only its connector's secret", () => {
      for (const w of workers) {
        const e = c.workers[w];
        const statements = taskPolicy(w).Statement as { Sid: string; Resource: string | string[] }[];
        assert.equal(
          statements.find((s) => s.Sid === "ReadOwnInput")!.Resource,
          `${graph.bucket(e.inputBucket).arn}/${e.prefix}*${e.suffix}`,
        );
        assert.equal(statements.find((s) => s.Sid === "ConsumeOwnQueue")!.Resource, queue(w).state.arn);
        const secrets = statements.filter((s) => s.Sid.startsWith("ReadConnector")).flatMap((s) => [s.Resource].flat());
        assert.deepEqual(secrets, e.connectorSecrets ?? []);
      }
    });

    it("leaves every worker service's desired count to autoscaling, from 0 to the configured maxTasks", () => {
      for (const w of workers) {
        const svc = named("aws:ecs/service:Service", `${w}-service`);
        assert.deepEqual(svc.ignoreChanges, ["desiredCount"]);
        assert.deepEqual(svc.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
        const target = named("aws:appautoscaling/target:Target", `${w}-scaling-target`).inputs;
        assert.deepEqual(
          [target.minCapacity, target.maxCapacity, target.resourceId],
          [0, c.workers[w].maxTasks, `service/${program.outputs.clusterName}/${svc.state.name}`],
        );
      }
    });

    it("scales out on the publisher's 10-second metric of each queue, which the publisher finds by the stack's name prefix", () => {
      const fn = named("aws:lambda/function:Function", "backlog-publisher-function");
      const prefix = fn.inputs.environment.variables.JOBWORKER_BACKLOG_QUEUE_PREFIX;
      assert.equal(prefix, `jw-${c.stack}-`);
      assert.equal(named("aws:cloudwatch/eventRule:EventRule", "backlog-publisher-schedule").inputs.scheduleExpression, "rate(1 minute)");
      for (const w of workers) {
        assert.ok(queue(w).state.name.startsWith(prefix), `${queue(w).state.name} is found by the publisher`);
        const fast = named("aws:cloudwatch/metricAlarm:MetricAlarm", `${w}-backlog-fast`).inputs;
        assert.deepEqual(
          [fast.namespace, fast.metricName, fast.dimensions.QueueName, fast.period],
          ["Jobworker/SQS", "ApproximateNumberOfMessagesVisible", queue(w).state.name, 10],
        );
        assert.deepEqual(fast.alarmActions, [named("aws:appautoscaling/policy:Policy", `${w}-scale-out`).state.arn]);
      }
      const policy = json(named("aws:iam/rolePolicy:RolePolicy", "backlog-publisher-policy"), "policy").Statement;
      assert.equal(
        policy.find((s: { Sid: string }) => s.Sid === "ReadWorkerQueues").Resource,
        `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:jw-${c.stack}-*`,
      );
      assert.deepEqual(policy.find((s: { Sid: string }) => s.Sid === "PutOwnMetrics").Condition, {
        StringEquals: { "cloudwatch:namespace": ["Jobworker/SQS", "Jobworker/Capacity"] },
      });
    });

    it("publishes the cluster's capacity metrics the fleet scales on, and every worker's TasksNeeded its scale-in follows", () => {
      const env = named("aws:lambda/function:Function", "backlog-publisher-function").inputs.environment.variables;
      const clusterName = named("aws:ecs/cluster:Cluster", "jobworker-cluster").state.name;
      assert.deepEqual([env.JOBWORKER_CAPACITY_CLUSTER, env.JOBWORKER_CAPACITY_NAMESPACE], [clusterName, "Jobworker/Capacity"]);
      const shortfall = named("aws:cloudwatch/metricAlarm:MetricAlarm", "jobworker-shortfall").inputs;
      assert.deepEqual([shortfall.namespace, shortfall.dimensions.ClusterName], ["Jobworker/Capacity", clusterName]);
      for (const w of workers) {
        const needed = named("aws:cloudwatch/metricAlarm:MetricAlarm", `${w}-tasks-needed`).inputs;
        const tn = needed.metricQueries.find((q: { id: string }) => q.id === "tn").metric;
        assert.deepEqual([tn.namespace, tn.metricName, tn.dimensions.QueueName], ["Jobworker/SQS", "TasksNeeded", queue(w).state.name]);
        assert.deepEqual(needed.alarmActions, [named("aws:appautoscaling/policy:Policy", `${w}-scale-to-needed`).state.arn]);
        const tags = queue(w).inputs.tags;
        assert.match(tags["jobworker:concurrency"], /^[1-9][0-9]*$/);
        assert.equal(
          tags["jobworker:max-tasks"],
          String(named("aws:appautoscaling/target:Target", `${w}-scaling-target`).inputs.maxCapacity),
        );
      }
    });

    it("builds each kind's image from workers/Dockerfile into its own repository", () => {
      for (const w of workers) {
        const image = named("docker-build:index:Image", `${w}-image`).inputs;
        assert.deepEqual(image.buildArgs, { WORKER: w });
        assert.ok(image.tags[0].startsWith(named("aws:ecr/repository:Repository", `${w}-repo`).state.repositoryUrl + ":"));
      }
    });

    it("exports, per worker, what `jobworker smoke` reads: input bucket, prefix, suffix, queues, service and output bindings", () => {
      assert.equal(program.outputs.clusterName, named("aws:ecs/cluster:Cluster", "jobworker-cluster").state.name);
      const exported = program.outputs.workers as Record<string, Record<string, unknown>>;
      assert.deepEqual(Object.keys(exported).sort(), workers);
      for (const w of workers) {
        const e = c.workers[w];
        assert.deepEqual(exported[w], {
          bucket: graph.bucket(e.inputBucket).bucket,
          prefix: e.prefix,
          suffix: e.suffix,
          queueUrl: queue(w).state.url,
          queueArn: queue(w).state.arn,
          deadLetterQueueUrl: named("aws:sqs/queue:Queue", `${w}-dlq`).state.url,
          deadLetterQueueArn: named("aws:sqs/queue:Queue", `${w}-dlq`).state.arn,
          serviceName: named("aws:ecs/service:Service", `${w}-service`).state.name,
          repositoryUrl: named("aws:ecr/repository:Repository", `${w}-repo`).state.repositoryUrl,
          outputs: e.outputs(graph),
        });
      }
    });
  });
}

describe("prod program: what only prod has", function () {
  this.timeout(120_000);

  it("encrypts orders-webhook's queue with its own KMS key and the others with SSE-SQS", async () => {
    const program = await runProgram(readStackConfig("prod"), { stack: "prod" });
    const queue = (w: string) => program.resources.find((r) => r.type === "aws:sqs/queue:Queue" && r.name === `${w}-queue`)!;
    const key = program.resources.find((r) => r.type === "aws:kms/key:Key" && r.name === "orders-webhook-queue-key")!;
    assert.equal(queue("orders-webhook").inputs.kmsMasterKeyId, key.state.arn);
    assert.equal(queue("feed-normalize").inputs.sqsManagedSseEnabled, true);
  });

  it("names the stack key when a worker's memory does not fit the fleet's largest instance", async () => {
    const config = readStackConfig("prod");
    const workers = structuredClone(config["jobworker:workers"]) as Record<string, Record<string, unknown>>;
    workers["orders-webhook"].memory = 1_000_000;
    await assert.rejects(runProgram({ ...config, "jobworker:workers": workers }), (err: Error) => {
      assert.match(
        err.message,
        /`jobworker:workers\.orders-webhook\.memory` is 1000000; it must be an integer from 6 to \d+ \(MiB; r6i?d?\.4xlarge registers about \d+ MiB/,
      );
      return true;
    });
  });

  it("fails before declaring anything when a worker's config is wrong, naming the key", async () => {
    const config = readStackConfig("prod");
    const workers = structuredClone(config["jobworker:workers"]) as Record<string, Record<string, unknown>>;
    delete workers["orders-webhook"].memory;
    await assert.rejects(runProgram({ ...config, "jobworker:workers": workers }), /`jobworker:workers\.orders-webhook\.memory`/);
  });
});
