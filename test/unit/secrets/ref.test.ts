import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecretResolver, parseSecretRef } from "../../../workers/secrets";
import { ConfigError } from "../../../workers/errors";

describe("secrets", () => {
  const good: Array<[string, string, string]> = [
    ["ssm:/partner/api-token", "ssm", "/partner/api-token"],
    ["secretsmanager:partner/sftp-key", "secretsmanager", "partner/sftp-key"],
    [
      "secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf",
      "secretsmanager",
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x-AbCdEf",
    ],
    ["env:API_TOKEN", "env", "API_TOKEN"],
    ["file:/run/secrets/token", "file", "/run/secrets/token"],
  ];
  for (const [ref, source, name] of good) {
    it(`parses ${ref}`, () => assert.deepEqual(parseSecretRef(ref), { source, name }));
  }

  const bad: Array<[string, RegExp]> = [
    ["plaintext", /a secret reference must be/],
    ["ssm:relative/path", /starts with `\/`/],
    ["vault:/x", /unknown source `vault`/],
    ["env:1BAD", /not a valid environment variable name/],
    ["file:relative.txt", /must be absolute/],
    ["secretsmanager:", /name is empty/],
  ];
  for (const [ref, message] of bad) {
    it(`rejects ${JSON.stringify(ref)} naming the field`, () => {
      assert.throws(
        () => parseSecretRef(ref, "outputs.api.authSecret"),
        (e: unknown) => e instanceof ConfigError && e.message.startsWith("`outputs.api.authSecret`") && message.test(e.message),
      );
    });
  }

  describe("createSecretResolver (local sources)", () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "jobworker-secrets-"));
      writeFileSync(join(dir, "token"), "from-file\n");
      writeFileSync(join(dir, "empty"), "");
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("reads env: and file: values (a file's final newline is not part of the secret)", async () => {
      const r = createSecretResolver({ env: { TOKEN: "from-env" } });
      assert.equal(await r.resolve("env:TOKEN"), "from-env");
      assert.equal(await r.resolve(`file:${join(dir, "token")}`), "from-file");
    });

    it("resolves each reference once and caches the value", async () => {
      const env: Record<string, string> = { TOKEN: "first" };
      const r = createSecretResolver({ env });
      assert.equal(await r.resolve("env:TOKEN"), "first");
      env.TOKEN = "second";
      assert.equal(await r.resolve("env:TOKEN"), "first");
    });

    const failures: Array<[string, () => ReturnType<typeof createSecretResolver>, string, RegExp]> = [
      ["an unset variable", () => createSecretResolver({ env: {} }), "env:NOPE", /environment variable NOPE is not set/],
      ["a missing file", () => createSecretResolver(), "file:/nonexistent/secret", /cannot read \/nonexistent\/secret/],
      ["an empty file", () => createSecretResolver(), "__EMPTY__", /the secret is empty/],
      [
        "local refs where they are not allowed",
        () => createSecretResolver({ env: { T: "x" }, allowLocal: false }),
        "env:T",
        /for local runs only/,
      ],
      ["ssm without a client", () => createSecretResolver(), "ssm:/x", /no SSM client/],
      ["secretsmanager without a client", () => createSecretResolver(), "secretsmanager:x", /no Secrets Manager client/],
    ];
    for (const [what, make, ref, message] of failures) {
      it(`fails with a ConfigError naming the reference on ${what}`, async () => {
        const actual = ref === "__EMPTY__" ? `file:${join(dir, "empty")}` : ref;
        await assert.rejects(
          make().resolve(actual),
          (e: unknown) => e instanceof ConfigError && e.message.includes(`\`${actual}\``) && message.test(e.message),
        );
      });
    }
  });
});
