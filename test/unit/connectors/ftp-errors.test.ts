import assert from "node:assert/strict";
import { classifyFtpError } from "../../../workers/connectors/ftp";
import { PermanentError, RetryableError } from "../../../workers/errors";

function tlsError(code: string): Error {
  return Object.assign(new Error(`tls failed (${code})`), { code });
}

describe("FTP error classification of TLS failures", () => {
  const cases: Array<[string, string, typeof PermanentError | typeof RetryableError, RegExp]> = [
    ["a certificate for another host name", "ERR_TLS_CERT_ALTNAME_INVALID", PermanentError, /does not name this host: set `host`/],
    ["an expired certificate", "CERT_HAS_EXPIRED", PermanentError, /outside its validity period/],
    ["a self-signed certificate", "DEPTH_ZERO_SELF_SIGNED_CERT", PermanentError, /not trusted: set `tlsCaSecret`/],
    ["an unknown issuer", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", PermanentError, /not trusted: set `tlsCaSecret`/],
    ["a reset connection", "ECONNRESET", RetryableError, /^connecting failed: tls failed \(ECONNRESET\)$/],
  ];
  for (const [what, code, type, message] of cases) {
    it(`reports ${what} (${code}) as ${type.name} with the matching advice`, () => {
      const err = classifyFtpError(tlsError(code), "connecting failed", "ftps://h:21");
      assert.ok(err instanceof type, String(err));
      assert.match(err.message, message);
      assert.equal(err.context.code, code);
    });
  }
});
