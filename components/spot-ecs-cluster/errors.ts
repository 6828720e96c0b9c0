/** Typed errors of the SpotEcsCluster component. */

/**
 * An argument of `SpotEcsCluster` is wrong: `field` names it (`instanceTypes[3]`), `detail` says
 * what is wrong with the value and the fix.
 */
export class SpotEcsClusterArgsError extends Error {
  readonly field: string;
  readonly detail: string;
  constructor(field: string, detail: string, options?: { cause?: unknown }) {
    super(`SpotEcsCluster \`${field}\`: ${detail}`, options);
    this.name = "SpotEcsClusterArgsError";
    this.field = field;
    this.detail = detail;
  }
}
