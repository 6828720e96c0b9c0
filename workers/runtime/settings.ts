/**
 * A worker process's settings, read from the environment the JobWorker component sets
 * (`WORKER_ENV` in `catalog/contract.ts`) and validated with zod. Every error names the variable in
 * backticks, the value it got and what to set instead.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { bindingTypes, parseResolvedBinding, problemText, type OutputType, type ResolvedOutputBinding } from "../../catalog/bindings";
import { WORKER_ENV, type WorkerDefinition } from "../../catalog/contract";
import { ConfigError } from "../errors";
import { SECRET_TTL_MS } from "../secrets/resolver";

/** Runtime tuning knobs that the infrastructure does not set (tests and local runs do). */
export const RUNTIME_TUNING_ENV = {
  /**
   * SQS long-poll wait, seconds (0..20), at most `JOBWORKER_SHUTDOWN_SECONDS` (a receive in flight at
   * SIGTERM is never aborted, so the drain waits for it). @default min(20, JOBWORKER_SHUTDOWN_SECONDS)
   */
  pollWaitSeconds: "JOBWORKER_POLL_WAIT_SECONDS",
  /**
   * How many times one message may be handed back on shutdown without charging a receive
   * (`workers/runtime/handoff.ts`); past it the message is released normally. 0 turns hand-off off.
   * @default 20
   */
  maxHandoffs: "JOBWORKER_MAX_HANDOFFS",
  /** First retry delay of a failed job, seconds. @default 10 */
  retryBaseSeconds: "JOBWORKER_RETRY_BASE_SECONDS",
  /** Longest retry delay of a failed job, seconds. @default 300 */
  retryCapSeconds: "JOBWORKER_RETRY_CAP_SECONDS",
  /** How long a resolved secret is reused before it is read again, seconds (0..86400). @default 300 */
  secretTtlSeconds: "JOBWORKER_SECRET_TTL_SECONDS",
  /**
   * "true" lets any slot be bound to `s3`: the local pipeline (`npm start`) redirects deliveries to
   * systems that do not exist on a laptop (REST, SFTP, FTP) into a local bucket. Never set on AWS.
   * @default false
   */
  localRedirect: "JOBWORKER_LOCAL_REDIRECT",
} as const;

/** Set by the ECS agent on every task (container agent 1.39+). */
export const ECS_AGENT_URI_ENV = "ECS_AGENT_URI";

export interface RuntimeSettings {
  readonly worker: string;
  readonly queueUrl: string;
  readonly outputs: Readonly<Record<string, ResolvedOutputBinding>>;
  /** Jobs in flight per process. @default the definition's `concurrency` */
  readonly concurrency: number;
  /** @default the definition's `maxProcessingSeconds` */
  readonly maxProcessingSeconds: number;
  /** Drain deadline on SIGTERM/SIGINT, seconds. @default 30 (ECS's default stopTimeout is 30, JobWorker's at most 90) */
  readonly shutdownSeconds: number;
  /** @default `<os tmpdir>/jobworker` */
  readonly scratchDir: string;
  /** @default "info" */
  readonly logLevel: string;
  /** Long-poll wait, seconds; never above `shutdownSeconds`. @default min(20, shutdownSeconds) */
  readonly pollWaitSeconds: number;
  /** Hand-offs per message on shutdown before a normal release. @default 20 */
  readonly maxHandoffs: number;
  /** @default 10 */
  readonly retryBaseSeconds: number;
  /** @default 300 */
  readonly retryCapSeconds: number;
  /** Secret cache TTL, seconds. @default 300 (`SECRET_TTL_MS`) */
  readonly secretTtlSeconds?: number;
  /** ECS agent endpoint for task scale-in protection; absent on local runs. */
  readonly ecsAgentUri?: string;
}

export const DEFAULT_SHUTDOWN_SECONDS = 30;
export const DEFAULT_POLL_WAIT_SECONDS = 20;
export const DEFAULT_RETRY_BASE_SECONDS = 10;
export const DEFAULT_RETRY_CAP_SECONDS = 300;
export const DEFAULT_SECRET_TTL_SECONDS = SECRET_TTL_MS / 1000;
export const DEFAULT_MAX_HANDOFFS = 20;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
/** The binding types a container delivers to (chaining is resolved to `s3` before it gets here). */
const BINDING_TYPES = bindingTypes("container");

function intVar(name: string, min: number, max: number, fix: string) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, { message: `\`${name}\` must be a whole number, ${fix}` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { message: `\`${name}\` must be between ${min} and ${max}, ${fix}` });
}

/** Reads and validates the settings for `definition` from `env`. Throws `ConfigError` naming the variable. */
export function loadSettings(env: NodeJS.ProcessEnv, definition: WorkerDefinition): RuntimeSettings {
  const read = <T>(name: string, schema: z.ZodType<T>, fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const result = schema.safeParse(raw);
    if (!result.success) {
      throw new ConfigError(`${result.error.issues[0]?.message ?? `\`${name}\` is invalid`} (got ${JSON.stringify(raw)})`, {
        context: { variable: name },
      });
    }
    return result.data;
  };
  const required = (name: string, fix: string): string => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") throw new ConfigError(`\`${name}\` is not set: ${fix}`, { context: { variable: name } });
    return raw.trim();
  };

  const worker = env[WORKER_ENV.worker]?.trim() || definition.name;
  if (worker !== definition.name) {
    throw new ConfigError(
      `\`${WORKER_ENV.worker}\` is ${JSON.stringify(worker)} but this process runs \`${definition.name}\`: run \`jobworker run ${worker}\` or fix the variable`,
      { context: { variable: WORKER_ENV.worker } },
    );
  }
  const queueUrl = required(WORKER_ENV.queueUrl, "set it to the worker's input queue URL (the JobWorker component's `queueUrl` output)");
  if (!/^https?:\/\/\S+$/.test(queueUrl)) {
    throw new ConfigError(`\`${WORKER_ENV.queueUrl}\` must be an http(s) queue URL, got ${JSON.stringify(queueUrl)}`, {
      context: { variable: WORKER_ENV.queueUrl },
    });
  }
  const outputs = parseOutputs(env[WORKER_ENV.outputs], definition, { allowS3Redirect: env[RUNTIME_TUNING_ENV.localRedirect] === "true" });
  const maxProcessingSeconds = read(
    WORKER_ENV.maxProcessingSeconds,
    intVar(WORKER_ENV.maxProcessingSeconds, 1, 43_200, "set the longest job in seconds"),
    definition.maxProcessingSeconds,
  );
  const retryBaseSeconds = read(
    RUNTIME_TUNING_ENV.retryBaseSeconds,
    intVar(RUNTIME_TUNING_ENV.retryBaseSeconds, 0, 43_200, "set the first retry delay in seconds"),
    DEFAULT_RETRY_BASE_SECONDS,
  );
  const retryCapSeconds = read(
    RUNTIME_TUNING_ENV.retryCapSeconds,
    intVar(RUNTIME_TUNING_ENV.retryCapSeconds, 0, 43_200, "set the longest retry delay in seconds"),
    DEFAULT_RETRY_CAP_SECONDS,
  );
  if (retryCapSeconds < retryBaseSeconds) {
    throw new ConfigError(
      `\`${RUNTIME_TUNING_ENV.retryCapSeconds}\` (${retryCapSeconds}) must be at least \`${RUNTIME_TUNING_ENV.retryBaseSeconds}\` (${retryBaseSeconds})`,
      {
        context: { variable: RUNTIME_TUNING_ENV.retryCapSeconds },
      },
    );
  }
  const shutdownSeconds = read(
    WORKER_ENV.shutdownSeconds,
    intVar(WORKER_ENV.shutdownSeconds, 0, 3600, "set it below the container's stopTimeout"),
    DEFAULT_SHUTDOWN_SECONDS,
  );
  const pollWaitSeconds = read(
    RUNTIME_TUNING_ENV.pollWaitSeconds,
    intVar(RUNTIME_TUNING_ENV.pollWaitSeconds, 0, 20, "SQS long polling waits 0 to 20 seconds"),
    Math.min(DEFAULT_POLL_WAIT_SECONDS, shutdownSeconds),
  );
  if (pollWaitSeconds > shutdownSeconds) {
    // Aborting a receive in flight can strand messages (SQS may still hand them to the abandoned
    // request, invisible with nobody holding them), so the drain lets it return: it must fit the deadline.
    throw new ConfigError(
      `\`${RUNTIME_TUNING_ENV.pollWaitSeconds}\` (${pollWaitSeconds}) is longer than the drain deadline \`${WORKER_ENV.shutdownSeconds}\` (${shutdownSeconds}): ` +
        `a receive in flight at SIGTERM is never aborted, so the drain waits for it; lower \`${RUNTIME_TUNING_ENV.pollWaitSeconds}\` ` +
        `to at most ${shutdownSeconds} (or leave it unset) or raise \`${WORKER_ENV.shutdownSeconds}\` (and the container's stopTimeout)`,
      { context: { variable: RUNTIME_TUNING_ENV.pollWaitSeconds } },
    );
  }
  const ecsAgentUri = env[ECS_AGENT_URI_ENV]?.trim() || undefined;
  return {
    worker,
    queueUrl,
    outputs,
    concurrency: read(
      WORKER_ENV.concurrency,
      intVar(WORKER_ENV.concurrency, 1, 1000, "set the jobs one process runs at once (at least 1)"),
      definition.concurrency,
    ),
    maxProcessingSeconds,
    shutdownSeconds,
    scratchDir: env[WORKER_ENV.scratchDir]?.trim() || join(tmpdir(), "jobworker"),
    logLevel: read(
      WORKER_ENV.logLevel,
      z.enum(LOG_LEVELS, { message: `\`${WORKER_ENV.logLevel}\` must be one of ${LOG_LEVELS.join(", ")}` }),
      "info",
    ),
    pollWaitSeconds,
    maxHandoffs: read(
      RUNTIME_TUNING_ENV.maxHandoffs,
      intVar(RUNTIME_TUNING_ENV.maxHandoffs, 0, 1000, "set how often one message may be handed back on shutdown (0 turns it off)"),
      DEFAULT_MAX_HANDOFFS,
    ),
    retryBaseSeconds,
    retryCapSeconds,
    secretTtlSeconds: read(
      RUNTIME_TUNING_ENV.secretTtlSeconds,
      intVar(RUNTIME_TUNING_ENV.secretTtlSeconds, 0, 86_400, "set how long a secret is reused, in seconds (0 reads it on every use)"),
      DEFAULT_SECRET_TTL_SECONDS,
    ),
    ecsAgentUri,
  };
}

/**
 * Parses `JOBWORKER_OUTPUTS`: every slot of the definition bound, each to a type the slot accepts,
 * each binding valid by the binding schema (`catalog/bindings.ts`).
 */
export function parseOutputs(
  raw: string | undefined,
  definition: WorkerDefinition,
  options: { allowS3Redirect?: boolean } = {},
): Record<string, ResolvedOutputBinding> {
  const name = WORKER_ENV.outputs;
  const slots = Object.keys(definition.outputs);
  let json: unknown = {};
  if (raw !== undefined && raw.trim() !== "") {
    try {
      json = JSON.parse(raw);
    } catch (err) {
      throw new ConfigError(`\`${name}\` is not JSON (${(err as Error).message}): set it to {"<slot>": {"type": "s3", ...}}`, {
        context: { variable: name },
      });
    }
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ConfigError(`\`${name}\` must be a JSON object of slot → binding, got ${JSON.stringify(raw)}`, {
      context: { variable: name },
    });
  }
  for (const [slot, value] of Object.entries(json)) {
    if (!slots.includes(slot)) {
      throw new ConfigError(
        `\`${name}\` binds slot \`${slot}\`, which \`${definition.name}\` does not declare: use one of ${slots.map((s) => `\`${s}\``).join(", ")}`,
        {
          context: { variable: name, slot },
        },
      );
    }
    const type = (value as { type?: unknown } | null)?.type;
    if (!BINDING_TYPES.includes(type as OutputType)) {
      throw new ConfigError(`\`${name}\`.${slot}.type must be one of ${BINDING_TYPES.join(", ")}, got ${JSON.stringify(type)}`, {
        context: { variable: name, slot },
      });
    }
    const accepts: readonly OutputType[] = definition.outputs[slot]!.accepts;
    // A `worker` slot is resolved to `s3` by the program, so a slot accepting `worker` accepts `s3`.
    const s3Allowed = type === "s3" && (accepts.includes("worker") || options.allowS3Redirect === true);
    if (!accepts.includes(type as OutputType) && !s3Allowed) {
      throw new ConfigError(`\`${name}\`.${slot} is bound to \`${String(type)}\`, but slot \`${slot}\` accepts ${accepts.join(", ")}`, {
        context: { variable: name, slot },
      });
    }
  }
  const missing = slots.filter((s) => !(s in json));
  if (missing.length > 0) {
    throw new ConfigError(
      `\`${name}\` does not bind slot${missing.length > 1 ? "s" : ""} ${missing.map((s) => `\`${s}\``).join(", ")} of \`${definition.name}\`: add a binding for each`,
      {
        context: { variable: name, slot: missing.join(",") },
      },
    );
  }
  // Then each binding's fields, once every slot is known to be bound to a type it accepts.
  const outputs: Record<string, ResolvedOutputBinding> = {};
  for (const [slot, value] of Object.entries(json)) {
    const parsed = parseResolvedBinding(value);
    if (parsed.problems) {
      const problem = parsed.problems[0]!;
      throw new ConfigError(`\`${name}\`.${[slot, problem.field].filter((p) => p !== "").join(".")} ${problemText(problem)}`, {
        context: { variable: name, slot, field: problem.field },
      });
    }
    outputs[slot] = parsed.binding;
  }
  return outputs;
}
