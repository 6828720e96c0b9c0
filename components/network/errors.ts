/** Typed errors of the Network component. */

/**
 * An argument of `Network` is wrong: `field` names it (`availabilityZones[2]`), `detail` says what
 * is wrong with the value and the fix.
 */
export class NetworkArgsError extends Error {
  readonly field: string;
  readonly detail: string;
  constructor(field: string, detail: string, options?: { cause?: unknown }) {
    super(`Network \`${field}\`: ${detail}`, options);
    this.name = "NetworkArgsError";
    this.field = field;
    this.detail = detail;
  }
}
