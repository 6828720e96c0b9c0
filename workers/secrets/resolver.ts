/**
 * Resolves `SecretRef` strings (see `catalog/secret-ref.ts`) to their values. Connectors resolve their
 * secrets when they are created at worker start, so a missing or unreadable secret stops the worker
 * before it takes a job. Values are cached for `ttlMs` (5 minutes by default), so a rotated secret
 * reaches a long-running worker without a restart, and a connector whose login fails asks for a
 * fresh value once (`refresh`) before it gives up.
 */
import { readFile } from "node:fs/promises";
import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SecretRef } from "../../catalog/contract";
import { ConfigError } from "../errors";
import type { SecretRedactor } from "./redactor";
import { parseSecretRef } from "./ref";

/** How long a resolved value is reused before it is read again, ms: 5 minutes. */
export const SECRET_TTL_MS = 5 * 60_000;

/** Resolves a secret reference to its value; values are cached for `ttlMs`. */
export interface SecretResolver {
  /** Rejects with `ConfigError` when the reference is malformed, missing or empty. */
  resolve(ref: SecretRef): Promise<string>;
  /**
   * Reads the reference again now, ignoring the cache (after an authentication failure: the secret
   * may have rotated). Concurrent refreshes of one reference make one request. Optional so that
   * simple resolvers (tests) need not implement it; without it, a connector does not retry a login.
   */
  refresh?(ref: SecretRef): Promise<string>;
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
  /** How long a value is reused, ms; 0 reads the source on every `resolve`. @default SECRET_TTL_MS (5 minutes) */
  readonly ttlMs?: number;
  /** Clock, ms. @default Date.now */
  readonly now?: () => number;
  /** Learns every value resolved, so logs and errors can leave it out. @default none */
  readonly redactor?: SecretRedactor;
}

export function createSecretResolver(deps: SecretResolverDeps = {}): SecretResolver {
  const env = deps.env ?? process.env;
  const allowLocal = deps.allowLocal ?? true;
  const ttlMs = deps.ttlMs ?? SECRET_TTL_MS;
  const now = deps.now ?? Date.now;
  if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new ConfigError(`secret cache \`ttlMs\` is ${ttlMs}: use 0 or more milliseconds`);
  // Cache the promise, not the value: concurrent resolutions of one ref make one request.
  const cache = new Map<string, { readonly value: Promise<string>; readonly at: number }>();
  const refreshing = new Map<string, Promise<string>>();

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

  function load(ref: SecretRef): Promise<string> {
    const entry = { value: fetchValue(ref), at: now() };
    // A failed lookup is not cached: the next call may succeed.
    entry.value.catch(() => {
      if (cache.get(ref) === entry) cache.delete(ref);
    });
    cache.set(ref, entry);
    return entry.value;
  }

  return {
    resolve(ref) {
      const entry = cache.get(ref);
      return entry && now() - entry.at < ttlMs ? entry.value : load(ref);
    },
    refresh(ref) {
      // A refresh already under way serves every caller that asks meanwhile.
      let pending = refreshing.get(ref);
      if (!pending) {
        pending = load(ref);
        refreshing.set(ref, pending);
        pending.then(
          () => refreshing.delete(ref),
          () => refreshing.delete(ref),
        );
      }
      return pending;
    },
  };
}

function missing(ref: SecretRef, why: string, cause?: unknown): ConfigError {
  return new ConfigError(`secret \`${ref}\` cannot be resolved: ${why}`, { cause, context: { secretRef: ref } });
}
