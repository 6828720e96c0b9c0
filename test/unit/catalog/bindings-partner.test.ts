/** The binding fields partners demand (issue 18): each rule, from a valid binding with one field changed. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { SSH_ALGORITHMS } from "../../../catalog/ssh-algorithms";
import { parseOutputBinding } from "../../../catalog/bindings";
import { ROOT } from "../../support/pulumi";

// ssh2 has no types for its protocol constants; the lists it supports at run time.
const ssh2Constants = require("ssh2/lib/protocol/constants") as Record<string, string[]>;

const HOST_KEY = `SHA256:${"A".repeat(43)}`;
const REST = { type: "rest", url: "https://api.partner.example/v1/files" };
const SFTP = {
  type: "sftp",
  host: "sftp.partner.example",
  username: "u",
  hostKeySha256: HOST_KEY,
  passwordSecret: "ssm:/p",
  directory: "/in",
};
const FTP = { type: "ftp", host: "ftp.partner.example", username: "u", passwordSecret: "ssm:/p", directory: "in" };
const OAUTH = {
  oauth2: { tokenUrl: "https://auth.partner.example/token" },
  oauth2ClientIdSecret: "ssm:/id",
  oauth2ClientSecret: "ssm:/secret",
};

describe("catalog/bindings: partner transport and auth fields", () => {
  it("lists exactly the SSH algorithms ssh2 supports", () => {
    assert.deepEqual(SSH_ALGORITHMS.kex, ssh2Constants.SUPPORTED_KEX);
    assert.deepEqual(SSH_ALGORITHMS.cipher, ssh2Constants.SUPPORTED_CIPHER);
    assert.deepEqual(SSH_ALGORITHMS.serverHostKey, ssh2Constants.SUPPORTED_SERVER_HOST_KEY);
    assert.deepEqual(SSH_ALGORITHMS.hmac, ssh2Constants.SUPPORTED_MAC);
  });

  const valid: Array<[string, Record<string, unknown>]> = [
    ["REST static headers", { ...REST, headers: { "X-Partner-Id": "42", Accept: "application/json" } }],
    ["REST mutual TLS", { ...REST, clientCertSecret: "ssm:/c", clientKeySecret: "ssm:/k", tlsCaSecret: "ssm:/ca" }],
    ["REST OAuth2 with scope and audience", { ...REST, ...OAUTH, oauth2: { ...OAUTH.oauth2, scope: "a b", audience: "x" } }],
    ["REST OAuth2 with an API key in another header", { ...REST, ...OAUTH, authHeader: "X-Api-Key", authSecret: "ssm:/key" }],
    ["REST multipart", { ...REST, multipart: { field: "document", fields: { kind: "orders" } } }],
    ["REST capture by pointer", { ...REST, captureResponse: { jsonPointer: "/receipt/id", maxBytes: 4096 } }],
    ["SFTP host key list", { ...SFTP, hostKeySha256: [HOST_KEY, `SHA256:${"B".repeat(43)}`] }],
    ["SFTP key passphrase", { ...SFTP, privateKeySecret: "ssm:/k", privateKeyPassphraseSecret: "ssm:/pp" }],
    [
      "SFTP legacy algorithms",
      { ...SFTP, algorithms: { kex: ["diffie-hellman-group14-sha1"], cipher: ["aes128-cbc"], hmac: ["hmac-sha1"] } },
    ],
    [
      "SFTP proxy with login",
      { ...SFTP, proxy: { type: "socks5", host: "10.0.0.5", port: 1080, username: "u" }, proxyPasswordSecret: "ssm:/pp" },
    ],
    ["SFTP createDirectory", { ...SFTP, createDirectory: true }],
    ["FTP through an HTTP CONNECT proxy", { ...FTP, proxy: { type: "http", host: "proxy.internal", port: 3128 } }],
    ["FTP active mode", { ...FTP, dataConnection: "active" }],
    ["FTP passive mode through a proxy", { ...FTP, dataConnection: "passive", proxy: { type: "socks5", host: "p", port: 1080 } }],
    ["FTP implicit TLS with a client certificate", { ...FTP, secure: "implicit", clientCertSecret: "ssm:/c", clientKeySecret: "ssm:/k" }],
  ];
  for (const [what, binding] of valid) {
    it(`accepts ${what}`, () =>
      assert.equal(parseOutputBinding(binding).problems, undefined, JSON.stringify(parseOutputBinding(binding).problems)));
  }

  const invalid: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["a header the connector sets", { ...REST, headers: { "Content-Length": "1" } }, "headers.Content-Length", /sets this header itself/],
    [
      "a static header the auth secret sets",
      { ...REST, authSecret: "ssm:/t", headers: { authorization: "Basic x" } },
      "headers.authorization",
      /`authSecret`\/`oauth2` set this header/,
    ],
    ["a header value with a line break", { ...REST, headers: { "X-A": "a\r\nX-B: b" } }, "headers.X-A", /line breaks/],
    ["a client certificate without its key", { ...REST, clientCertSecret: "ssm:/c" }, "clientKeySecret", /with `clientCertSecret`/],
    ["OAuth2 without the client secret", { ...REST, ...OAUTH, oauth2ClientSecret: undefined }, "oauth2ClientSecret", /OAuth2 needs/],
    [
      "OAuth2 and authSecret in one header",
      { ...REST, ...OAUTH, authSecret: "ssm:/t" },
      "authHeader",
      /with `oauth2` the token takes `Authorization`/,
    ],
    ["a token URL over plain http", { ...REST, ...OAUTH, oauth2: { tokenUrl: "http://auth.example/t" } }, "oauth2.tokenUrl", /use https/],
    ["multipart in records mode", { ...REST, mode: "records", multipart: {} }, "multipart", /mode: "payload"/],
    [
      "a capture with both pointer and pattern",
      { ...REST, captureResponse: { jsonPointer: "/a", pattern: "x" } },
      "captureResponse",
      /exactly one/,
    ],
    [
      "a capture pattern that does not compile",
      { ...REST, captureResponse: { pattern: "(" } },
      "captureResponse.pattern",
      /valid JavaScript regular expression/,
    ],
    ["an empty host key list", { ...SFTP, hostKeySha256: [] }, "hostKeySha256", /at least one/],
    ["a malformed key in the list", { ...SFTP, hostKeySha256: [HOST_KEY, "MD5:aa"] }, "hostKeySha256.1", /SHA256:<base64>/],
    ["an algorithm ssh2 does not know", { ...SFTP, algorithms: { cipher: ["rot13"] } }, "algorithms.cipher", /aes256-ctr/],
    [
      "a passphrase without a key",
      { ...SFTP, privateKeyPassphraseSecret: "ssm:/pp" },
      "privateKeyPassphraseSecret",
      /set `privateKeySecret`/,
    ],
    [
      "a proxy password without a login",
      { ...SFTP, proxy: { type: "http", host: "p", port: 3128 }, proxyPasswordSecret: "ssm:/pp" },
      "proxy.username",
      /proxy login/,
    ],
    ["a proxy type no one speaks", { ...SFTP, proxy: { type: "socks4", host: "p", port: 1080 } }, "proxy.type", /"socks5" or "http"/],
    [
      "a client certificate over plain FTP",
      { ...FTP, secure: false, clientCertSecret: "ssm:/c", clientKeySecret: "ssm:/k" },
      "clientCertSecret",
      /`secure: true`/,
    ],
    ["an unknown TLS mode", { ...FTP, secure: "explicit" }, "secure", /"implicit"/],
    ["an unknown FTP data connection mode", { ...FTP, dataConnection: "extended" }, "dataConnection", /"passive" or "active"/],
    [
      "FTP active mode through a proxy",
      { ...FTP, dataConnection: "active", proxy: { type: "http", host: "p", port: 3128 } },
      "dataConnection",
      /remove `proxy`, or set `dataConnection: "passive"`/,
    ],
  ];
  for (const [what, binding, field, fix] of invalid) {
    it(`refuses ${what}, naming \`${field}\``, () => {
      const problems = parseOutputBinding(binding).problems ?? [];
      const problem = problems.find((p) => p.field === field);
      assert.ok(problem, `no problem at ${field}: ${JSON.stringify(problems)}`);
      assert.match(problem.fix, fix);
    });
  }

  it("accepts every binding of docs/connectors.md's stack-config example", () => {
    const page = readFileSync(join(ROOT, "docs", "connectors.md"), "utf8");
    const block = /## Example: a partner's stack config\n\n```yaml\n([\s\S]*?)```/.exec(page);
    assert.ok(block, "the example's yaml block");
    const workers = parseYaml(block[1]!)["jobworker:workers"] as Record<string, { outputs: Record<string, unknown> }>;
    const outputs = Object.values(workers).flatMap((w) => Object.entries(w.outputs));
    assert.deepEqual(
      outputs.map(([slot]) => slot),
      ["receipts", "drop", "legacy"],
    );
    for (const [slot, binding] of outputs)
      assert.equal(parseOutputBinding(binding).problems, undefined, `${slot}: ${JSON.stringify(parseOutputBinding(binding).problems)}`);
  });
});
