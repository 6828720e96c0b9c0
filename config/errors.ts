/**
 * A stack configuration value is wrong or missing. `key` is the full config key with its path
 * (`jobworker:fleet.instanceTypes[3]`); the message says the value and what is expected.
 */
export class StackConfigError extends Error {
  readonly key: string;
  constructor(key: string, detail: string, options?: { cause?: unknown }) {
    super(`stack config \`${key}\`: ${detail}`, options);
    this.name = "StackConfigError";
    this.key = key;
  }
}

/** `fleet` + `["instanceTypes", 3, "weight"]` → `jobworker:fleet.instanceTypes[3].weight`. */
export function configKey(namespace: string, topKey: string, path: readonly PropertyKey[] = []): string {
  let key = `${namespace}:${topKey}`;
  for (const part of path) key += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
  return key;
}
