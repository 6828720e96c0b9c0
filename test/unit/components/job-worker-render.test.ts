/**
 * The pure rendering functions of JobWorker: scaling steps, alarm specs, container definitions,
 * policy documents, ECR helpers. Plain inputs, plain outputs, no mocks.
 */
import assert from "node:assert/strict";
import { WORKER_ENV } from "../../../catalog/contract";
import { visibilityTimeoutFor } from "../../../components/job-worker/args";
import { containerDefinitions, type ContainerInputs } from "../../../components/job-worker/container";
import { ecrRepositoryArnOf, lifecyclePolicy } from "../../../components/job-worker/image";
import type { IdentityStatement, ResourceStatement, TrustStatement } from "../../../components/iam";
import {
  ecsSecretValueFrom,
  ecsTasksAssumeRolePolicy,
  executionRolePolicy,
  queueKeyPolicy,
  queuePolicy,
  secretArn,
  taskRolePolicy,
  tlsOnlyBucketPolicy,
} from "../../../components/job-worker/policies";
import { checkPolicyDocument, IamCatalogue, POLICY_KINDS, type PolicyKind } from "../../../policy/iam";
import { alarmSpecs, SCALING_TAGS, scaleOutSteps, tasksNeededSteps } from "../../../components/job-worker/scaling";
import { SCALING_TAGS as PUBLISHER_SCALING_TAGS } from "../../../workers/backlog-publisher/tasks-needed";

const scope = { accountId: "123456789012", region: "eu-west-1" };

describe("JobWorker rendering", () => {
  describe("scaleOutSteps", () => {
    it("starts one task for any backlog and adds tasks in proportion to backlog per task", () => {
      assert.deepEqual(scaleOutSteps(5, 3), [
        { metricIntervalLowerBound: "0", metricIntervalUpperBound: "5", scalingAdjustment: 1 },
        { metricIntervalLowerBound: "5", metricIntervalUpperBound: "10", scalingAdjustment: 2 },
        { metricIntervalLowerBound: "10", scalingAdjustment: 3 },
      ]);
    });
    it("caps the number of steps at 10 and leaves the last open-ended", () => {
      const steps = scaleOutSteps(1, 500);
      assert.equal(steps.length, 10);
      assert.equal(steps[9].metricIntervalUpperBound, undefined);
      assert.equal(steps[9].scalingAdjustment, 10);
    });
    it("has one open-ended step for a single task", () => {
      assert.deepEqual(scaleOutSteps(4, 1), [{ metricIntervalLowerBound: "0", scalingAdjustment: 1 }]);
    });
  });

  describe("alarmSpecs", () => {
    const base = {
      worker: "w",
      queueName: "q",
      deadLetterQueueName: "q-dlq",
      scaleInIdleSeconds: 300,
      oldestMessageAlarmSeconds: 900,
      maxTasks: 10,
    };
    it("without a publisher: only SQS's own metrics, no fast alarm", () => {
      const specs = alarmSpecs(base);
      assert.deepEqual(
        specs.map((s) => s.key),
        ["backlog", "idle", "dlq-not-empty", "oldest-message"],
      );
      assert.deepEqual(specs.find((s) => s.key === "idle")!.expression!.expression, "MAX([nv, nf])");
    });
    it("with a publisher: a 10-second scale-out alarm and publisher metrics in the idle check", () => {
      const specs = alarmSpecs({ ...base, backlogMetrics: { namespace: "N", periodSeconds: 10 } });
      const fast = specs.find((s) => s.key === "backlog-fast")!;
      assert.deepEqual(fast.metric, {
        namespace: "N",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: "q" },
        stat: "Maximum",
        period: 10,
      });
      const idle = specs.find((s) => s.key === "idle")!;
      assert.equal(idle.expression!.expression, "MAX([nv, nf, cv, cf])");
      assert.equal(idle.evaluationPeriods, 5);
      assert.equal(idle.action, "scale-in");
    });
    it("with a publisher: the desired count follows TasksNeeded every minute while it is below maxTasks", () => {
      const needed = alarmSpecs({ ...base, backlogMetrics: { namespace: "N", periodSeconds: 10 } }).find((s) => s.key === "tasks-needed")!;
      assert.deepEqual(
        [needed.action, needed.comparisonOperator, needed.threshold, needed.evaluationPeriods, needed.treatMissingData],
        ["scale-to-needed", "LessThanThreshold", 10, 1, "notBreaching"],
      );
      assert.equal(needed.expression!.expression, "IF(tn > 0, tn, 10)", "0 is mapped to maxTasks: no breach, zero is the idle alarm's");
      assert.deepEqual(needed.expression!.metrics.tn, {
        namespace: "N",
        metricName: "TasksNeeded",
        dimensions: { QueueName: "q" },
        stat: "Maximum",
        period: 60,
      });
      assert.equal(
        alarmSpecs({ ...base, maxTasks: 1, backlogMetrics: { namespace: "N", periodSeconds: 10 } }).some((s) => s.key === "tasks-needed"),
        false,
        "one task at most: nothing to scale between",
      );
    });
  });

  describe("tasksNeededSteps", () => {
    /**
     * The desired count a step policy sets for a TasksNeeded value v below the threshold maxTasks:
     * there the lower bound is exclusive and the upper inclusive (API StepAdjustment: "lower bound of
     * -10 and upper bound of 0" is "greater than 40 and less than or equal to 50" for threshold 50).
     */
    const capacityFor = (steps: ReturnType<typeof tasksNeededSteps>, maxTasks: number, v: number) =>
      steps.find(
        (s) =>
          (s.metricIntervalLowerBound === undefined || v - maxTasks > Number(s.metricIntervalLowerBound)) &&
          v - maxTasks <= Number(s.metricIntervalUpperBound),
      )?.scalingAdjustment;
    it("sets exactly the tasks needed, from 1 to maxTasks − 1", () => {
      const steps = tasksNeededSteps(10);
      assert.equal(steps.length, 9);
      for (let v = 1; v < 10; v++) assert.equal(capacityFor(steps, 10, v), v, `v = ${v}`);
    });
    it("follows AWS's rules for step adjustments: one step without a lower bound (bounds are negative), contiguous, ending at the threshold", () => {
      for (const maxTasks of [2, 10, 21, 200]) {
        const steps = tasksNeededSteps(maxTasks);
        assert.equal(steps.filter((s) => s.metricIntervalLowerBound === undefined).length, 1, `${maxTasks}`);
        assert.equal(steps[0].metricIntervalLowerBound, undefined);
        assert.ok(steps.every((s) => s.metricIntervalUpperBound !== undefined));
        assert.equal(steps.at(-1)!.metricIntervalUpperBound, "0");
      }
    });
    it("buckets above 20 values, rounding up so no bucket sets fewer tasks than needed, contiguous up to the threshold", () => {
      for (const maxTasks of [21, 22, 50, 200]) {
        const steps = tasksNeededSteps(maxTasks);
        assert.ok(steps.length <= 20, `${maxTasks}: ${steps.length} steps`);
        assert.equal(steps.at(-1)!.metricIntervalUpperBound, "0");
        steps.slice(1).forEach((s, i) => assert.equal(s.metricIntervalLowerBound, steps[i].metricIntervalUpperBound));
        for (let v = 1; v < maxTasks; v++) {
          const c = capacityFor(steps, maxTasks, v)!;
          assert.ok(c >= v && c < maxTasks, `${maxTasks}: v = ${v} sets ${c}`);
        }
      }
    });
    it("has no steps for a worker of one task", () => {
      assert.deepEqual(tasksNeededSteps(1), []);
    });
    it("tags queues with the names the publisher reads", () => {
      assert.deepEqual(SCALING_TAGS, PUBLISHER_SCALING_TAGS);
    });
  });

  it("derives the visibility timeout from the longest job, capped at 12 hours", () => {
    assert.equal(visibilityTimeoutFor(120), 180);
    assert.equal(visibilityTimeoutFor(43_150), 43_200);
  });

  describe("containerDefinitions", () => {
    const inputs: ContainerInputs = {
      worker: "w",
      kind: "k",
      image: "img",
      cpu: 256,
      memory: 512,
      queueUrl: "https://q",
      outputs: { out: { type: "s3", bucket: "b" } },
      concurrency: 3,
      maxProcessingSeconds: 60,
      stopTimeoutSeconds: 90,
      shutdownSeconds: 75,
      scratchDir: "/scratch",
      environment: { A: "1" },
      secrets: { Z_TOKEN: "secretsmanager:team/token", A_KEY: "ssm:/a/key" },
      user: "1000:1000",
      readonlyRootFilesystem: true,
      fluentdAddress: "127.0.0.1:24224",
      scope,
    };
    it("sets every runtime variable and keeps TMPDIR on the scratch volume", () => {
      const [c] = containerDefinitions(inputs) as any[];
      const env = Object.fromEntries(c.environment.map((e: any) => [e.name, e.value]));
      assert.deepEqual(Object.keys(env).sort(), ["A", "AWS_DEFAULT_REGION", "AWS_REGION", "TMPDIR", ...Object.values(WORKER_ENV)].sort());
      assert.equal(env.TMPDIR, "/scratch");
      assert.equal(env.AWS_REGION, "eu-west-1");
      assert.equal(env[WORKER_ENV.outputs], JSON.stringify({ out: { type: "s3", bucket: "b" } }));
    });
    it("sorts secrets and turns references into valueFrom ARNs", () => {
      const [c] = containerDefinitions(inputs) as any[];
      assert.deepEqual(c.secrets, [
        { name: "A_KEY", valueFrom: "arn:aws:ssm:eu-west-1:123456789012:parameter/a/key" },
        { name: "Z_TOKEN", valueFrom: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:team/token" },
      ]);
    });
    it("lets a worker opt out of the read-only root filesystem", () => {
      const [c] = containerDefinitions({ ...inputs, readonlyRootFilesystem: false }) as any[];
      assert.equal(c.readonlyRootFilesystem, false);
    });
  });

  describe("policies", () => {
    it("maps secret references to the ARNs IAM and ECS expect", () => {
      assert.deepEqual(secretArn("ssm:/p/q", scope), { service: "ssm", arn: "arn:aws:ssm:eu-west-1:123456789012:parameter/p/q" });
      assert.deepEqual(secretArn("secretsmanager:name", scope), {
        service: "secretsmanager",
        arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:name-??????",
      });
      const full = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:name-AbCdEf";
      assert.equal(secretArn(`secretsmanager:${full}`, scope).arn, full);
      assert.equal(ecsSecretValueFrom("secretsmanager:name", scope), "arn:aws:secretsmanager:eu-west-1:123456789012:secret:name");
      assert.throws(() => secretArn("env:X", scope), /neither ssm: nor secretsmanager:/);
    });
    it("grants s3:PutObjectAcl only for bucket-owner-full-control outputs", () => {
      const doc = taskRolePolicy({
        scope,
        inputBucketArn: "arn:aws:s3:::in",
        inputPrefix: "",
        queueArn: "arn:q",
        deadLetterQueueArn: "arn:dlq",
        clusterName: "c",
        runtimeSecrets: [],
        outputs: [
          { bucketArn: "arn:aws:s3:::x", prefix: "p/", bucketOwnerFullControl: true },
          { bucketArn: "arn:aws:s3:::y", prefix: "" },
        ],
      });
      assert.deepEqual(doc.Statement.find((s) => s.Sid === "GrantBucketOwnerFullControl")!.Resource, ["arn:aws:s3:::x/p/*"]);
      assert.deepEqual(doc.Statement.find((s) => s.Sid === "WriteDeclaredOutputs")!.Resource, ["arn:aws:s3:::x/p/*", "arn:aws:s3:::y/*"]);
      // Multipart uploads need no more than PutObject, except aborting a failed one.
      assert.deepEqual(doc.Statement.find((s) => s.Sid === "WriteDeclaredOutputs")!.Action, ["s3:PutObject", "s3:AbortMultipartUpload"]);
      assert.equal(doc.Statement.find((s) => s.Sid === "ReadOwnInput")!.Resource, "arn:aws:s3:::in/*");
      assert.deepEqual(
        doc.Statement.find((s) => s.Sid === "SendToOwnDeadLetterQueue"),
        { Sid: "SendToOwnDeadLetterQueue", Effect: "Allow", Action: "sqs:SendMessage", Resource: "arn:dlq" },
      );
      assert.deepEqual(
        doc.Statement.find((s) => s.Sid === "HandBackToOwnQueue"),
        { Sid: "HandBackToOwnQueue", Effect: "Allow", Action: "sqs:SendMessage", Resource: "arn:q" },
      );
    });
    it("gives an execution role with nothing to pull or read a deny-only statement", () => {
      assert.deepEqual(executionRolePolicy({ scope, secrets: [] }).Statement, [
        { Sid: "Nothing", Effect: "Deny", Action: "*", Resource: "*" },
      ]);
    });
    it("renders documents IAM accepts for every input shape: partitions, secrets, KMS, chained outputs, nothing to grant (table)", async () => {
      const catalogue = new IamCatalogue();
      const account = scope.accountId;
      const queueArn = `arn:aws:sqs:eu-west-1:${account}:jw-stage-one`;
      const task = {
        scope,
        inputBucketArn: "arn:aws:s3:::jw-input",
        inputPrefix: "stage-one/",
        queueArn,
        deadLetterQueueArn: `${queueArn}-dlq`,
        clusterName: "jobworker",
        outputs: [
          { bucketArn: "arn:aws:s3:::jw-stage-two-input", prefix: "from-stage-one/" },
          {
            bucketArn: "arn:aws:s3:::partner-drop",
            prefix: "",
            kmsKeyArn: `arn:aws:kms:eu-west-1:${account}:key/abcd-1234`,
            bucketOwnerFullControl: true,
          },
        ],
        runtimeSecrets: ["secretsmanager:partner/sftp-key", "ssm:/jobworker/partner/token"],
      };
      const cases: [title: string, document: unknown, kind: PolicyKind][] = [
        ["task and execution roles' trust", ecsTasksAssumeRolePolicy(scope), POLICY_KINDS.trust],
        [
          "trust in the China partition",
          ecsTasksAssumeRolePolicy({ accountId: account, region: "cn-north-1", partition: "aws-cn" }),
          POLICY_KINDS.trust,
        ],
        ["task role: secrets, chained and KMS outputs", taskRolePolicy(task), POLICY_KINDS.identity],
        [
          "task role: suffix filter and a customer managed queue key",
          taskRolePolicy({
            ...task,
            inputSuffix: ".ndjson",
            queueKmsKeyArn: `arn:aws:kms:eu-west-1:${account}:key/queue-key`,
            outputs: [],
            runtimeSecrets: [],
          }),
          POLICY_KINDS.identity,
        ],
        [
          "execution role: own repository, both secret stores, a full secret ARN",
          executionRolePolicy({
            scope,
            repositoryArn: `arn:aws:ecr:eu-west-1:${account}:repository/team/img`,
            secrets: [
              "ssm:/a/key",
              "secretsmanager:team/token",
              `secretsmanager:arn:aws:secretsmanager:eu-west-1:${account}:secret:name-AbCdEf`,
            ],
          }),
          POLICY_KINDS.identity,
        ],
        [
          "execution role with nothing to grant (the deny-only statement)",
          executionRolePolicy({ scope, secrets: [] }),
          POLICY_KINDS.identity,
        ],
        ["TLS-only bucket policy", tlsOnlyBucketPolicy("arn:aws:s3:::jw-input"), POLICY_KINDS.bucket],
        ["queue policy", queuePolicy({ queueArn, bucketArn: "arn:aws:s3:::jw-input", accountId: account }), POLICY_KINDS.queue],
        ["queue key policy", queueKeyPolicy({ scope, bucketArn: "arn:aws:s3:::jw-input" }), POLICY_KINDS.key],
      ];
      for (const [title, document, kind] of cases) assert.deepEqual(await checkPolicyDocument(document, kind, catalogue), [], title);
    });

    it("types each kind of statement as IAM does (checked by the type checker)", () => {
      const trust: TrustStatement = {
        Effect: "Allow",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Action: "sts:AssumeRole",
        // @ts-expect-error a trust statement has no Resource: IAM refuses the role ("Has prohibited field Resource")
        Resource: "*",
      };
      // @ts-expect-error an identity statement has no Principal
      const identity: IdentityStatement = { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" };
      // @ts-expect-error a resource statement names its Principal
      const resource: ResourceStatement = { Effect: "Allow", Action: "s3:GetObject", Resource: "*" };
      assert.deepEqual([trust.Action, identity.Action, resource.Action], ["sts:AssumeRole", "s3:GetObject", "s3:GetObject"]);
    });

    it("denies plain-HTTP access to the queue", () => {
      const deny = queuePolicy({ queueArn: "arn:q", bucketArn: "arn:b", accountId: "1" }).Statement[1];
      assert.deepEqual([deny.Effect, deny.Condition], ["Deny", { Bool: { "aws:SecureTransport": "false" } }]);
    });
  });

  describe("image helpers", () => {
    it("keeps the last N images", () => {
      const rule = JSON.parse(lifecyclePolicy(7)).rules[0];
      assert.deepEqual([rule.selection.countType, rule.selection.countNumber, rule.action.type], ["imageCountMoreThan", 7, "expire"]);
    });
    it("finds the ECR repository of an image URI, and none for other registries", () => {
      assert.equal(
        ecrRepositoryArnOf("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/img:1"),
        "arn:aws:ecr:eu-west-1:123456789012:repository/team/img",
      );
      assert.equal(
        ecrRepositoryArnOf("123456789012.dkr.ecr.eu-west-1.amazonaws.com/img@sha256:abc"),
        "arn:aws:ecr:eu-west-1:123456789012:repository/img",
      );
      assert.equal(ecrRepositoryArnOf("public.ecr.aws/x/y:1"), undefined);
    });
  });
});
