/** Typed errors of the SpotEcsCluster component. */

/** An argument of `SpotEcsCluster` is wrong: `field` names it (`instanceTypes[3]`), the message says the fix. */
export class SpotEcsClusterArgsError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`SpotEcsCluster \`${field}\`: ${message}`);
    this.name = "SpotEcsClusterArgsError";
    this.field = field;
  }
}
