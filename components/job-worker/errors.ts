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
