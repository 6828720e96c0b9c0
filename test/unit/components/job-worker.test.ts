/**
 * The JobWorker graph under Pulumi mocks: one worker with its own bucket chaining into a second one
 * on a shared bucket, checked resource by resource through the inputs a `pulumi up` would send.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { WORKER_ENV, type WorkerDefinition } from "../../../catalog/contract";
import { judgeIamDocuments } from "../../support/iam";
import { ACCOUNT_ID, REGION, type MockStack, type RecordedResource, startMocks, valueOf } from "../../support/pulumi";
import type { JobWorkerArgs } from "../../../components/job-worker";
import { fakeCluster } from "./job-worker.fixtures";

const stage: WorkerDefinition = {
  name: "stage-one",
  description: "first stage",
  concurrency: 4,
  maxProcessingSeconds: 300,
  outputs: { next: { description: "to the next stage", accepts: ["worker", "s3"] }, archive: { description: "copy", accepts: ["s3"] } },
};
const sink: WorkerDefinition = {
  name: "stage-two",
  description: "second stage",
  concurrency: 2,
  maxProcessingSeconds: 600,
  outputs: { partner: { description: "partner", accepts: ["sftp"] } },
};
const metrics = { namespace: "Jobworker/SQS", queueNamePrefix: "jw-test-", periodSeconds: 10 };

function policyOf(r: RecordedResource, key = "policy"): { Statement: any[] } {
  return JSON.parse(r.inputs[key]);
}
function statement(doc: { Statement: any[] }, sid: string): any {
  const found = doc.Statement.find((s) => s.Sid === sid);
  assert.ok(found, `statement ${sid} in ${JSON.stringify(doc)}`);
  return found;
}

describe("JobWorker component", () => {
  let stack: MockStack;
  const byName = (type: string, name: string) => stack.resources.find((r) => r.type === type && r.name === name)!;

  before(async () => {
    stack = startMocks();
    const { JobWorker, SharedInputBucket } = await import("../../../components");
    const shared = new SharedInputBucket("inbound");
    const two = new JobWorker("stage-two", {
      cluster: fakeCluster,
      definition: sink,
      cpu: 512,
      memory: 1024,
      maxTasks: 4,
      input: { type: "shared", bucket: shared, prefix: "stage-two/", suffix: ".ndjson" },
      outputs: {
        partner: {
          type: "sftp",
          host: "sftp.partner.example",
          username: "u",
          hostKeySha256: `SHA256:${"A".repeat(43)}`,
          directory: "/in",
          privateKeySecret: "secretsmanager:partner/sftp-key",
        },
      },
      image: { uri: `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/shared-images:v1` },
      secrets: { PARTNER_TOKEN: "ssm:/jobworker/partner/token" },
      queueEncryption: { type: "kms" },
      backlogMetrics: metrics,
    } satisfies JobWorkerArgs);
    new JobWorker("stage-one", {
      cluster: fakeCluster,
      definition: stage,
      cpu: 256,
      memory: 512,
      input: { type: "own", prefix: "uploads/" },
      outputs: {
        next: { type: "worker", worker: two },
        archive: { type: "s3", bucket: "archive-bucket", prefix: "copies/", kmsKeyId: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/abcd-1234` },
      },
      // Any existing kind folder does: this test checks the wiring, not the kind.
      image: { build: { context: process.cwd(), kindContext: join(process.cwd(), "workers", "kinds", "feed-normalize"), tag: "t1" } },
      environment: { FEED_FORMAT: "csv" },
      backlogMetrics: metrics,
      alarmActions: [`arn:aws:sns:${REGION}:${ACCOUNT_ID}:oncall`],
    });
    shared.seal();
    await stack.settle();
  });

  it("sends the own bucket's ObjectCreated notifications under the prefix to the worker's queue, after the queue policy", () => {
    const n = byName("aws:s3/bucketNotification:BucketNotification", "stage-one-notification");
    const bucket = byName("aws:s3/bucket:Bucket", "stage-one-input");
    const queue = byName("aws:sqs/queue:Queue", "stage-one-queue");
    const policy = byName("aws:sqs/queuePolicy:QueuePolicy", "stage-one-queue-policy");
    assert.equal(n.inputs.bucket, bucket.id);
    assert.deepEqual(n.inputs.queues, [
      { id: "stage-one", queueArn: queue.state.arn, events: ["s3:ObjectCreated:*"], filterPrefix: "uploads/" },
    ]);
    assert.ok(n.dependencies?.includes(policy.urn!), "notification waits for the queue policy");
  });

  it("writes one notification configuration for the shared bucket with each worker's filter", () => {
    const n = byName("aws:s3/bucketNotification:BucketNotification", "inbound-notification");
    assert.equal(n.inputs.bucket, byName("aws:s3/bucket:Bucket", "inbound-bucket").id);
    assert.deepEqual(n.inputs.queues, [
      {
        id: "stage-two",
        queueArn: byName("aws:sqs/queue:Queue", "stage-two-queue").state.arn,
        events: ["s3:ObjectCreated:*"],
        filterPrefix: "stage-two/",
        filterSuffix: ".ndjson",
      },
    ]);
  });

  it("lets only S3, from the input bucket and this account, send to the queue", () => {
    for (const [worker, bucketName] of [
      ["stage-one", "stage-one-input"],
      ["stage-two", "inbound-bucket"],
    ]) {
      const doc = policyOf(byName("aws:sqs/queuePolicy:QueuePolicy", `${worker}-queue-policy`));
      const allow = statement(doc, "S3InputBucketNotifications");
      assert.deepEqual(allow.Principal, { Service: "s3.amazonaws.com" });
      assert.equal(allow.Action, "sqs:SendMessage");
      assert.equal(allow.Resource, byName("aws:sqs/queue:Queue", `${worker}-queue`).state.arn);
      assert.deepEqual(allow.Condition, {
        ArnEquals: { "aws:SourceArn": byName("aws:s3/bucket:Bucket", bucketName).state.arn },
        StringEquals: { "aws:SourceAccount": ACCOUNT_ID },
      });
    }
  });

  it("blocks public access, encrypts, versions, denies non-TLS requests and expires old versions and incomplete uploads on every input bucket", () => {
    for (const name of ["stage-one-input", "inbound-bucket"]) {
      const pab = byName("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${name}-public-access`);
      assert.deepEqual(
        [pab.inputs.blockPublicAcls, pab.inputs.blockPublicPolicy, pab.inputs.ignorePublicAcls, pab.inputs.restrictPublicBuckets],
        [true, true, true, true],
      );
      const sse = byName("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${name}-encryption`);
      assert.equal(sse.inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
      const deny = statement(policyOf(byName("aws:s3/bucketPolicy:BucketPolicy", `${name}-tls-only`)), "DenyInsecureTransport");
      assert.equal(deny.Effect, "Deny");
      assert.deepEqual(deny.Condition, { Bool: { "aws:SecureTransport": "false" } });
      const lifecycle = byName("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `${name}-lifecycle`);
      assert.deepEqual(lifecycle.inputs.rules, [
        {
          id: "abort-incomplete-multipart-uploads",
          status: "Enabled",
          filter: {},
          abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
        { id: "expire-noncurrent-versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 7 } },
      ]);
      const versioning = byName("aws:s3/bucketVersioning:BucketVersioning", `${name}-versioning`);
      assert.deepEqual(versioning.inputs.versioningConfiguration, { status: "Enabled" });
    }
  });

  it("denies non-TLS requests on the dead-letter queue too", () => {
    const dlq = byName("aws:sqs/queue:Queue", "stage-one-dlq");
    const policy = byName("aws:sqs/queuePolicy:QueuePolicy", "stage-one-dlq-policy");
    assert.equal(policy.inputs.queueUrl, dlq.state.url);
    assert.deepEqual(policyOf(policy).Statement, [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "sqs:*",
        Resource: dlq.state.arn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ]);
  });

  it("encrypts, long-polls and redrives the queue into a DLQ that keeps messages longer", () => {
    const queue = byName("aws:sqs/queue:Queue", "stage-one-queue");
    const dlq = byName("aws:sqs/queue:Queue", "stage-one-dlq");
    assert.equal(queue.inputs.sqsManagedSseEnabled, true);
    assert.equal(queue.inputs.kmsMasterKeyId, undefined);
    assert.ok(queue.inputs.maxMessageSize >= 65_536);
    assert.equal(queue.inputs.receiveWaitTimeSeconds, 20);
    assert.equal(queue.inputs.visibilityTimeoutSeconds, 300 + 60);
    assert.deepEqual(JSON.parse(queue.inputs.redrivePolicy), { deadLetterTargetArn: dlq.state.arn, maxReceiveCount: 5 });
    assert.ok(dlq.inputs.messageRetentionSeconds >= queue.inputs.messageRetentionSeconds);
    assert.equal(queue.inputs.namePrefix, "jw-test-stage-one-");
    assert.equal(dlq.inputs.namePrefix, "jw-test-stage-one-dlq-");
    const allow = byName("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy", "stage-one-dlq-redrive-allow");
    assert.deepEqual(JSON.parse(allow.inputs.redriveAllowPolicy), { redrivePermission: "byQueue", sourceQueueArns: [queue.state.arn] });
  });

  it("encrypts a kms queue with a customer key whose policy lets S3 from this account use it", () => {
    const key = byName("aws:kms/key:Key", "stage-two-queue-key");
    const queue = byName("aws:sqs/queue:Queue", "stage-two-queue");
    assert.equal(queue.inputs.kmsMasterKeyId, key.state.arn);
    assert.equal(queue.inputs.sqsManagedSseEnabled, false);
    const s3 = statement(policyOf(key), "S3SendsNotifications");
    assert.deepEqual(s3.Principal, { Service: "s3.amazonaws.com" });
    assert.deepEqual(s3.Action, ["kms:GenerateDataKey", "kms:Decrypt"]);
    assert.equal(s3.Condition.StringEquals["aws:SourceAccount"], ACCOUNT_ID);
  });

  it("gives every container cpu/memory limits, a stop timeout under 90 s, an init process, a non-root user and a read-only root", () => {
    for (const [worker, cpu, memory] of [
      ["stage-one", 256, 512],
      ["stage-two", 512, 1024],
    ] as const) {
      const td = byName("aws:ecs/taskDefinition:TaskDefinition", `${worker}-task`);
      assert.deepEqual(td.inputs.requiresCompatibilities, ["EC2"]);
      assert.equal(td.inputs.networkMode, "bridge");
      assert.deepEqual(td.inputs.volumes, [{ name: "scratch", dockerVolumeConfiguration: { scope: "task", driver: "local" } }]);
      const [c, ...rest] = JSON.parse(td.inputs.containerDefinitions);
      assert.equal(rest.length, 0);
      assert.equal(c.cpu, cpu);
      assert.equal(c.memory, memory);
      assert.ok(c.stopTimeout <= 90 && c.stopTimeout > 0);
      assert.equal(c.linuxParameters.initProcessEnabled, true);
      assert.equal(c.user, "1000:1000");
      assert.equal(c.readonlyRootFilesystem, true);
      assert.deepEqual(c.mountPoints, [{ sourceVolume: "scratch", containerPath: "/scratch", readOnly: false }]);
      assert.deepEqual(c.logConfiguration, {
        logDriver: "fluentd",
        options: {
          "fluentd-address": "127.0.0.1:24224",
          "fluentd-async": "true",
          "fluentd-write-timeout": "5s",
          "fluentd-sub-second-precision": "true",
          mode: "non-blocking",
          "max-buffer-size": "4m",
          tag: `jobworker.${worker}`,
        },
      });
    }
  });

  it("passes the runtime contract in the environment, the chained worker resolved to its bucket and prefix", () => {
    const td = byName("aws:ecs/taskDefinition:TaskDefinition", "stage-one-task");
    const [c] = JSON.parse(td.inputs.containerDefinitions);
    const env = Object.fromEntries(c.environment.map((e: { name: string; value: string }) => [e.name, e.value]));
    assert.deepEqual(c.command, ["run", "stage-one"]);
    assert.equal(env[WORKER_ENV.worker], "stage-one");
    assert.equal(env[WORKER_ENV.queueUrl], byName("aws:sqs/queue:Queue", "stage-one-queue").state.url);
    assert.equal(env[WORKER_ENV.concurrency], "4");
    assert.equal(env[WORKER_ENV.maxProcessingSeconds], "300");
    assert.equal(env[WORKER_ENV.shutdownSeconds], String(c.stopTimeout - 15));
    assert.equal(env[WORKER_ENV.scratchDir], "/scratch");
    assert.equal(env.FEED_FORMAT, "csv");
    assert.deepEqual(JSON.parse(env[WORKER_ENV.outputs]), {
      next: { type: "s3", bucket: byName("aws:s3/bucket:Bucket", "inbound-bucket").state.bucket, prefix: "stage-two/" },
      archive: { type: "s3", bucket: "archive-bucket", prefix: "copies/", kmsKeyId: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/abcd-1234` },
    });
    assert.match(c.image, new RegExp(`^${ACCOUNT_ID}\\.dkr\\.ecr\\.${REGION}\\.amazonaws\\.com/.+@sha256:[0-9a-f]{64}$`));
  });

  it("passes secrets only by reference (valueFrom ARNs), never as values", () => {
    const [c] = JSON.parse(byName("aws:ecs/taskDefinition:TaskDefinition", "stage-two-task").inputs.containerDefinitions);
    assert.deepEqual(c.secrets, [
      { name: "PARTNER_TOKEN", valueFrom: `arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter/jobworker/partner/token` },
    ]);
    assert.ok(!c.environment.some((e: { name: string }) => e.name === "PARTNER_TOKEN"));
  });

  it("scopes the task role to its own input, queue, task protection and declared outputs", () => {
    const doc = policyOf(byName("aws:iam/rolePolicy:RolePolicy", "stage-one-task-policy"));
    const bucketArn = byName("aws:s3/bucket:Bucket", "stage-one-input").state.arn;
    assert.deepEqual(statement(doc, "ReadOwnInput"), {
      Sid: "ReadOwnInput",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `${bucketArn}/uploads/*`,
    });
    assert.equal(statement(doc, "ConsumeOwnQueue").Resource, byName("aws:sqs/queue:Queue", "stage-one-queue").state.arn);
    assert.equal(statement(doc, "SendToOwnDeadLetterQueue").Resource, byName("aws:sqs/queue:Queue", "stage-one-dlq").state.arn);
    // Hand-off on shutdown: a copy of the message into its own queue, no other queue.
    assert.deepEqual(statement(doc, "HandBackToOwnQueue"), {
      Sid: "HandBackToOwnQueue",
      Effect: "Allow",
      Action: "sqs:SendMessage",
      Resource: byName("aws:sqs/queue:Queue", "stage-one-queue").state.arn,
    });
    assert.deepEqual(statement(doc, "OwnTaskScaleInProtection").Action, ["ecs:UpdateTaskProtection", "ecs:GetTaskProtection"]);
    assert.equal(statement(doc, "OwnTaskScaleInProtection").Resource, `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task/jobworker-cluster/*`);
    const inbound = byName("aws:s3/bucket:Bucket", "inbound-bucket").state.arn;
    assert.deepEqual(
      statement(doc, "WriteDeclaredOutputs").Resource,
      [`arn:aws:s3:::archive-bucket/copies/*`, `${inbound}/stage-two/*`].sort(),
    );
    assert.deepEqual(statement(doc, "EncryptDeclaredOutputs").Resource, [`arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/abcd-1234`]);
    for (const s of doc.Statement) {
      assert.notEqual(s.Resource, "*", `statement ${s.Sid} is not scoped`);
      for (const action of [s.Action].flat()) assert.ok(!action.endsWith("*"), `${s.Sid} grants a wildcard action ${action}`);
    }
  });

  it("lets the second stage read its connector secret and decrypt its own queue key, and nothing of stage one", () => {
    const doc = policyOf(byName("aws:iam/rolePolicy:RolePolicy", "stage-two-task-policy"));
    assert.equal(
      statement(doc, "ReadOwnInput").Resource,
      `${byName("aws:s3/bucket:Bucket", "inbound-bucket").state.arn}/stage-two/*.ndjson`,
      "reads stop at its own prefix and suffix",
    );
    assert.deepEqual(statement(doc, "UseOwnQueueKey"), {
      Sid: "UseOwnQueueKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: byName("aws:kms/key:Key", "stage-two-queue-key").state.arn,
    });
    assert.deepEqual(statement(doc, "ReadConnectorSecretValues").Resource, [
      `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:partner/sftp-key-??????`,
    ]);
    assert.ok(!JSON.stringify(doc).includes("stage-one"));
    assert.ok(!doc.Statement.some((s) => s.Sid === "WriteDeclaredOutputs"), "an SFTP-only worker writes to no bucket");
  });

  it("renders only documents IAM accepts: trust, task and execution roles (secrets, KMS, chained outputs), queue, bucket and key policies", async () => {
    const { messages, documents } = await judgeIamDocuments(stack.resources);
    assert.deepEqual(messages, []);
    assert.deepEqual(documents, [
      "inbound-bucket-tls-only.policy",
      "stage-one-dlq-policy.policy",
      "stage-one-execution-policy.policy",
      "stage-one-execution-role.assumeRolePolicy",
      "stage-one-input-tls-only.policy",
      "stage-one-queue-policy.policy",
      "stage-one-task-policy.policy",
      "stage-one-task-role.assumeRolePolicy",
      "stage-two-dlq-policy.policy",
      "stage-two-execution-policy.policy",
      "stage-two-execution-role.assumeRolePolicy",
      "stage-two-queue-key.policy",
      "stage-two-queue-policy.policy",
      "stage-two-task-policy.policy",
      "stage-two-task-role.assumeRolePolicy",
    ]);
  });

  it("gives its roles a trust policy without `Resource`, only for this account's ECS tasks", () => {
    for (const role of stack.ofType("aws:iam/role:Role")) {
      assert.deepEqual(
        JSON.parse(role.inputs.assumeRolePolicy).Statement,
        [
          {
            Effect: "Allow",
            Principal: { Service: "ecs-tasks.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: {
              StringEquals: { "aws:SourceAccount": ACCOUNT_ID },
              ArnLike: { "aws:SourceArn": `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:*` },
            },
          },
        ],
        role.name,
      );
    }
  });

  it("limits the execution role to its image's repository and its container secrets", () => {
    const one = policyOf(byName("aws:iam/rolePolicy:RolePolicy", "stage-one-execution-policy"));
    assert.equal(statement(one, "PullOwnImage").Resource, byName("aws:ecr/repository:Repository", "stage-one-repo").state.arn);
    assert.ok(!one.Statement.some((s) => /Parameters|SecretValues/.test(s.Sid)));
    const two = policyOf(byName("aws:iam/rolePolicy:RolePolicy", "stage-two-execution-policy"));
    assert.equal(statement(two, "PullOwnImage").Resource, `arn:aws:ecr:${REGION}:${ACCOUNT_ID}:repository/shared-images`);
    assert.deepEqual(statement(two, "ReadContainerParameters").Resource, [
      `arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter/jobworker/partner/token`,
    ]);
  });

  it("builds the image of the runtime and the kind's own folder into its own scan-on-push, immutable repository with a lifecycle", () => {
    const repo = byName("aws:ecr/repository:Repository", "stage-one-repo");
    assert.deepEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
    assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE");
    const lifecycle = JSON.parse(byName("aws:ecr/lifecyclePolicy:LifecyclePolicy", "stage-one-repo-lifecycle").inputs.policy);
    assert.equal(lifecycle.rules[0].selection.countNumber, 10);
    const image = byName("docker-build:index:Image", "stage-one-image");
    assert.deepEqual(image.inputs.buildArgs, { WORKER: "stage-one" });
    assert.equal(image.inputs.push, true);
    assert.deepEqual(image.inputs.tags, [`${repo.state.repositoryUrl}:t1`]);
    assert.deepEqual(
      image.inputs.context,
      { location: ".", named: { kind: { location: "workers/kinds/feed-normalize" } } },
      "paths relative to the program's directory",
    );
    assert.deepEqual(image.inputs.dockerfile, { location: "workers/Dockerfile" });
    assert.deepEqual(image.inputs.platforms, ["linux/amd64"]);
    assert.equal(stack.ofType("docker-build:index:Image").length, 1, "an image URI builds nothing");
  });

  it("runs an auto-named EC2 service with circuit breaker, binpack placement and the desired count left to autoscaling", () => {
    const svc = byName("aws:ecs/service:Service", "stage-one-service");
    assert.equal(svc.inputs.name, undefined, "auto-named, so a replacement is created before the old one is deleted");
    assert.equal(svc.deleteBeforeReplace, false);
    assert.deepEqual(svc.ignoreChanges, ["desiredCount"]);
    assert.equal(svc.inputs.desiredCount, 0);
    assert.equal(svc.inputs.launchType, "EC2");
    assert.equal(svc.inputs.cluster, fakeCluster.clusterArn);
    assert.equal(svc.inputs.taskDefinition, byName("aws:ecs/taskDefinition:TaskDefinition", "stage-one-task").state.arn);
    assert.deepEqual(svc.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
    assert.ok(svc.inputs.deploymentMinimumHealthyPercent < 100 || svc.inputs.deploymentMaximumPercent > 100);
    assert.deepEqual(svc.inputs.orderedPlacementStrategies, [
      { type: "binpack", field: "memory" },
      { type: "binpack", field: "cpu" },
    ]);
  });

  it("scales the service between 0 and maxTasks with a step policy out and an exact-zero policy in", () => {
    const target = byName("aws:appautoscaling/target:Target", "stage-two-scaling-target");
    const svc = byName("aws:ecs/service:Service", "stage-two-service");
    assert.equal(target.inputs.resourceId, `service/jobworker-cluster/${svc.state.name}`);
    assert.deepEqual(
      [target.inputs.minCapacity, target.inputs.maxCapacity, target.inputs.scalableDimension],
      [0, 4, "ecs:service:DesiredCount"],
    );
    const out = byName("aws:appautoscaling/policy:Policy", "stage-two-scale-out").inputs.stepScalingPolicyConfiguration;
    assert.equal(out.adjustmentType, "ChangeInCapacity");
    assert.deepEqual(out.stepAdjustments[0], { metricIntervalLowerBound: "0", metricIntervalUpperBound: "2", scalingAdjustment: 1 });
    const inn = byName("aws:appautoscaling/policy:Policy", "stage-two-scale-in").inputs.stepScalingPolicyConfiguration;
    assert.equal(inn.adjustmentType, "ExactCapacity");
    assert.deepEqual(inn.stepAdjustments, [{ metricIntervalUpperBound: "0", scalingAdjustment: 0 }]);
  });

  it("scales out from the publisher's 10-second metric and SQS's own, and in only when visible and in-flight stay zero", () => {
    const queueName = byName("aws:sqs/queue:Queue", "stage-one-queue").state.name;
    const outArn = byName("aws:appautoscaling/policy:Policy", "stage-one-scale-out").state.arn;
    const inArn = byName("aws:appautoscaling/policy:Policy", "stage-one-scale-in").state.arn;
    const fast = byName("aws:cloudwatch/metricAlarm:MetricAlarm", "stage-one-backlog-fast").inputs;
    assert.deepEqual(
      [fast.namespace, fast.metricName, fast.dimensions, fast.period, fast.comparisonOperator, fast.threshold, fast.alarmActions],
      ["Jobworker/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: queueName }, 10, "GreaterThanThreshold", 0, [outArn]],
    );
    const fallback = byName("aws:cloudwatch/metricAlarm:MetricAlarm", "stage-one-backlog").inputs;
    assert.deepEqual(
      [fallback.namespace, fallback.metricName, fallback.period, fallback.alarmActions],
      ["AWS/SQS", "ApproximateNumberOfMessagesVisible", 60, [outArn]],
    );
    const idle = byName("aws:cloudwatch/metricAlarm:MetricAlarm", "stage-one-idle").inputs;
    assert.deepEqual(
      [idle.comparisonOperator, idle.threshold, idle.evaluationPeriods, idle.datapointsToAlarm, idle.treatMissingData, idle.alarmActions],
      ["LessThanOrEqualToThreshold", 0, 10, 10, "notBreaching", [inArn]],
    );
    const metricsOf = idle.metricQueries
      .filter((q: any) => q.metric)
      .map((q: any) => `${q.metric.namespace}/${q.metric.metricName}`)
      .sort();
    assert.deepEqual(metricsOf, [
      "AWS/SQS/ApproximateNumberOfMessagesNotVisible",
      "AWS/SQS/ApproximateNumberOfMessagesVisible",
      "Jobworker/SQS/ApproximateNumberOfMessagesNotVisible",
      "Jobworker/SQS/ApproximateNumberOfMessagesVisible",
    ]);
  });

  it("alarms on a non-empty DLQ and an old message, notifying the configured topics", () => {
    const dlqName = byName("aws:sqs/queue:Queue", "stage-one-dlq").state.name;
    const dlq = byName("aws:cloudwatch/metricAlarm:MetricAlarm", "stage-one-dlq-not-empty").inputs;
    assert.deepEqual(
      [dlq.metricName, dlq.dimensions, dlq.threshold, dlq.alarmActions],
      ["ApproximateNumberOfMessagesVisible", { QueueName: dlqName }, 0, [`arn:aws:sns:${REGION}:${ACCOUNT_ID}:oncall`]],
    );
    const age = byName("aws:cloudwatch/metricAlarm:MetricAlarm", "stage-one-oldest-message").inputs;
    assert.deepEqual([age.metricName, age.threshold], ["ApproximateAgeOfOldestMessage", 1800]);
  });

  it("parents every child to its component", () => {
    const components = stack.resources.filter(
      (r) => r.type === "jobworker:index:JobWorker" || r.type === "jobworker:index:SharedInputBucket",
    );
    assert.equal(components.length, 3);
    const componentUrns = new Set(components.map((c) => c.urn));
    for (const r of stack.resources) {
      if (componentUrns.has(r.urn)) continue;
      assert.ok(componentUrns.has(r.parent), `${r.type} ${r.name} is parented to ${r.parent}`);
    }
  });

  it("exposes the bucket, queues, service and repository as outputs", async () => {
    stack = startMocks();
    const { JobWorker } = await import("../../../components/job-worker");
    const w = new JobWorker("solo", {
      cluster: fakeCluster,
      definition: { ...sink, name: "solo", outputs: {} },
      cpu: 128,
      memory: 256,
      image: { uri: "public.ecr.aws/x/y:1" },
    });
    await stack.settle();
    assert.equal(await valueOf(w.queueUrl), byName("aws:sqs/queue:Queue", "solo-queue").state.url);
    assert.equal(await valueOf(w.deadLetterQueueArn), byName("aws:sqs/queue:Queue", "solo-dlq").state.arn);
    assert.equal(await valueOf(w.bucketName), byName("aws:s3/bucket:Bucket", "solo-input").state.bucket);
    assert.equal(await valueOf(w.serviceName), byName("aws:ecs/service:Service", "solo-service").state.name);
    assert.equal(await valueOf(w.repositoryUrl), byName("aws:ecr/repository:Repository", "solo-repo").state.repositoryUrl);
    assert.equal(
      stack.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").some((a) => a.name === "solo-backlog-fast"),
      false,
      "no publisher, no fast alarm",
    );
  });
});
