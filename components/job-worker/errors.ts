/**
 * Typed errors of the JobWorker component. Thrown synchronously from the constructor (or from the
 * validation functions), so `pulumi preview` fails before anything is sent to AWS.
 */

/** An invalid JobWorker argument: the message names the field in backticks, the value and the fix. */
export class JobWorkerArgsError extends Error {
  /** The component's name (the worker kind). */
  readonly worker: string;
  /** The argument's path, e.g. `memory` or `input.prefix`. */
  readonly field: string;
  constructor(worker: string, field: string, message: string) {
    super(`JobWorker \`${worker}\`: \`${field}\` ${message}`);
    this.name = "JobWorkerArgsError";
    this.worker = worker;
    this.field = field;
  }
}

/**
 * True for a JobWorkerArgsError from any copy of this module (a test harness that re-imports the
 * program, or two installed versions of the package, makes `instanceof` unreliable).
 */
export function isJobWorkerArgsError(err: unknown): err is JobWorkerArgsError {
  return err instanceof Error && err.name === "JobWorkerArgsError" && typeof (err as JobWorkerArgsError).field === "string";
}
