/**
 * Typed errors of the JobWorker component. Thrown synchronously from the constructor (or from the
 * validation functions), so `pulumi preview` fails before anything is sent to AWS.
 */

/**
 * An invalid JobWorker argument: `field` names it (`memory`, `outputs.api.url`), `detail` says what
 * is wrong with the value and the fix; the message joins them.
 */
export class JobWorkerArgsError extends Error {
  /** The component's name (the worker kind). */
  readonly worker: string;
  /** The argument's path, e.g. `memory` or `input.prefix`. */
  readonly field: string;
  /** The value and the fix, worded to follow the field's name: "is 0; it must be …". */
  readonly detail: string;
  constructor(worker: string, field: string, detail: string, options?: { cause?: unknown }) {
    super(`JobWorker \`${worker}\`: \`${field}\` ${detail}`, options);
    this.name = "JobWorkerArgsError";
    this.worker = worker;
    this.field = field;
    this.detail = detail;
  }
}

/**
 * True for a JobWorkerArgsError from any copy of this module (a test harness that re-imports the
 * program, or two installed versions of the package, makes `instanceof` unreliable).
 */
export function isJobWorkerArgsError(err: unknown): err is JobWorkerArgsError {
  const e = err as JobWorkerArgsError;
  return err instanceof Error && e.name === "JobWorkerArgsError" && typeof e.field === "string" && typeof e.detail === "string";
}
