/**
 * What an ECS task may share with its host and what its containers are made of: no host network, PID
 * or IPC namespace (DAEMON tasks that need the host network are allow-listed by family), no added
 * Linux capabilities, a log configuration on every container, images pinned, and no credential in a
 * plain environment value whatever the variable's name.
 */
import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configWithDefaults, containersOf, forType, matchesPattern, taskDefinitionLabel } from "../support";
import { TYPES, type TaskDefinitionProps } from "../types";

const namespaceSchema: PolicyConfigSchema = {
  properties: {
    hostNetworkFamilies: {
      type: "array",
      items: { type: "string" },
      default: [],
      description:
        "Task families (`*` wildcards) allowed `networkMode: host`: DAEMON tasks that must listen on the instance's loopback (the log collector).",
    },
  },
};

export const ecsNoHostNamespaces: ResourceValidationPolicy = {
  name: "ecs-no-host-namespaces",
  description:
    "Checks whether no ECS task definition shares the host's network, PID or IPC namespace; `hostNetworkFamilies` lists DAEMON exceptions for the network (Security Hub ECS.17, ECS.3, CKV_AWS_335).",
  enforcementLevel: "mandatory",
  configSchema: namespaceSchema,
  validateResource: forType<TaskDefinitionProps>(TYPES.taskDefinition, (props, args, report) => {
    const { hostNetworkFamilies } = configWithDefaults<{ hostNetworkFamilies: string[] }>(namespaceSchema, args);
    const family = taskDefinitionLabel(props, args.name);
    const exempt = hostNetworkFamilies.some((f) => matchesPattern(family, f));
    if (props.networkMode === "host" && !exempt) {
      report(
        `task definition \`${family}\` sets \`networkMode\` "host" (its containers share the instance's network stack and IMDS): use "bridge" or "awsvpc", or, for a DAEMON that must, add the family to this policy's \`hostNetworkFamilies\`.`,
      );
    }
    for (const key of ["pidMode", "ipcMode"] as const) {
      if (props[key] === "host") {
        report(
          `task definition \`${family}\` sets \`${key}\` "host" (its containers see the host's processes): remove \`${key}\` or set it to "task".`,
        );
      }
    }
  }),
};

export const ecsNoAddedCapabilities: ResourceValidationPolicy = {
  name: "ecs-no-added-capabilities",
  description:
    "Checks whether no container adds Linux capabilities (`linuxParameters.capabilities.add`), the partial form of privileged mode (Security Hub ECS.4's companion; no dedicated control).",
  enforcementLevel: "mandatory",
  validateResource: forType<TaskDefinitionProps>(TYPES.taskDefinition, (props, args, report) => {
    const family = taskDefinitionLabel(props, args.name);
    for (const { label, container } of containersOf(props)) {
      const added = container.linuxParameters?.capabilities?.add ?? [];
      if (added.length > 0) {
        report(
          `container \`${label}\` of task definition \`${family}\` adds capabilities ${added.map((c) => `\`${c}\``).join(", ")} in \`linuxParameters.capabilities.add\`: remove them (bind ports above 1024, write to volumes) instead of widening the kernel surface.`,
        );
      }
    }
  }),
};

export const ecsContainerLogConfiguration: ResourceValidationPolicy = {
  name: "ecs-container-log-configuration",
  description:
    "Checks whether every container of every ECS task definition has a `logConfiguration` with a `logDriver` (Security Hub ECS.9).",
  enforcementLevel: "mandatory",
  validateResource: forType<TaskDefinitionProps>(TYPES.taskDefinition, (props, args, report) => {
    const family = taskDefinitionLabel(props, args.name);
    for (const { label, container } of containersOf(props)) {
      if (typeof container.logConfiguration?.logDriver !== "string" || container.logConfiguration.logDriver === "") {
        report(
          `container \`${label}\` of task definition \`${family}\` has no \`logConfiguration.logDriver\`: send its output somewhere kept ("fluentd" to the node's collector, or "awslogs").`,
        );
      }
    }
  }),
};

const DIGEST = /@sha256:[0-9a-f]{64}$/;
const PRIVATE_ECR = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\//;

/** Why an image reference is not pinned, or undefined when it is (digest, or a named tag in the account's ECR). */
export function unpinnedImage(image: string): string | undefined {
  if (DIGEST.test(image)) return undefined;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const tag = lastSegment.includes(":") ? lastSegment.slice(lastSegment.indexOf(":") + 1) : undefined;
  if (tag === undefined || tag === "latest")
    return `is pulled by ${tag === undefined ? "no tag (so `latest`)" : "the tag `latest`"}, which moves`;
  if (!PRIVATE_ECR.test(image)) return `is pulled from outside the account's ECR by the mutable tag \`${tag}\``;
  return undefined;
}

export const ecsImagePinned: ResourceValidationPolicy = {
  name: "ecs-image-pinned",
  description:
    "Checks whether every container image is pinned by digest (`@sha256:…`) or comes from the account's ECR (whose tags ecr-repository-immutable-tags keeps immutable), never by `latest` (no Security Hub or Checkov control; the Amazon ECS best practice of immutable image references).",
  enforcementLevel: "mandatory",
  validateResource: forType<TaskDefinitionProps>(TYPES.taskDefinition, (props, args, report) => {
    const family = taskDefinitionLabel(props, args.name);
    for (const { label, container } of containersOf(props)) {
      const problem = typeof container.image === "string" ? unpinnedImage(container.image) : "is missing";
      if (problem) {
        report(
          `container \`${label}\` of task definition \`${family}\`: \`image\` \`${container.image ?? ""}\` ${problem}: pin it by digest (\`<repo>@sha256:<digest>\`) or mirror it into an ECR repository with immutable tags.`,
        );
      }
    }
  }),
};

/** Credential shapes in a value, with the name used in messages (Checkov's secret scanners find the same). */
const CREDENTIAL_SHAPES: readonly [what: string, pattern: RegExp][] = [
  ["a URL with a password in its user info", /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i],
  ["an AWS access key id", /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/],
  ["a PEM private key", /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----/],
];

/** What kind of credential a value looks like, or undefined. */
export function credentialShape(value: string): string | undefined {
  return CREDENTIAL_SHAPES.find(([, pattern]) => pattern.test(value))?.[0];
}

export const ecsNoCredentialValues: ResourceValidationPolicy = {
  name: "ecs-no-credential-values-env",
  description:
    "Checks whether no container's plain `environment` value holds a credential, whatever the variable's name: URLs with user info, AWS access key ids, PEM private keys (Security Hub ECS.8).",
  enforcementLevel: "mandatory",
  validateResource: forType<TaskDefinitionProps>(TYPES.taskDefinition, (props, args, report) => {
    const family = taskDefinitionLabel(props, args.name);
    for (const { label, container } of containersOf(props)) {
      for (const variable of container.environment ?? []) {
        const what = typeof variable.value === "string" ? credentialShape(variable.value) : undefined;
        if (what) {
          report(
            `container \`${label}\` of task definition \`${family}\`: \`environment\` \`${variable.name ?? ""}\` holds ${what}: move it to \`secrets\` (\`valueFrom\` a Secrets Manager or SSM ARN) and rotate it.`,
          );
        }
      }
    }
  }),
};
