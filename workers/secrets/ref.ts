/** Parsing and validation of `SecretRef` strings; plain functions, no I/O. */
import type { SecretRef } from "../../catalog/contract";
import { ConfigError } from "../errors";

export type SecretSource = "ssm" | "secretsmanager" | "env" | "file";

export interface ParsedSecretRef {
  readonly source: SecretSource;
  /** Parameter path, secret name or ARN, variable name, or file path. */
  readonly name: string;
}

const FORMS = "`ssm:/path`, `secretsmanager:<name or ARN>`, `env:VAR` or `file:/absolute/path`";

/** Parses a reference; throws `ConfigError` naming the reference and the accepted forms. */
export function parseSecretRef(ref: SecretRef, field = "secret"): ParsedSecretRef {
  const colon = typeof ref === "string" ? ref.indexOf(":") : -1;
  if (colon <= 0) {
    throw new ConfigError(`\`${field}\` is ${JSON.stringify(ref)}: a secret reference must be ${FORMS}`, { context: { field } });
  }
  const source = ref.slice(0, colon);
  const name = ref.slice(colon + 1);
  const bad = (why: string) =>
    new ConfigError(`\`${field}\` is ${JSON.stringify(ref)}: ${why}; a secret reference must be ${FORMS}`, { context: { field } });
  switch (source) {
    case "ssm":
      if (!name.startsWith("/") || name.length < 2) throw bad("an SSM parameter path starts with `/`");
      return { source, name };
    case "secretsmanager":
      if (name.length === 0) throw bad("the secret name is empty");
      return { source, name };
    case "env":
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw bad("not a valid environment variable name");
      return { source, name };
    case "file":
      if (!name.startsWith("/")) throw bad("the file path must be absolute");
      return { source, name };
    default:
      throw bad(`unknown source \`${source}\``);
  }
}
