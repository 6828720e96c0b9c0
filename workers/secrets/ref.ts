/** Parsing of `SecretRef` strings for the runtime; the grammar is `catalog/secret-ref.ts`. Plain functions, no I/O. */
import { splitSecretRef, type SecretRef, type SecretSource } from "../../catalog/secret-ref";
import { ConfigError } from "../errors";

export type { SecretSource };

export interface ParsedSecretRef {
  readonly source: SecretSource;
  /** Parameter path, secret name or ARN, variable name, or file path. */
  readonly name: string;
}

/** Parses a reference (any source, local ones included); throws `ConfigError` naming the field, the reference and the accepted forms. */
export function parseSecretRef(ref: SecretRef, field = "secret"): ParsedSecretRef {
  const split = splitSecretRef(ref, "anywhere");
  if (split.problem !== undefined) {
    throw new ConfigError(`\`${field}\` is ${JSON.stringify(ref)}: ${split.problem}`, { context: { field } });
  }
  return { source: split.source, name: split.name };
}
