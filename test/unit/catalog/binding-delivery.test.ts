/**
 * Partner file-delivery fields of the one binding schema: templates parse or fail naming the
 * placeholder, and the rules across fields hold at both sites (a stack, a container).
 */
import assert from "node:assert/strict";
import { parseOutputBinding, parseResolvedBinding } from "../../../catalog/bindings";
import { parseFileNameTemplate } from "../../../catalog/file-name-template";

const sftp = {
  type: "sftp",
  host: "sftp.example.com",
  username: "u",
  hostKeySha256: `SHA256:${"A".repeat(43)}`,
  passwordSecret: "ssm:/sftp/password",
  directory: "inbox",
};
const ftp = { type: "ftp", host: "ftp.example.com", username: "u", passwordSecret: "ssm:/ftp/password", directory: "inbox" };
const s3 = { type: "s3", bucket: "partner-drop" };
const pgp = { pgpPublicKeySecret: "ssm:/partner/pgp-public" };

describe("catalog/binding-delivery: partner file fields of the binding schema", () => {
  it("parses a template into literals and placeholders, with lengths and escaped braces", () => {
    assert.deepEqual(parseFileNameTemplate("ACME_{date}_{sha256:8}{{x}}.csv"), {
      parts: [{ literal: "ACME_" }, { placeholder: "date" }, { literal: "_" }, { placeholder: "sha256", size: 8 }, { literal: "{x}.csv" }],
    });
  });

  const accepted: Array<[string, Record<string, unknown>]> = [
    [
      "every placeholder",
      { ...sftp, fileName: "{dir}/{name}-{stem}.{ext}-{yyyy}{MM}{dd}{HH}{mm}{ss}-{date}{time}-{sha256}-{id:32}-{records}-{slot}" },
    ],
    [
      "gzip, OpenPGP with signing and armour, sidecars and a trigger",
      {
        ...s3,
        compression: "gzip",
        ...pgp,
        pgpSigningKeySecret: "secretsmanager:our-pgp-key",
        pgpPassphraseSecret: "ssm:/our/pgp-passphrase",
        pgpArmor: true,
        checksumFiles: ["sha256", "md5"],
        triggerFile: { name: "{file}.ok", content: "size" },
      },
    ],
    ["zip with an entry name", { ...ftp, compression: "zip", zipEntryName: "{stem}_{date}.csv" }],
    ["every arrival mode", { ...ftp, arrival: "temp-suffix", tempAffix: ".uploading" }],
    ["an empty trigger over plain FTP", { ...ftp, secure: false, triggerFile: {} }],
    ["a time zone", { ...sftp, fileName: "{date}", timeZone: "America/New_York" }],
  ];
  for (const [what, binding] of accepted) {
    it(`accepts ${what} at both sites`, () => {
      assert.equal(parseOutputBinding(binding).problems, undefined, JSON.stringify(parseOutputBinding(binding).problems));
      assert.equal(parseResolvedBinding(binding).problems, undefined);
    });
  }

  const refused: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["an unknown placeholder", { ...sftp, fileName: "{stem}_{when}" }, "fileName", /unknown placeholder `\{when\}`; use \{dir\}/],
    ["an unclosed brace", { ...sftp, fileName: "{stem" }, "fileName", /`\{` at 0 is not closed/],
    [
      "a length on a placeholder that takes none",
      { ...sftp, fileName: "{stem:4}" },
      "fileName",
      /only \{sha256:N\} and \{id:N\} take a length/,
    ],
    ["a hash length over 64", { ...sftp, fileName: "{sha256:65}" }, "fileName", /N from 4 to 64/],
    [
      "{sha256} in a zip entry name",
      { ...sftp, compression: "zip", zipEntryName: "{sha256}" },
      "zipEntryName",
      /unknown placeholder `\{sha256\}`/,
    ],
    ["{file} in a payload name", { ...sftp, fileName: "{file}.x" }, "fileName", /unknown placeholder `\{file\}`/],
    ["an unknown time zone", { ...sftp, timeZone: "Mars/Olympus" }, "timeZone", /IANA time zone/],
    [
      "{sha256} in an encrypted payload's name",
      { ...s3, ...pgp, fileName: "{stem}_{sha256}.pgp" },
      "fileName",
      /differ on each delivery.*use \{id\}/,
    ],
    ["a signing key without a public key", { ...s3, pgpSigningKeySecret: "ssm:/k" }, "pgpSigningKeySecret", /set `pgpPublicKeySecret`/],
    [
      "a passphrase without a signing key",
      { ...s3, ...pgp, pgpPassphraseSecret: "ssm:/p" },
      "pgpPassphraseSecret",
      /set `pgpSigningKeySecret`/,
    ],
    ["a zip entry name without zip", { ...s3, zipEntryName: "x" }, "zipEntryName", /compression: "zip"/],
    ["a temporary affix without a temp mode", { ...sftp, tempAffix: "tmp_" }, "tempAffix", /temp-prefix/],
    ["an affix with a slash", { ...sftp, arrival: "temp-prefix", tempAffix: "../" }, "tempAffix", /without `\/`/],
    ["an unknown arrival mode", { ...sftp, arrival: "atomic" }, "arrival", /use one of "rename", "temp-prefix"/],
    ["an empty trigger file over FTPS", { ...ftp, triggerFile: { name: "{file}.done" } }, "triggerFile.content", /"size" or "sha256"/],
    ["a checksum listed twice", { ...s3, checksumFiles: ["md5", "md5"] }, "checksumFiles", /once/],
    ["arrival on S3 (atomic already)", { ...s3, arrival: "rename" }, "arrival", /not a field of `s3` bindings/],
    [
      "a PGP key by value",
      { ...s3, pgpPublicKeySecret: "-----BEGIN PGP PUBLIC KEY BLOCK-----" },
      "pgpPublicKeySecret",
      /never the secret's value/,
    ],
  ];
  for (const [what, binding, field, fix] of refused) {
    it(`refuses ${what}, naming \`${field}\``, () => {
      for (const parse of [parseOutputBinding, parseResolvedBinding]) {
        const problems = parse(binding).problems ?? [];
        const problem = problems.find((p) => p.field === field);
        assert.ok(problem, `no problem at ${field}: ${JSON.stringify(problems)}`);
        assert.match(problem.fix, fix);
      }
    });
  }

  it("refuses local-only secret references for PGP keys in a stack, and accepts them in a container", () => {
    const local = { ...s3, pgpPublicKeySecret: "file:/keys/partner.asc" };
    assert.match(parseOutputBinding(local).problems?.[0]?.fix ?? "", /local-only/);
    assert.equal(parseResolvedBinding(local).problems, undefined);
  });
});
