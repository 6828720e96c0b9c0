/**
 * The plain typed contract between the infrastructure (`components/`, `index.ts`) and the code that
 * runs in containers (`workers/`): both sides read it, neither side imports the other. The output
 * bindings are described once, as a zod schema, in `bindings.ts`; their types are re-exported here
 * (type-only: this module loads nothing at run time).
 */
import type { OutputType } from "./bindings";

export type {
  FtpOutputBinding,
  OutputBinding,
  OutputType,
  ProtobufFormat,
  ResolvedOutputBinding,
  RestOutputBinding,
  S3OutputBinding,
  SftpOutputBinding,
  WorkerOutputBinding,
} from "./bindings";
export type { SecretRef } from "./secret-ref";

/**
 * A worker kind's (and worker's) name: kebab-case, starting with a letter, at most 28 characters. It
 * names AWS resources (queue, service, repository) and the kind's folder `workers/kinds/<name>/`.
 */
export const WORKER_NAME_PATTERN = /^[a-z][a-z0-9-]{0,27}$/;

/** What a worker kind is, as plain data. The handler lives in `workers/kinds/<name>/`. */
export interface WorkerDefinition {
  /** `WORKER_NAME_PATTERN`: it names AWS resources (queue, service, repository). */
  readonly name: string;
  /** One line for the README, the console and resource descriptions. */
  readonly description: string;
  /** Jobs one task runs at once. @default 1 */
  readonly concurrency: number;
  /**
   * The longest one job may take, in seconds. The queue's visibility timeout, the heartbeat and
   * the task's scale-in protection expiry are derived from it.
   */
  readonly maxProcessingSeconds: number;
  /** The output slots the handler writes to, by slot name; the stack binds each slot to a target. */
  readonly outputs: Readonly<Record<string, OutputSlot>>;
}

export interface OutputSlot {
  readonly description: string;
  /** Binding types this slot can be bound to. */
  readonly accepts: readonly OutputType[];
}

/**
 * Environment variables the JobWorker component sets on the worker container and the runtime reads
 * (`jobworker run <worker>`). ECS itself adds `ECS_AGENT_URI`.
 */
export const WORKER_ENV = {
  /** The worker kind's name. */
  worker: "JOBWORKER_WORKER",
  /** URL of the worker's input queue. */
  queueUrl: "JOBWORKER_QUEUE_URL",
  /** JSON `Record<slot, ResolvedOutputBinding>`. */
  outputs: "JOBWORKER_OUTPUTS",
  /** Jobs in flight per task. */
  concurrency: "JOBWORKER_CONCURRENCY",
  /** Longest job, seconds. */
  maxProcessingSeconds: "JOBWORKER_MAX_PROCESSING_SECONDS",
  /** Drain deadline on SIGTERM, seconds; below the container's stopTimeout. */
  shutdownSeconds: "JOBWORKER_SHUTDOWN_SECONDS",
  /** Writable scratch directory (a volume on the instance store). */
  scratchDir: "JOBWORKER_SCRATCH_DIR",
  /** pino level. @default "info" */
  logLevel: "JOBWORKER_LOG_LEVEL",
} as const;
