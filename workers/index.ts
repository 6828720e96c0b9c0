/**
 * `@jobworker/workers`: the worker runtime, the shipped worker kinds and the `jobworker` CLI.
 * A worker author needs `defineWorker` and the handler types; the rest is for hosts and tests.
 */
export {
  defineWorker,
  type Handler,
  type HandlerContext,
  type JobInput,
  type ObjectHead,
  type OutputOptions,
  type WorkerKind,
} from "./runtime/types";
export { Worker, type WorkerOptions } from "./runtime/worker";
export { runWorker, createOutputs, type RunWorkerOptions } from "./runtime/run";
export { loadSettings, parseOutputs, RUNTIME_TUNING_ENV, ECS_AGENT_URI_ENV, type RuntimeSettings } from "./runtime/settings";
export { createAwsClients, type AwsClients, type AwsClientOptions } from "./runtime/clients";
export { createLogger, type LoggerOptions } from "./runtime/logger";
export { SecretRedactor, REDACTED } from "./secrets/redactor";
export { withDeadline, DeadlineError, type Deadline } from "./runtime/deadline";
export { HANDOFF_ATTRIBUTE } from "./runtime/handoff";
export { parseS3EventMessage, decodeS3Key, type ParsedMessage, type S3ObjectEvent } from "./runtime/s3-event";
export { outputName, idempotencyKey, inputDigest } from "./runtime/output-name";
export { createTaskProtection, protectionExpiryMinutes, type TaskProtection } from "./runtime/task-protection";
export { readNdjson, readLines, writeChunk, endStream } from "./runtime/records";
export type { WorkerEvent, WorkerState } from "./runtime/events";
export { loadWorkerKind, loadWorkerKinds, workerKindNames, KINDS_DIR } from "./kinds";
export { main as cliMain } from "./cli/main";
export { ConfigError, RetryableError, PermanentError, JobworkerError } from "./errors";
