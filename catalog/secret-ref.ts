/**
 * Secret references: the grammar every secret field follows, read by both sides (the stack config and
 * the JobWorker component check it; the runtime resolves by it). A secret is never a value in
 * configuration, only one of these strings.
 */

/**
 * A secret by reference, never by value:
 * `ssm:/path/to/parameter` (SecureString), `secretsmanager:<name or ARN>`;
 * for local runs only: `env:VAR_NAME`, `file:/path/to/file`.
 */
export type SecretRef = string;

export type SecretSource = "ssm" | "secretsmanager" | "env" | "file";

/**
 * Where a reference must resolve. `deployed`: on AWS, through the task or execution role, so only
 * sources IAM can grant (`ssm:`, `secretsmanager:`). `anywhere`: also a laptop's `env:` and `file:`.
 */
export type SecretRefScope = "deployed" | "anywhere";

/** The sources IAM can grant a role: what a deployed worker reads. */
export const DEPLOYED_SECRET_SOURCES: readonly SecretSource[] = ["ssm", "secretsmanager"];

const FORMS: Readonly<Record<SecretRefScope, string>> = {
  deployed: "`ssm:/<parameter path>` or `secretsmanager:<name or ARN>`",
  anywhere: "`ssm:/path`, `secretsmanager:<name or ARN>`, `env:VAR` or `file:/absolute/path`",
};

export type SplitSecretRef =
  { readonly source: SecretSource; readonly name: string; readonly problem?: undefined } | { readonly problem: string };

/**
 * Splits a reference into source and name, or says what is wrong with it and the fix (a phrase that
 * reads after "is <value>:"). Pure: no lookup, no I/O.
 */
export function splitSecretRef(ref: unknown, scope: SecretRefScope): SplitSecretRef {
  const forms = `a secret reference must be ${FORMS[scope]}`;
  const colon = typeof ref === "string" ? ref.indexOf(":") : -1;
  if (typeof ref !== "string" || colon <= 0) return { problem: `${forms}, never the secret's value` };
  const source = ref.slice(0, colon) as SecretSource;
  const name = ref.slice(colon + 1);
  const bad = (why: string) => ({ problem: `${why}; ${forms}` });
  switch (source) {
    case "ssm":
      if (!name.startsWith("/") || name.length < 2) return bad("an SSM parameter path starts with `/`");
      break;
    case "secretsmanager":
      if (name.length === 0) return bad("the secret name is empty");
      break;
    case "env":
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return bad("not a valid environment variable name");
      break;
    case "file":
      if (!name.startsWith("/")) return bad("the file path must be absolute");
      break;
    default:
      return bad(`unknown source \`${source}\``);
  }
  if (scope === "deployed" && !DEPLOYED_SECRET_SOURCES.includes(source)) {
    return { problem: `\`${source}:\` is a local-only reference; deployed workers read secrets from ${FORMS.deployed}` };
  }
  return { source, name };
}

/** Names that say "this is a credential" (`MACKEREL_APIKEY`, `DB_PASSWORD`, `AUTH_TOKEN`, …). */
const SECRET_NAME = /(API_?KEY|APIKEY|SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE_?KEY|ACCESS_?KEY)/i;
/** Values that are credentials whatever their name: AWS access keys, PEM blocks, long opaque tokens. */
const SECRET_VALUES: readonly [RegExp, string][] = [
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a PEM private key"],
  [/^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9+/_=-]{32,}$/, "a long opaque token"],
];

/**
 * Why a plain (non-secret) environment variable looks like it carries a secret, or undefined. Plain
 * values end up in task definitions, `pulumi preview` diffs and the console; secrets belong in
 * `secrets` as references. The reason never repeats the value.
 */
export function secretLookalike(name: string, value: string): string | undefined {
  if (SECRET_NAME.test(name)) return `its name \`${name}\` says it is a credential`;
  for (const [pattern, what] of SECRET_VALUES) if (pattern.test(value)) return `its value looks like ${what}`;
  return undefined;
}
