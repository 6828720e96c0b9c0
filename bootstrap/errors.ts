/** A bootstrap setting is wrong: `field` names it (`bootstrap.sysctl["vm swappiness"]`). */
export class BootstrapSettingsError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`bootstrap setting \`${field}\`: ${message}`);
    this.name = "BootstrapSettingsError";
    this.field = field;
  }
}
