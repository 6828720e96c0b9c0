/**
 * Policies on the containers of ECS task definitions. `containerDefinitions` is one JSON string in
 * @pulumi/aws; every policy parses it and judges each container, naming both in its message.
 */
import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configWithDefaults, containersOf, forType, parseContainers, taskDefinitionLabel } from "../support";
import { TYPES, type TaskDefinitionProps } from "../types";

const limitsSchema: PolicyConfigSchema = {
  properties: {
    minCpuUnits: { type: "integer", minimum: 1, default: 1, description: "Smallest `cpu` a container may set (1024 = one vCPU)." },
    minMemoryMiB: { type: "integer", minimum: 6, default: 6, description: "Smallest hard `memory` limit, MiB (Docker's floor is 6)." },
  },
};

/**
 * The heart of the pack: on a shared Spot instance a container without a hard memory limit can take
 * the whole host down with it, and one without `cpu` is placed as if it needed nothing.
 */
export const containerResourceLimits: ResourceValidationPolicy = {
  name: "ecs-container-resource-limits",
  description:
    "Checks whether every container of every ECS task definition has known limits: its own `cpu` and hard `memory`, or the task-level `cpu` and `memory` (valid on EC2, a limit for the whole task), with `memoryReservation` (if set) not above the hard limit.",
  enforcementLevel: "mandatory",
  configSchema: limitsSchema,
  validateResource: forType<TaskDefinitionProps>(TYPES.taskDefinition, (props, args, report) => {
    const { minCpuUnits, minMemoryMiB } = configWithDefaults<{ minCpuUnits: number; minMemoryMiB: number }>(limitsSchema, args);
    const taskDefinition = taskDefinitionLabel(props, args.name);
    const parsed = parseContainers(props);
    if (!parsed.ok) {
      report(`task definition \`${taskDefinition}\`: ${parsed.reason}; its containers' limits cannot be checked.`);
      return;
    }
    // Task-level limits (strings in the API: "1024", "2048") bound every container of the task.
    const taskCpu = Number(props.cpu);
    const taskMemory = Number(props.memory);
    const hasTaskCpu = props.cpu !== undefined && Number.isFinite(taskCpu) && taskCpu >= minCpuUnits;
    const hasTaskMemory = props.memory !== undefined && Number.isFinite(taskMemory) && taskMemory >= minMemoryMiB;
    for (const { label, container } of containersOf(props)) {
      const where = `container \`${label}\` of task definition \`${taskDefinition}\``;
      const { cpu, memory: ownMemory, memoryReservation } = container;
      const memory = typeof ownMemory === "number" ? ownMemory : hasTaskMemory ? taskMemory : undefined;
      if (typeof cpu !== "number" && hasTaskCpu) {
        // Limited by the task's cpu.
      } else if (typeof cpu !== "number" || cpu < minCpuUnits) {
        report(
          `${where} must set \`cpu\` to at least ${minCpuUnits} CPU units (found ${String(cpu)}): add \`cpu\` (1024 = one vCPU) to the container definition, or a task-level \`cpu\`.`,
        );
      }
      if (typeof memory !== "number") {
        const hint =
          typeof memoryReservation === "number"
            ? ` (it sets only the soft \`memoryReservation\` ${memoryReservation}); add \`memory\` at or above it`
            : "; add \`memory\` (MiB) to the container definition, or a task-level \`memory\`";
        report(`${where} must set a hard \`memory\` limit${hint}.`);
      } else if (memory < minMemoryMiB) {
        report(`${where} sets \`memory\` ${memory} MiB, below the minimum ${minMemoryMiB} MiB: raise \`memory\`.`);
      }
      if (typeof memory === "number" && typeof memoryReservation === "number" && memoryReservation > memory) {
        report(
          `${where} sets \`memoryReservation\` ${memoryReservation} MiB above its hard \`memory\` limit ${memory} MiB: lower \`memoryReservation\` or raise \`memory\`.`,
        );
      }
    }
  }),
};

export const noPrivilegedContainers: ResourceValidationPolicy = {
  name: "ecs-no-privileged-containers",
  description:
    "Checks whether no container of any ECS task definition runs privileged (root on the shared host) (Security Hub ECS.4, CKV_AWS_334).",
  enforcementLevel: "mandatory",
  validateResource: forType<TaskDefinitionProps>(TYPES.taskDefinition, (props, args, report) => {
    const taskDefinition = taskDefinitionLabel(props, args.name);
    for (const { label, container } of containersOf(props)) {
      if (container.privileged === true) {
        report(
          `container \`${label}\` of task definition \`${taskDefinition}\` must not set \`privileged\`: remove \`privileged: true\` (add only the Linux capabilities it needs).`,
        );
      }
    }
  }),
};

const secretEnvSchema: PolicyConfigSchema = {
  properties: {
    nameSegments: {
      type: "array",
      items: { type: "string" },
      default: ["PASSWORD", "PASSWD", "PWD", "SECRET", "TOKEN", "KEY", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PRIVATE"],
      description: "Underscore-separated segments of an environment variable name that mark it as a secret.",
    },
    allowedNames: {
      type: "array",
      items: { type: "string" },
      default: [],
      description: "Names that look like secrets but are not (e.g. `KMS_KEY_ID`).",
    },
  },
};

/** Whether an environment variable name looks like it holds a secret (`DB_PASSWORD`, `ApiKey`, `x-token`). */
export function looksLikeSecretName(name: string, segments: readonly string[]): boolean {
  // Split snake_case, kebab-case and camelCase into upper-case words: `partnerApiKey` → PARTNER API KEY.
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
  const wanted = new Set(segments.map((s) => s.toUpperCase()));
  return words.some((w) => wanted.has(w));
}

export const noPlaintextSecretEnv: ResourceValidationPolicy = {
  name: "ecs-no-plaintext-secret-env",
  description:
    "Checks whether no container passes a secret-looking environment variable (PASSWORD, SECRET, TOKEN, KEY, …) as plain `environment`; secrets go by reference (Security Hub ECS.8).",
  enforcementLevel: "mandatory",
  configSchema: secretEnvSchema,
  validateResource: forType<TaskDefinitionProps>(TYPES.taskDefinition, (props, args, report) => {
    const { nameSegments, allowedNames } = configWithDefaults<{ nameSegments: string[]; allowedNames: string[] }>(secretEnvSchema, args);
    const taskDefinition = taskDefinitionLabel(props, args.name);
    for (const { label, container } of containersOf(props)) {
      for (const variable of container.environment ?? []) {
        const name = variable.name ?? "";
        if (allowedNames.includes(name) || !looksLikeSecretName(name, nameSegments)) continue;
        report(
          `container \`${label}\` of task definition \`${taskDefinition}\` passes \`${name}\` as a plain \`environment\` variable: move it to \`secrets\` with \`valueFrom\` an SSM parameter or Secrets Manager ARN (or a SecretRef in the worker's output binding).`,
        );
      }
    }
  }),
};

const ROOT_USERS = /^(root|0)(:.*)?$/;

export const containerNonRootUser: ResourceValidationPolicy = {
  name: "ecs-container-non-root-user",
  description: "Checks whether every container of every ECS task definition runs as a non-root `user` (Security Hub ECS.1, ECS.20).",
  enforcementLevel: "mandatory",
  validateResource: forType<TaskDefinitionProps>(TYPES.taskDefinition, (props, args, report) => {
    const taskDefinition = taskDefinitionLabel(props, args.name);
    for (const { label, container } of containersOf(props)) {
      const user = container.user;
      if (user === undefined || user.trim() === "") {
        report(
          `container \`${label}\` of task definition \`${taskDefinition}\` must set \`user\` to a non-root user (e.g. "1000:1000" or "node"); it defaults to the image's user, usually root.`,
        );
      } else if (ROOT_USERS.test(user.trim())) {
        report(
          `container \`${label}\` of task definition \`${taskDefinition}\` sets \`user\` "${user}", which is root: use a non-root user (e.g. "1000:1000").`,
        );
      }
    }
  }),
};

export const containerReadOnlyRootFilesystem: ResourceValidationPolicy = {
  name: "ecs-container-read-only-root-filesystem",
  description:
    "Checks whether every container of every ECS task definition has a read-only root filesystem (Security Hub ECS.5, CKV_AWS_336).",
  enforcementLevel: "mandatory",
  validateResource: forType<TaskDefinitionProps>(TYPES.taskDefinition, (props, args, report) => {
    const taskDefinition = taskDefinitionLabel(props, args.name);
    for (const { label, container } of containersOf(props)) {
      if (container.readonlyRootFilesystem !== true) {
        report(
          `container \`${label}\` of task definition \`${taskDefinition}\` must set \`readonlyRootFilesystem: true\`: write only to mounted volumes (the scratch directory).`,
        );
      }
    }
  }),
};
