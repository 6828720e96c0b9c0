/**
 * The plain typed contract between the infrastructure (`components/`, `index.ts`) and the code that
 * runs in containers (`workers/`). Nothing here imports anything: both sides read it, neither side
 * imports the other.
 */

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

export type OutputType = OutputBinding["type"];

/**
 * A secret by reference, never by value:
 * `ssm:/path/to/parameter` (SecureString), `secretsmanager:<name or ARN>`;
 * for local runs only: `env:VAR_NAME`, `file:/path/to/file`.
 */
export type SecretRef = string;

/** Protocol Buffers encoding of a slot's records (`workers/connectors/protobuf`). */
export interface ProtobufFormat {
  readonly type: "protobuf";
  /** `.proto` file under `workers/schemas/`. */
  readonly schema: string;
  /** Fully qualified message type, e.g. `partner.v1.Record`. */
  readonly messageType: string;
  /** One length-delimited stream of many messages (true), or one message (false). @default true */
  readonly delimited?: boolean;
}

/** Write into the input of another worker of the same stack (chaining). Resolved to `s3` by the program. */
export interface WorkerOutputBinding {
  readonly type: "worker";
  /** Name of the next worker. */
  readonly worker: string;
}

export interface S3OutputBinding {
  readonly type: "s3";
  readonly bucket: string;
  /** Key prefix, no leading slash. @default "" */
  readonly prefix?: string;
  /** SSE-KMS key id or ARN for the written objects. @default bucket default encryption */
  readonly kmsKeyId?: string;
  /** Grant the bucket owner full control (cross-account delivery). @default false */
  readonly bucketOwnerFullControl?: boolean;
  readonly format?: ProtobufFormat;
}

export interface RestOutputBinding {
  readonly type: "rest";
  /** https URL (http only for loopback). */
  readonly url: string;
  /** @default "POST" */
  readonly method?: "POST" | "PUT";
  /** Send the payload as one body, or its records in JSON batches. @default "payload" */
  readonly mode?: "payload" | "records";
  /** Header that carries the secret. @default "Authorization" */
  readonly authHeader?: string;
  readonly authSecret?: SecretRef;
  /** Per-attempt timeout in seconds. @default 30 */
  readonly timeoutSeconds?: number;
  /** Records per JSON batch in `records` mode (the payload is NDJSON). @default 500 */
  readonly batchSize?: number;
  readonly format?: ProtobufFormat;
}

export interface SftpOutputBinding {
  readonly type: "sftp";
  readonly host: string;
  /** @default 22 */
  readonly port?: number;
  readonly username: string;
  /** Pinned host key: `SHA256:<base64>` as `ssh-keygen -lf` prints it. */
  readonly hostKeySha256: string;
  readonly passwordSecret?: SecretRef;
  readonly privateKeySecret?: SecretRef;
  /** Remote directory. */
  readonly directory: string;
  readonly format?: ProtobufFormat;
}

export interface FtpOutputBinding {
  readonly type: "ftp";
  readonly host: string;
  /** @default 21 */
  readonly port?: number;
  readonly username: string;
  readonly passwordSecret: SecretRef;
  readonly directory: string;
  /** Explicit TLS (FTPS, AUTH TLS). @default true */
  readonly secure?: boolean;
  /** Create the remote directory when missing. @default false */
  readonly createDirectory?: boolean;
  /** PEM certificate(s) to trust for FTPS, for servers with a private CA or a self-signed certificate. @default the Node.js CA store */
  readonly tlsCaSecret?: SecretRef;
  readonly format?: ProtobufFormat;
}

export type OutputBinding =
  | WorkerOutputBinding
  | S3OutputBinding
  | RestOutputBinding
  | SftpOutputBinding
  | FtpOutputBinding;

/** A binding as the container sees it: chaining already resolved to the next worker's bucket. */
export type ResolvedOutputBinding = Exclude<OutputBinding, WorkerOutputBinding>;

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
