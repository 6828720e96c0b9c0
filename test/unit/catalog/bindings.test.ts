/**
 * The one binding schema: docs/connectors.md documents exactly its fields, its secret fields are found
 * from its metadata, and the two sites (a stack, a container) differ only where the docs say.
 */
import assert from "node:assert/strict";
import {
  bindingFieldsOf,
  bindingTypes,
  parseOutputBinding,
  parseResolvedBinding,
  protobufFormatSchema,
  secretFieldsOf,
  secretRefsOf,
  type OutputType,
} from "../../../catalog/bindings";
import { documentedBindings } from "../../support/connectors-doc";

const sorted = (xs: readonly string[]) => [...xs].sort();
const HOST_KEY = `SHA256:${"A".repeat(43)}`;
/** The OpenPGP key references of partner file delivery (catalog/binding-delivery.ts), on every file binding. */
const PGP_SECRETS = ["pgpPublicKeySecret", "pgpSigningKeySecret", "pgpPassphraseSecret"];

describe("catalog/bindings: the one output-binding schema", () => {
  const doc = documentedBindings();

  it("has a section in docs/connectors.md for every binding type, and no other", () => {
    assert.deepEqual(sorted(Object.keys(doc.fields)), sorted(bindingTypes("stack")));
  });

  for (const type of bindingTypes("stack")) {
    it(`documents exactly the schema's fields of a \`${type}\` binding in docs/connectors.md`, () => {
      assert.deepEqual(sorted(["type", ...doc.fields[type]!]), sorted(bindingFieldsOf(type)));
    });
  }

  it("documents exactly the schema's fields of a protobuf `format`", () => {
    assert.deepEqual(sorted(["type", ...doc.formatFields]), sorted(Object.keys(protobufFormatSchema.shape)));
  });

  it("finds the secret fields of every binding type from the schema's metadata, as the docs list them", () => {
    const found = Object.fromEntries(bindingTypes("stack").map((t) => [t, secretFieldsOf(t)]));
    assert.deepEqual(found, {
      worker: [],
      s3: [...PGP_SECRETS],
      rest: ["authSecret", "clientCertSecret", "clientKeySecret", "tlsCaSecret", "oauth2ClientIdSecret", "oauth2ClientSecret"],
      sftp: ["passwordSecret", "privateKeySecret", "privateKeyPassphraseSecret", "proxyPasswordSecret", ...PGP_SECRETS],
      ftp: ["passwordSecret", "tlsCaSecret", "clientCertSecret", "clientKeySecret", "proxyPasswordSecret", ...PGP_SECRETS],
    });
    const listed = Object.fromEntries(bindingTypes("stack").map((t) => [t, doc.secretFields[t] ?? []]));
    assert.deepEqual(listed, found);
  });

  it("marks every field named `…Secret` as a secret, so none is left out of the task role's grants", () => {
    for (const type of bindingTypes("stack")) {
      assert.deepEqual(
        secretFieldsOf(type),
        bindingFieldsOf(type).filter((f) => f.endsWith("Secret")),
        type,
      );
    }
  });

  it("lists a binding's secret references in field order, skipping unset ones", () => {
    const ftp = {
      type: "ftp",
      host: "h",
      username: "u",
      passwordSecret: "ssm:/p",
      directory: "in",
      tlsCaSecret: "secretsmanager:ca",
    } as const;
    assert.deepEqual(secretRefsOf(ftp), ["ssm:/p", "secretsmanager:ca"]);
    assert.deepEqual(
      secretRefsOf({ type: "sftp", host: "h", username: "u", hostKeySha256: HOST_KEY, directory: "/", privateKeySecret: "ssm:/k" }),
      ["ssm:/k"],
    );
    assert.deepEqual(secretRefsOf({ type: "worker", worker: "next" }), []);
  });

  // The forms a stack and a container read differently; everything else is one rule for both.
  const sites: Array<[string, Record<string, unknown>, RegExp | undefined, RegExp | undefined]> = [
    ["an `env:` secret", { type: "rest", url: "https://x.example", authSecret: "env:TOKEN" }, /local-only/, undefined],
    [
      "a `file:` CA certificate",
      { type: "ftp", host: "h", username: "u", passwordSecret: "ssm:/p", directory: "in", tlsCaSecret: "file:/ca.pem" },
      /local-only/,
      undefined,
    ],
    ["a KMS key alias", { type: "s3", bucket: "bkt", kmsKeyId: "alias/partner" }, /key's ARN/, undefined],
    ["a `worker` binding", { type: "worker", worker: "next" }, undefined, /"worker" is resolved to "s3" by the program/],
    ["plain http to loopback", { type: "rest", url: "http://127.0.0.1:8080/x" }, undefined, undefined],
    ["plain http elsewhere", { type: "rest", url: "http://api.example.com/x" }, /use https/, /use https/],
    [
      "a secret by value",
      { type: "rest", url: "https://x.example", authSecret: "hunter2" },
      /never the secret's value/,
      /never the secret's value/,
    ],
  ];
  for (const [what, binding, inStack, inContainer] of sites) {
    it(`reads ${what} as ${inStack ? "wrong" : "valid"} in a stack and ${inContainer ? "wrong" : "valid"} in a container`, () => {
      for (const [site, parsed, expected] of [
        ["stack", parseOutputBinding(binding), inStack],
        ["container", parseResolvedBinding(binding), inContainer],
      ] as const) {
        if (expected === undefined) assert.equal(parsed.problems, undefined, `${site}: ${JSON.stringify(parsed.problems)}`);
        else assert.match(parsed.problems?.[0]?.fix ?? "(valid)", expected, site);
      }
    });
  }

  it("names the unknown field and lists the binding's fields, for a binding and for its format", () => {
    const parsed = parseOutputBinding({
      type: "s3",
      bucket: "bkt",
      bukcet: "x",
      format: { type: "protobuf", schema: "a/b.proto", messageType: "a.B", delimted: true },
    });
    assert.deepEqual(
      parsed.problems?.map((p) => [p.field, p.value, p.fix]),
      [
        [
          "format.delimted",
          true,
          "not a field of a protobuf `format`; its fields: type, schema, messageType, delimited (docs/connectors.md)",
        ],
        [
          "bukcet",
          "x",
          "not a field of `s3` bindings; its fields: type, bucket, prefix, kmsKeyId, bucketOwnerFullControl, format, fileName, timeZone, compression, zipEntryName, pgpPublicKeySecret, pgpSigningKeySecret, pgpPassphraseSecret, pgpArmor, checksumFiles, triggerFile (docs/connectors.md)",
        ],
      ],
    );
  });

  it("types every binding type the stack may bind", () => {
    const types: OutputType[] = ["worker", "s3", "rest", "sftp", "ftp"];
    assert.deepEqual(bindingTypes("stack"), types);
    assert.deepEqual(
      bindingTypes("container"),
      types.filter((t) => t !== "worker"),
    );
  });
});
