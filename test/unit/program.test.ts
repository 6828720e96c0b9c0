/**
 * The whole prod program (`index.ts` with `Pulumi.prod.yaml`) under Pulumi mocks: the worker graph
 * issue 3 asks for, for the shipped catalog — notifications → queues with the right ARNs, queue
 * policies, redrive, container limits, secrets by reference, log driver, scaling and alarms, IAM
 * scoped to each worker's own resources, chaining feed-normalize → partner-protobuf-sftp, the
 * backlog publisher, and the desired count left to autoscaling.
 */
import assert from "node:assert/strict";
import { WORKER_ENV } from "../../catalog/contract";
import { ACCOUNT_ID, type MockStack, readStackConfig, type RecordedResource, REGION, runProgram } from "../support/pulumi";

const WORKERS = ["feed-normalize", "orders-webhook", "partner-protobuf-sftp"] as const;
type Program = MockStack & { outputs: Record<string, unknown> };

describe("prod program: workers", function () {
  this.timeout(120_000);
  let program: Program;
  const named = (type: string, name: string): RecordedResource => {
    const found = program.resources.filter((r) => r.type === type && r.name === name);
    assert.equal(found.length, 1, `${type} ${name}: found ${found.length}`);
    return found[0];
  };
  const json = (r: RecordedResource, key: string) => JSON.parse(r.inputs[key]);
  const container = (worker: string) => json(named("aws:ecs/taskDefinition:TaskDefinition", `${worker}-task`), "containerDefinitions")[0];
  const envOf = (worker: string): Record<string, string> => Object.fromEntries(container(worker).environment.map((e: { name: string; value: string }) => [e.name, e.value]));
  const queue = (worker: string) => named("aws:sqs/queue:Queue", `${worker}-queue`);
  const taskPolicy = (worker: string) => json(named("aws:iam/rolePolicy:RolePolicy", `${worker}-task-policy`), "policy");

  before(async () => {
    program = await runProgram(readStackConfig("prod"));
  });

  it("creates one JobWorker per configured kind, one shared bucket and one backlog publisher", () => {
    assert.deepEqual(program.ofType("jobworker:index:JobWorker").map((r) => r.name).sort(), [...WORKERS]);
    assert.deepEqual(program.ofType("jobworker:index:SharedInputBucket").map((r) => r.name), ["partner-drop"]);
    assert.equal(program.ofType("jobworker:index:BacklogPublisher").length, 1);
    assert.deepEqual(Object.keys(program.outputs.workers as object).sort(), [...WORKERS]);
  });

  it("routes the shared bucket's uploads by prefix/suffix to feed-normalize and orders-webhook in one notification", () => {
    const notification = named("aws:s3/bucketNotification:BucketNotification", "partner-drop-notification");
    assert.equal(notification.inputs.bucket, named("aws:s3/bucket:Bucket", "partner-drop-bucket").id);
    assert.deepEqual(notification.inputs.queues, [
      { id: "feed-normalize", queueArn: queue("feed-normalize").state.arn, events: ["s3:ObjectCreated:*"], filterPrefix: "feeds/", filterSuffix: ".csv" },
      { id: "orders-webhook", queueArn: queue("orders-webhook").state.arn, events: ["s3:ObjectCreated:*"], filterPrefix: "orders/" },
    ]);
    const own = named("aws:s3/bucketNotification:BucketNotification", "partner-protobuf-sftp-notification");
    assert.deepEqual(own.inputs.queues, [{ id: "partner-protobuf-sftp", queueArn: queue("partner-protobuf-sftp").state.arn, events: ["s3:ObjectCreated:*"], filterPrefix: "records/" }]);
  });

  it("lets each queue accept messages only from S3 for its own input bucket and this account", () => {
    const bucketOf: Record<string, string> = { "feed-normalize": "partner-drop-bucket", "orders-webhook": "partner-drop-bucket", "partner-protobuf-sftp": "partner-protobuf-sftp-input" };
    for (const w of WORKERS) {
      const allow = json(named("aws:sqs/queuePolicy:QueuePolicy", `${w}-queue-policy`), "policy").Statement[0];
      assert.equal(allow.Resource, queue(w).state.arn);
      assert.deepEqual(allow.Condition, { ArnEquals: { "aws:SourceArn": named("aws:s3/bucket:Bucket", bucketOf[w]).state.arn }, StringEquals: { "aws:SourceAccount": ACCOUNT_ID } });
    }
  });

  it("redrives every worker queue to its DLQ after 5 receives, with a visibility timeout from the kind's longest job", () => {
    const longest: Record<string, number> = { "feed-normalize": 300, "orders-webhook": 120, "partner-protobuf-sftp": 600 };
    for (const w of WORKERS) {
      const q = queue(w).inputs;
      assert.deepEqual(JSON.parse(q.redrivePolicy), { deadLetterTargetArn: named("aws:sqs/queue:Queue", `${w}-dlq`).state.arn, maxReceiveCount: 5 });
      assert.equal(q.visibilityTimeoutSeconds, longest[w] + 60);
    }
    assert.equal(queue("orders-webhook").inputs.kmsMasterKeyId, named("aws:kms/key:Key", "orders-webhook-queue-key").state.arn);
    assert.equal(queue("feed-normalize").inputs.sqsManagedSseEnabled, true);
  });

  it("sets the configured cpu and memory on every worker container, with the fluentd driver and no secret values", () => {
    const limits: Record<string, [number, number]> = { "feed-normalize": [512, 1024], "orders-webhook": [256, 512], "partner-protobuf-sftp": [256, 512] };
    for (const w of WORKERS) {
      const c = container(w);
      assert.deepEqual([c.cpu, c.memory], limits[w]);
      assert.equal(c.logConfiguration.logDriver, "fluentd");
      assert.equal(c.logConfiguration.options["fluentd-address"], "127.0.0.1:24224");
      assert.equal(c.logConfiguration.options.mode, "non-blocking");
      for (const e of c.environment) assert.doesNotMatch(e.value, /^(ssm|secretsmanager):/, `${w}: ${e.name} looks like a secret reference in plain env`);
    }
  });

  it("chains feed-normalize into partner-protobuf-sftp's bucket and prefix, and lets it write only there", () => {
    const target = named("aws:s3/bucket:Bucket", "partner-protobuf-sftp-input").state;
    assert.deepEqual(JSON.parse(envOf("feed-normalize")[WORKER_ENV.outputs]), { records: { type: "s3", bucket: target.bucket, prefix: "records/" } });
    const write = taskPolicy("feed-normalize").Statement.find((s: { Sid: string }) => s.Sid === "WriteDeclaredOutputs");
    assert.deepEqual(write.Resource, [`${target.arn}/records/*`]);
    for (const w of ["orders-webhook", "partner-protobuf-sftp"]) {
      assert.equal(taskPolicy(w).Statement.some((s: { Sid: string }) => s.Sid === "WriteDeclaredOutputs"), false, `${w} writes to no bucket`);
    }
  });

  it("scopes each task role to its own input prefix and queue, and lets it read only its connector's secret", () => {
    const drop = named("aws:s3/bucket:Bucket", "partner-drop-bucket").state.arn;
    const expected: Record<string, [string, string | undefined]> = {
      "feed-normalize": [`${drop}/feeds/*.csv`, undefined],
      "orders-webhook": [`${drop}/orders/*`, `arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter/jobworker/prod/orders-api-token`],
      "partner-protobuf-sftp": [`${named("aws:s3/bucket:Bucket", "partner-protobuf-sftp-input").state.arn}/records/*`, `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:jobworker/prod/partner-sftp-key-??????`],
    };
    for (const w of WORKERS) {
      const statements = taskPolicy(w).Statement as { Sid: string; Resource: string | string[] }[];
      assert.equal(statements.find((s) => s.Sid === "ReadOwnInput")!.Resource, expected[w][0]);
      assert.equal(statements.find((s) => s.Sid === "ConsumeOwnQueue")!.Resource, queue(w).state.arn);
      const secrets = statements.filter((s) => s.Sid.startsWith("ReadConnector")).flatMap((s) => [s.Resource].flat());
      assert.deepEqual(secrets, expected[w][1] ? [expected[w][1]] : []);
    }
  });

  it("leaves every worker service's desired count to autoscaling, from 0 to the configured maxTasks", () => {
    const max: Record<string, number> = { "feed-normalize": 20, "orders-webhook": 10, "partner-protobuf-sftp": 10 };
    for (const w of WORKERS) {
      const svc = named("aws:ecs/service:Service", `${w}-service`);
      assert.deepEqual(svc.ignoreChanges, ["desiredCount"]);
      assert.deepEqual(svc.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
      const target = named("aws:appautoscaling/target:Target", `${w}-scaling-target`).inputs;
      assert.deepEqual([target.minCapacity, target.maxCapacity, target.resourceId], [0, max[w], `service/${program.outputs.clusterName}/${svc.state.name}`]);
    }
  });

  it("scales out on the publisher's 10-second metric of each queue, which the publisher finds by name prefix", () => {
    const fn = program.ofType("aws:lambda/function:Function")[0];
    const prefix = fn.inputs.environment.variables.JOBWORKER_BACKLOG_QUEUE_PREFIX;
    assert.equal(prefix, "jw-prod-");
    assert.equal(named("aws:cloudwatch/eventRule:EventRule", "backlog-publisher-schedule").inputs.scheduleExpression, "rate(1 minute)");
    for (const w of WORKERS) {
      assert.ok(queue(w).state.name.startsWith(prefix), `${queue(w).state.name} is found by the publisher`);
      const fast = named("aws:cloudwatch/metricAlarm:MetricAlarm", `${w}-backlog-fast`).inputs;
      assert.deepEqual([fast.namespace, fast.metricName, fast.dimensions.QueueName, fast.period], ["Jobworker/SQS", "ApproximateNumberOfMessagesVisible", queue(w).state.name, 10]);
      assert.deepEqual(fast.alarmActions, [named("aws:appautoscaling/policy:Policy", `${w}-scale-out`).state.arn]);
    }
    const policy = json(named("aws:iam/rolePolicy:RolePolicy", "backlog-publisher-policy"), "policy").Statement;
    assert.equal(policy.find((s: { Sid: string }) => s.Sid === "ReadWorkerQueues").Resource, `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:jw-prod-*`);
    assert.deepEqual(policy.find((s: { Sid: string }) => s.Sid === "PutOwnMetrics").Condition, { StringEquals: { "cloudwatch:namespace": "Jobworker/SQS" } });
  });

  it("builds each kind's image from workers/Dockerfile into its own repository", () => {
    for (const w of WORKERS) {
      const image = named("docker-build:index:Image", `${w}-image`).inputs;
      assert.deepEqual(image.buildArgs, { WORKER: w });
      assert.ok(image.tags[0].startsWith(named("aws:ecr/repository:Repository", `${w}-repo`).state.repositoryUrl + ":"));
    }
  });

  it("names the stack key when a worker's memory does not fit the fleet's largest instance", async () => {
    const config = readStackConfig("prod");
    const workers = structuredClone(config["jobworker:workers"]) as Record<string, Record<string, unknown>>;
    workers["orders-webhook"].memory = 1_000_000;
    await assert.rejects(runProgram({ ...config, "jobworker:workers": workers }), (err: Error) => {
      assert.match(err.message, /`jobworker:workers\.orders-webhook\.memory` is 1000000; it must be an integer from 6 to \d+ \(MiB; r6i?d?\.4xlarge registers about \d+ MiB/);
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
