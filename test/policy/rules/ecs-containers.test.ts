import assert from "node:assert/strict";
import type { PolicyPackConfig } from "@pulumi/policy";
import {
  containerNonRootUser,
  containerReadOnlyRootFilesystem,
  containerResourceLimits,
  looksLikeSecretName,
  noPlaintextSecretEnv,
  noPrivilegedContainers,
} from "../../../policy/rules/ecs-containers";
import { TYPES, type ContainerDefinition } from "../../../policy/types";
import { container, messages, resource, taskDefinition, without } from "../fixtures";

interface Case {
  title: string;
  containers: ContainerDefinition[];
  config?: PolicyPackConfig;
  /** Expected messages; each entry must match exactly one message, in order. */
  expected: RegExp[];
}

/** One test per row: the task definition with these containers yields exactly these messages. */
function table(policy: Parameters<typeof messages>[0], cases: Case[]): void {
  for (const c of cases) {
    it(c.title, async () => {
      const found = await messages(policy, [taskDefinition(c.containers)], c.config);
      assert.equal(found.length, c.expected.length, `got ${JSON.stringify(found)}`);
      c.expected.forEach((re, i) => assert.match(found[i], re));
    });
  }
}

describe("policy ecs-container-resource-limits", () => {
  const cases: Case[] = [
    { title: "cpu, memory and a lower reservation pass", containers: [container()], expected: [] },
    { title: "memory without a reservation passes", containers: [without(container(), "memoryReservation")], expected: [] },
    {
      title: "no cpu",
      containers: [without(container(), "cpu")],
      expected: [/^container `worker` of task definition `feed-normalize` must set `cpu` to at least 1 CPU units \(found undefined\)/],
    },
    {
      title: "cpu 0 (no reservation)",
      containers: [container({ cpu: 0 })],
      expected: [/container `worker` .* must set `cpu` .*\(found 0\)/],
    },
    {
      title: "no memory and no reservation",
      containers: [without(container(), "memory", "memoryReservation")],
      expected: [/^container `worker` of task definition `feed-normalize` must set a hard `memory` limit; add `memory` \(MiB\)/],
    },
    {
      title: "only memoryReservation",
      containers: [without(container(), "memory")],
      expected: [
        /^container `worker` of task definition `feed-normalize` must set a hard `memory` limit \(it sets only the soft `memoryReservation` 384\)/,
      ],
    },
    {
      title: "reservation above the limit",
      containers: [container({ memory: 256, memoryReservation: 512 })],
      expected: [
        /^container `worker` of task definition `feed-normalize` sets `memoryReservation` 512 MiB above its hard `memory` limit 256 MiB/,
      ],
    },
    {
      title: "memory below Docker's floor",
      containers: [container({ memory: 4, memoryReservation: undefined })],
      expected: [/sets `memory` 4 MiB, below the minimum 6 MiB/],
    },
    {
      title: "several containers, one bad: only that one is named",
      containers: [container(), without(container({ name: "log-router" }), "memory", "memoryReservation"), container({ name: "sidecar" })],
      expected: [/^container `log-router` of task definition `feed-normalize` must set a hard `memory` limit/],
    },
    {
      title: "several problems in one container are each reported",
      containers: [without(container(), "cpu", "memory")],
      expected: [/must set `cpu`/, /must set a hard `memory` limit/],
    },
    {
      title: "configured minimum cpu",
      containers: [container({ cpu: 128 })],
      config: { "ecs-container-resource-limits": { minCpuUnits: 256 } },
      expected: [/must set `cpu` to at least 256 CPU units \(found 128\)/],
    },
  ];
  table(containerResourceLimits, cases);

  it("reports a task definition whose containerDefinitions is not JSON", async () => {
    const bad = resource(TYPES.taskDefinition, "broken-task", { family: "broken", containerDefinitions: "[{" });
    const found = await messages(containerResourceLimits, [bad]);
    assert.equal(found.length, 1);
    assert.match(found[0], /^task definition `broken`: `containerDefinitions` is not valid JSON/);
  });

  it("names the task definition by its Pulumi name when it has no family", async () => {
    const td = resource(TYPES.taskDefinition, "orders-task", { containerDefinitions: JSON.stringify([without(container(), "cpu")]) });
    assert.match((await messages(containerResourceLimits, [td]))[0], /task definition `orders-task`/);
  });

  it("ignores resources of other types", async () => {
    assert.deepEqual(await messages(containerResourceLimits, [resource(TYPES.queue, "q", { containerDefinitions: "not json" })]), []);
  });
});

describe("policy ecs-no-privileged-containers", () => {
  table(noPrivilegedContainers, [
    { title: "unprivileged passes", containers: [container()], expected: [] },
    { title: "privileged unset passes", containers: [without(container(), "privileged")], expected: [] },
    {
      title: "privileged",
      containers: [container(), container({ name: "debug", privileged: true })],
      expected: [/^container `debug` of task definition `feed-normalize` must not set `privileged`: remove `privileged: true`/],
    },
  ]);
});

describe("policy ecs-no-plaintext-secret-env", () => {
  const env = (name: string, value = "x") => container({ environment: [...(container().environment ?? []), { name, value }] });
  table(noPlaintextSecretEnv, [
    { title: "worker env and a secret by reference pass", containers: [container()], expected: [] },
    {
      title: "DB_PASSWORD",
      containers: [env("DB_PASSWORD")],
      expected: [
        /^container `worker` of task definition `feed-normalize` passes `DB_PASSWORD` as a plain `environment` variable: move it to `secrets`/,
      ],
    },
    { title: "camelCase partnerApiKey", containers: [env("partnerApiKey")], expected: [/passes `partnerApiKey`/] },
    { title: "AUTH_TOKEN", containers: [env("AUTH_TOKEN")], expected: [/passes `AUTH_TOKEN`/] },
    { title: "CLIENT_SECRET", containers: [env("CLIENT_SECRET")], expected: [/passes `CLIENT_SECRET`/] },
    { title: "a word merely containing KEY (MONKEY_COUNT) passes", containers: [env("MONKEY_COUNT")], expected: [] },
    {
      title: "allowed name passes",
      containers: [env("KMS_KEY_ID")],
      config: { "ecs-no-plaintext-secret-env": { allowedNames: ["KMS_KEY_ID"] } },
      expected: [],
    },
    { title: "the same name without the allowance fails", containers: [env("KMS_KEY_ID")], expected: [/passes `KMS_KEY_ID`/] },
  ]);

  it("splits names into words before matching", () => {
    const segments = ["KEY", "TOKEN"];
    assert.equal(looksLikeSecretName("x-api-key", segments), true);
    assert.equal(looksLikeSecretName("githubToken", segments), true);
    assert.equal(looksLikeSecretName("KEYBOARD_LAYOUT", segments), false);
  });
});

describe("policy ecs-container-non-root-user", () => {
  table(containerNonRootUser, [
    { title: "1000:1000 passes", containers: [container()], expected: [] },
    { title: "a named user passes", containers: [container({ user: "node" })], expected: [] },
    {
      title: "user unset",
      containers: [without(container(), "user")],
      expected: [/^container `worker` of task definition `feed-normalize` must set `user` to a non-root user/],
    },
    { title: "root", containers: [container({ user: "root" })], expected: [/sets `user` "root", which is root/] },
    { title: "0:0", containers: [container({ user: "0:0" })], expected: [/sets `user` "0:0", which is root/] },
    { title: "uid 0 with another group", containers: [container({ user: "0:1000" })], expected: [/which is root/] },
  ]);
});

describe("policy ecs-container-read-only-root-filesystem", () => {
  table(containerReadOnlyRootFilesystem, [
    { title: "true passes", containers: [container()], expected: [] },
    {
      title: "false",
      containers: [container({ readonlyRootFilesystem: false })],
      expected: [/^container `worker` of task definition `feed-normalize` must set `readonlyRootFilesystem: true`/],
    },
    { title: "unset", containers: [without(container(), "readonlyRootFilesystem")], expected: [/must set `readonlyRootFilesystem: true`/] },
  ]);
});

describe("policy ecs-container-resource-limits with task-level limits (valid on EC2)", () => {
  const withTaskLimits = (containers: ContainerDefinition[], limits: Record<string, string | undefined>) => {
    const td = taskDefinition(containers);
    return { ...td, inputs: { ...td.inputs, ...limits } };
  };
  const bare = without(container(), "cpu", "memory", "memoryReservation");
  const cases: { title: string; limits: Record<string, string | undefined>; expected: RegExp[] }[] = [
    { title: "task cpu and memory without container limits pass", limits: { cpu: "512", memory: "1024" }, expected: [] },
    { title: "task memory alone still needs a cpu", limits: { memory: "1024" }, expected: [/must set `cpu` .* or a task-level `cpu`/] },
    {
      title: "task cpu alone still needs a memory limit",
      limits: { cpu: "512" },
      expected: [/must set a hard `memory` limit; add `memory` \(MiB\) to the container definition, or a task-level `memory`/],
    },
    {
      title: "task memory below the floor does not count",
      limits: { cpu: "512", memory: "4" },
      expected: [/must set a hard `memory` limit/],
    },
  ];
  for (const c of cases) {
    it(c.title, async () => {
      const found = await messages(containerResourceLimits, [withTaskLimits([bare], c.limits)]);
      assert.equal(found.length, c.expected.length, JSON.stringify(found));
      c.expected.forEach((re, i) => assert.match(found[i], re));
    });
  }

  it("checks a reservation against the task's memory when the container sets none", async () => {
    const found = await messages(containerResourceLimits, [
      withTaskLimits([{ ...bare, memoryReservation: 2048 }], { cpu: "512", memory: "1024" }),
    ]);
    assert.deepEqual(found.length, 1);
    assert.match(found[0], /sets `memoryReservation` 2048 MiB above its hard `memory` limit 1024 MiB/);
  });
});
