/**
 * `jobworker:daemons`: the examples of docs/monitoring.md (Mackerel, CloudWatch agent) go through the
 * real config loader and the SpotEcsCluster under Pulumi mocks; bad entries fail naming their key.
 */
import assert from "node:assert/strict";
import { loadClusterConfig, type ConfigReader } from "../../../config/cluster";
import { StackConfigError } from "../../../config/errors";
import { judgeIamDocuments } from "../../support/iam";
import { documentedDaemonExamples } from "../../support/monitoring-doc";
import { ACCOUNT_ID, readStackConfig, REGION, startMocks, type MockStack } from "../../support/pulumi";
import { baseArgs } from "../components/spot-ecs-cluster.fixtures";

function reader(config: Record<string, unknown>): ConfigReader {
  return {
    name: "jobworker",
    get: ((key: string) => {
      const v = config[`jobworker:${key}`];
      return v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
    }) as ConfigReader["get"],
  };
}

const withDaemons = (daemons: unknown) => ({ ...readStackConfig("prod"), "jobworker:daemons": daemons });
const T = { taskDef: "aws:ecs/taskDefinition:TaskDefinition", role: "aws:iam/role:Role", rolePolicy: "aws:iam/rolePolicy:RolePolicy" };

async function renderCluster(daemons: unknown): Promise<MockStack> {
  const { cluster } = loadClusterConfig(reader(withDaemons(daemons)));
  const stack = startMocks();
  const { SpotEcsCluster } = require("../../../components/spot-ecs-cluster");
  new SpotEcsCluster("jw", baseArgs({ daemons: cluster.daemons }));
  await stack.settle();
  return stack;
}

describe("jobworker:daemons", () => {
  const examples = documentedDaemonExamples();

  it("docs/monitoring.md documents the Mackerel and CloudWatch agent examples", () => {
    assert.deepEqual([...examples.keys()].sort(), ["cloudwatch-agent", "mackerel"]);
  });

  it("loads no daemons when the key is absent", () => {
    assert.deepEqual(loadClusterConfig(reader(readStackConfig("prod"))).cluster.daemons, []);
  });

  it("runs the Mackerel container agent with its API key from Secrets Manager, read-only host mounts, unprivileged", async () => {
    const stack = await renderCluster(examples.get("mackerel"));
    const taskDef = stack.one(T.taskDef, "jw-mackerel");
    const [container] = JSON.parse(taskDef.inputs.containerDefinitions);
    // The image by tag is mirrored into the cluster's ECR and run by digest.
    assert.deepEqual(stack.one("docker-build:index:Image", "jw-mackerel").inputs.buildArgs, {
      UPSTREAM: "mackerel/mackerel-container-agent:latest",
    });
    assert.match(container.image, /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/jw-mackerel@sha256:[0-9a-f]{64}$/);
    assert.deepEqual(container.secrets, [
      { name: "MACKEREL_APIKEY", valueFrom: `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:mackerel/apikey` },
    ]);
    assert.ok(!container.environment.some((e: { name: string }) => e.name === "MACKEREL_APIKEY"), "the key is not a plain variable");
    assert.deepEqual(
      container.environment.filter((e: { name: string }) => e.name.startsWith("MACKEREL_")),
      [
        { name: "MACKEREL_CONTAINER_PLATFORM", value: "ecs" },
        { name: "MACKEREL_ROLES", value: "jobworker:ecs" },
      ],
    );
    assert.deepEqual(taskDef.inputs.volumes, [
      { name: "host-0", hostPath: "/var/run/docker.sock" },
      { name: "host-1", hostPath: "/sys/fs/cgroup" },
    ]);
    assert.deepEqual(container.mountPoints, [
      { sourceVolume: "host-0", containerPath: "/var/run/docker.sock", readOnly: true },
      { sourceVolume: "host-1", containerPath: "/host/sys/fs/cgroup", readOnly: true },
    ]);
    assert.equal(container.privileged, false);
    assert.equal(taskDef.inputs.networkMode, "bridge");

    // The execution role reads exactly that secret (and writes the daemon's log streams).
    assert.match(taskDef.inputs.executionRoleArn, /role\/jw-mackerel-execution/);
    const policy = JSON.parse(stack.one(T.rolePolicy, "jw-mackerel-execution").inputs.policy);
    assert.deepEqual(policy.Statement, [
      {
        Sid: "ReadDaemonSecretValues",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: [`arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:mackerel/apikey-??????`],
      },
      {
        Sid: "WriteDaemonLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `arn:aws:logs:${REGION}:${ACCOUNT_ID}:log-group:/jobworker/test/jw/containers:*`,
      },
    ]);
    const judged = await judgeIamDocuments(stack.resources);
    assert.deepEqual(judged.messages, []);
    assert.ok(
      judged.documents.some((d) => d.startsWith("jw-mackerel-execution")),
      `judged ${judged.documents.join(", ")}`,
    );
  });

  it("runs a daemon as `nobody` on a read-only root, or as the configured non-root `user`", async () => {
    const daemons = structuredClone(examples.get("mackerel")) as Array<Record<string, unknown>>;
    const byDefault = JSON.parse((await renderCluster(daemons)).one(T.taskDef, "jw-mackerel").inputs.containerDefinitions)[0];
    assert.deepEqual([byDefault.user, byDefault.readonlyRootFilesystem], ["65534:65534", true]);
    daemons[0].user = "65534:992";
    const configured = JSON.parse((await renderCluster(daemons)).one(T.taskDef, "jw-mackerel").inputs.containerDefinitions)[0];
    assert.equal(configured.user, "65534:992");
  });

  it("runs the CloudWatch agent with its host mounts and a task role of the documented statements, no execution role", async () => {
    const stack = await renderCluster(examples.get("cloudwatch-agent"));
    const taskDef = stack.one(T.taskDef, "jw-cloudwatch-agent");
    const [container] = JSON.parse(taskDef.inputs.containerDefinitions);
    assert.match(
      stack.one("docker-build:index:Image", "jw-cloudwatch-agent").inputs.buildArgs.UPSTREAM,
      /^public\.ecr\.aws\/cloudwatch-agent\/cloudwatch-agent:/,
    );
    assert.match(container.image, /\/jw-cloudwatch-agent@sha256:[0-9a-f]{64}$/);
    assert.equal(container.secrets, undefined);
    assert.equal(taskDef.inputs.executionRoleArn, undefined);
    assert.deepEqual(
      container.mountPoints.map((m: { containerPath: string; readOnly: boolean }) => [m.containerPath, m.readOnly]),
      [
        ["/rootfs/proc", true],
        ["/rootfs/dev", true],
        ["/sys/fs/cgroup", true],
        ["/rootfs/sys/fs/cgroup", true],
      ],
    );
    const task = JSON.parse(stack.one(T.rolePolicy, "jw-cloudwatch-agent-task").inputs.policy);
    assert.deepEqual(
      task.Statement.map((s: { Sid: string }) => s.Sid),
      ["PublishContainerInsights", "WriteContainerInsightsLogs", "DescribeInstanceContext"],
    );
    assert.deepEqual((await judgeIamDocuments(stack.resources)).messages, []);
  });

  const mackerel = () => structuredClone(examples.get("mackerel")) as Array<Record<string, any>>;
  const bad: Array<[string, (d: Record<string, any>) => void, string, RegExp]> = [
    [
      "an API key as a plain variable",
      (d) => (d.environment.MACKEREL_APIKEY = "abc123-not-really-a-key"),
      "jobworker:daemons[0].environment.MACKEREL_APIKEY",
      /looks like a secret .*name `MACKEREL_APIKEY`.*under `secrets`/,
    ],
    [
      "a token-like value under an innocent name",
      (d) => (d.environment.EXTRA = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg=="),
      "jobworker:daemons[0].environment.EXTRA",
      /value looks like a long opaque token/,
    ],
    [
      "a secret given as its value",
      (d) => (d.secrets.MACKEREL_APIKEY = "s3cr3t-value-pasted"),
      "jobworker:daemons[0].secrets.MACKEREL_APIKEY",
      /is not a secret reference: .*never the secret's value/,
    ],
    ["a relative mount", (d) => (d.mounts[0].hostPath = "var/run/docker.sock"), "jobworker:daemons[0].mounts[0].hostPath", /absolute path/],
    ["a misspelt key", (d) => (d.memory = 128), "jobworker:daemons[0].memory", /unknown setting/],
    ["a string for privileged", (d) => (d.privileged = "yes"), "jobworker:daemons[0].privileged", /true or false/],
    ["the log collector's name", (d) => (d.name = "log-collector"), "jobworker:daemons[0].name", /is taken/],
  ];
  for (const [what, change, key, message] of bad) {
    it(`refuses ${what}, naming \`${key}\``, () => {
      const daemons = mackerel();
      change(daemons[0]!);
      const secretish = [daemons[0]!.environment?.MACKEREL_APIKEY, daemons[0]!.environment?.EXTRA, daemons[0]!.secrets?.MACKEREL_APIKEY];
      assert.throws(
        () => loadClusterConfig(reader(withDaemons(daemons))),
        (err: unknown) => {
          assert.ok(err instanceof StackConfigError, `a StackConfigError, got ${String(err)}`);
          assert.equal(err.key, key);
          assert.match(err.message, message);
          for (const value of secretish)
            if (typeof value === "string" && !value.startsWith("secretsmanager:"))
              assert.ok(!err.message.includes(value), "the value is not repeated");
          return true;
        },
      );
    });
  }
});
