/**
 * Resolves `SecretRef` strings (see `catalog/secret-ref.ts`) to their values. Connectors resolve their
 * secrets once, when they are created at worker start, so a missing or unreadable secret stops the
 * worker before it takes a job, and no secret is fetched per delivery.
 */
import { readFile } from "node:fs/promises";
import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SecretRef } from "../../catalog/contract";
import { ConfigError } from "../errors";
import type { SecretRedactor } from "./redactor";
import { parseSecretRef } from "./ref";

/** Resolves a secret reference to its value; values are cached for the life of the resolver. */
export interface SecretResolver {
  /** Rejects with `ConfigError` when the reference is malformed, missing or empty. */
  resolve(ref: SecretRef): Promise<string>;
}

export interface SecretResolverDeps {
  /** Needed only for `ssm:` references. */
  readonly ssm?: SSMClient;
  /** Needed only for `secretsmanager:` references. */
  readonly secretsManager?: SecretsManagerClient;
  /** Environment for `env:` references. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Allow `env:` and `file:` references (local runs). @default true */
  readonly allowLocal?: boolean;
  /** Learns every value resolved, so logs and errors can leave it out. @default none */
  readonly redactor?: SecretRedactor;
}

export function createSecretResolver(deps: SecretResolverDeps = {}): SecretResolver {
  const env = deps.env ?? process.env;
  const allowLocal = deps.allowLocal ?? true;
  // Cache the promise, not the value: concurrent resolutions of one ref make one request.
  const cache = new Map<string, Promise<string>>();

  async function fetchValue(ref: SecretRef): Promise<string> {
    const parsed = parseSecretRef(ref);
    if (!allowLocal && (parsed.source === "env" || parsed.source === "file")) {
      throw new ConfigError(`secret reference \`${ref}\` is for local runs only: use \`ssm:/path\` or \`secretsmanager:name\``, {
        context: { secretRef: ref },
      });
    }
    let value: string | undefined;
    switch (parsed.source) {
      case "env":
        value = env[parsed.name];
        if (value === undefined) throw missing(ref, `environment variable ${parsed.name} is not set`);
        break;
      case "file":
        try {
          // Files written by editors end in a newline that is not part of the secret.
          value = (await readFile(parsed.name, "utf8")).replace(/\r?\n$/, "");
        } catch (err) {
          throw missing(ref, `cannot read ${parsed.name}: ${(err as Error).message}`, err);
        }
        break;
      case "ssm": {
        if (!deps.ssm) throw missing(ref, "no SSM client was given to the secret resolver");
        try {
          const out = await deps.ssm.send(new GetParameterCommand({ Name: parsed.name, WithDecryption: true }));
          value = out.Parameter?.Value;
        } catch (err) {
          throw missing(ref, `SSM GetParameter failed: ${(err as Error).name}: ${(err as Error).message}`, err);
        }
        break;
      }
      case "secretsmanager": {
        if (!deps.secretsManager) throw missing(ref, "no Secrets Manager client was given to the secret resolver");
        try {
          const out = await deps.secretsManager.send(new GetSecretValueCommand({ SecretId: parsed.name }));
          value = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString("utf8") : undefined);
        } catch (err) {
          throw missing(ref, `Secrets Manager GetSecretValue failed: ${(err as Error).name}: ${(err as Error).message}`, err);
        }
        break;
      }
    }
    if (value === undefined || value === "") throw missing(ref, "the secret is empty");
    deps.redactor?.add(value);
    return value;
  }

  return {
    resolve(ref) {
      let pending = cache.get(ref);
      if (!pending) {
        pending = fetchValue(ref);
        // A failed lookup is not cached: the next start may succeed.
        pending.catch(() => cache.delete(ref));
        cache.set(ref, pending);
      }
      return pending;
    },
  };
}

function missing(ref: SecretRef, why: string, cause?: unknown): ConfigError {
  return new ConfigError(`secret \`${ref}\` cannot be resolved: ${why}`, { cause, context: { secretRef: ref } });
}
