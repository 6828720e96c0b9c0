import assert from "node:assert/strict";
import type {
  FtpOutputBinding,
  ResolvedOutputBinding,
  RestOutputBinding,
  S3OutputBinding,
  SftpOutputBinding,
} from "../../../catalog/contract";
import { validateBinding } from "../../../workers/connectors/validation";
import { ConfigError } from "../../../workers/errors";

const KEY = "SHA256:" + "A".repeat(43);
const good: Record<ResolvedOutputBinding["type"], ResolvedOutputBinding> = {
  s3: { type: "s3", bucket: "next-stage", prefix: "in/", kmsKeyId: "alias/k", bucketOwnerFullControl: true } satisfies S3OutputBinding,
  rest: {
    type: "rest",
    url: "https://api.example.com/v1/orders",
    method: "PUT",
    mode: "records",
    authSecret: "ssm:/partner/token",
    timeoutSeconds: 10,
    batchSize: 100,
  } satisfies RestOutputBinding,
  sftp: {
    type: "sftp",
    host: "sftp.example.com",
    port: 2222,
    username: "u",
    hostKeySha256: KEY,
    privateKeySecret: "secretsmanager:partner/key",
    directory: "/upload",
  } satisfies SftpOutputBinding,
  ftp: {
    type: "ftp",
    host: "ftp.example.com",
    username: "u",
    passwordSecret: "env:FTP_PW",
    directory: "inbox",
    createDirectory: true,
  } satisfies FtpOutputBinding,
};

describe("connectors/validation", () => {
  for (const [type, binding] of Object.entries(good)) {
    it(`accepts a complete ${type} binding`, () => assert.doesNotThrow(() => validateBinding(binding, "outputs.x")));
  }

  // One field changed per case, from the good binding of that type; the error names the field.
  const bad: Array<[keyof typeof good, Record<string, unknown>, string, RegExp]> = [
    ["s3", { bucket: "Bad_Bucket" }, "bucket", /S3 bucket name/],
    ["s3", { prefix: "/abs" }, "prefix", /without a leading `\/`/],
    [
      "s3",
      { format: { type: "protobuf", schema: "/etc/x.proto", messageType: "a.B" } },
      "format.schema",
      /relative to `workers\/schemas\/`/,
    ],
    ["s3", { format: { type: "protobuf", schema: "p/x.proto", messageType: "not a type" } }, "format.messageType", /fully qualified/],
    ["rest", { url: "http://api.example.com/x" }, "url", /use https/],
    ["rest", { url: "https://user:pw@api.example.com/x" }, "url", /remove credentials/],
    ["rest", { url: "not a url" }, "url", /absolute https URL/],
    ["rest", { method: "DELETE" }, "method", /"POST" or "PUT"/],
    ["rest", { mode: "stream" }, "mode", /"payload" or "records"/],
    ["rest", { timeoutSeconds: 0 }, "timeoutSeconds", /above 0/],
    ["rest", { batchSize: 0 }, "batchSize", /1 to 10000/],
    ["rest", { authSecret: "plaintext-token" }, "authSecret", /a secret reference must be/],
    ["rest", { authHeader: "Bad Header" }, "authHeader", /HTTP header name/],
    ["sftp", { hostKeySha256: "ab:cd:ef" }, "hostKeySha256", /pin the server's host key/],
    ["sftp", { privateKeySecret: undefined }, "privateKeySecret", /set `passwordSecret` or `privateKeySecret`/],
    ["sftp", { port: 70000 }, "port", /1-65535/],
    ["sftp", { host: "sftp://host" }, "host", /host name or IP address only/],
    ["sftp", { directory: "/upload/../etc" }, "directory", /remove `..`/],
    ["ftp", { passwordSecret: "ssm:relative" }, "passwordSecret", /starts with `\/`/],
    ["ftp", { directory: "in\nbox" }, "directory", /control characters/],
    ["ftp", { secure: false, tlsCaSecret: "file:/ca.pem" }, "tlsCaSecret", /set `secure: true`/],
    ["ftp", { createDirectory: "yes" }, "createDirectory", /true or false/],
  ];
  for (const [type, change, field, message] of bad) {
    it(`rejects ${type} \`${field}\` = ${JSON.stringify(Object.values(change)[0])}`, () => {
      const binding = { ...good[type], ...change } as ResolvedOutputBinding;
      assert.throws(
        () => validateBinding(binding, "outputs.x"),
        (err: unknown) =>
          err instanceof ConfigError &&
          err.message.startsWith(`\`outputs.x.${field}\``) &&
          message.test(err.message) &&
          err.context.field === `outputs.x.${field}`,
      );
    });
  }

  it('rejects an unresolved "worker" binding, naming the type field', () => {
    assert.throws(() => validateBinding({ type: "worker", worker: "x" } as never), /`binding.type` is "worker"/);
  });
});
