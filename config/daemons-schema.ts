/**
 * `jobworker:daemons`: extra containers run as ECS DAEMON services, one task on every instance (a
 * monitoring agent: Mackerel, the CloudWatch agent). Shapes here; the component's own checks (secret
 * references, no credential in a plain variable, absolute read-only mounts, unique names) run in
 * `loadClusterConfig` and are reported under `jobworker:daemons[i].<field>`. See docs/monitoring.md.
 */
import { z } from "zod";

const wholeNumber = (min: number, max: number, unit: string) =>
  z
    .number({ error: `expected a whole number of ${unit}` })
    .int(`expected a whole number of ${unit}`)
    .min(min, `expected at least ${min} ${unit}`)
    .max(max, `expected at most ${max} ${unit}`);

const stringOrList = z.union([z.string(), z.array(z.string()).min(1)], { error: "expected a string or a list of strings" });

/** An identity-policy statement for the daemon's task role (checked against IAM's grammar by the tests). */
const statementSchema = z.strictObject({
  Sid: z
    .string()
    .regex(/^[A-Za-z0-9]*$/, "expected an alphanumeric Sid")
    .optional(),
  Effect: z.enum(["Allow", "Deny"], { error: 'expected "Allow" or "Deny"' }),
  Action: stringOrList,
  Resource: stringOrList,
  Condition: z.record(z.string(), z.record(z.string(), stringOrList)).optional(),
});

export const daemonSchema = z.strictObject({
  name: z.string({ error: "expected a kebab-case name" }),
  image: z.string({ error: "expected a container image" }).min(1, "expected a container image"),
  cpu: wholeNumber(1, 10240, "CPU units (1024 = one vCPU)"),
  memoryMiB: wholeNumber(6, 1048576, "MiB"),
  networkMode: z.enum(["host", "bridge"], { error: 'expected "host" or "bridge"' }).optional(),
  entryPoint: z.array(z.string()).optional(),
  command: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.string({ error: "expected a string value (quote numbers)" })).optional(),
  secrets: z.record(z.string(), z.string({ error: "expected a secret reference like secretsmanager:<name or ARN>" })).optional(),
  mounts: z
    .array(
      z.strictObject({
        hostPath: z.string({ error: 'expected an absolute host path like "/var/run/docker.sock"' }),
        containerPath: z.string({ error: 'expected an absolute container path like "/host/proc"' }),
      }),
      { error: "expected a list of { hostPath, containerPath } (mounted read-only)" },
    )
    .optional(),
  privileged: z.boolean({ error: "expected true or false" }).optional(),
  /** Container user (`uid:gid`); the daemon runs as `nobody` without it, and the pack refuses root. */
  user: z.string({ error: 'expected a user like "65534:65534"' }).min(1, 'expected a user like "65534:65534"').optional(),
  taskPolicyStatements: z.array(statementSchema, { error: "expected a list of IAM statements" }).optional(),
});

export const daemonsSchema = z.array(daemonSchema, { error: "expected a list of daemon container specs" });

export type DaemonConfig = z.infer<typeof daemonSchema>;
