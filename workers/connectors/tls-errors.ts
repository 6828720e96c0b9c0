/**
 * TLS failures a retry cannot fix, by Node's error codes: the server's certificate is not trusted.
 * (A server that refuses our client certificate is not among them: under TLS 1.3 it closes the
 * connection after the handshake, which looks like any dropped connection, so it stays retryable.)
 */

/** Node/OpenSSL codes of a server certificate the client does not trust. */
const UNTRUSTED_SERVER =
  /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_\w+|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/** The fix for a permanent TLS failure found in `err` or its causes, or undefined when it is not one. */
export function permanentTlsFailure(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    const code = typeof e.code === "string" ? e.code : "";
    if (UNTRUSTED_SERVER.test(code)) return "the server's certificate is not trusted: set `tlsCaSecret` to the CA that signed it";
  }
  return undefined;
}

/**
 * OpenSSL alerts by which a server refuses the client's certificate (or its absence). Seen when the
 * client reads after the handshake (FTP reads the greeting); HTTP clients may see only a close.
 */
export const CLIENT_CERT_REFUSED = /ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN)/;
