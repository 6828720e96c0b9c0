/**
 * Secrets sent as HTTP header values are checked when resolved, at worker start. A control character
 * (a line break in an `env:` or `file:` secret) makes the HTTP client throw `invalid header value` on
 * every request, with the value in its message, and that failure used to be retried as transient
 * (issue 13, item 5). Here it is one `ConfigError` naming the field and the reference, never the value.
 */
import { ConfigError } from "../errors";

/**
 * Whether a header value may hold this UTF-16 code unit (RFC 9110 §5.5): visible ASCII, space, tab
 * and obs-text (0x80–0xFF); fetch also refuses anything beyond Latin-1 (a header is a ByteString).
 */
function allowed(code: number): boolean {
  return code === 0x09 || (code >= 0x20 && code !== 0x7f && code <= 0xff);
}

/** The kind of the first forbidden character, for the message (the character itself is not shown). */
function describe(code: number): string {
  if (code === 0x0a || code === 0x0d) return "a line break";
  if (code < 0x20 || code === 0x7f) return `a control character (U+${code.toString(16).toUpperCase().padStart(4, "0")})`;
  return "a character outside Latin-1";
}

/**
 * Throws a `ConfigError` when `value` (resolved from `reference`, bound to `field`) cannot be an HTTP
 * header value. The message and context name the field and the reference, never the value.
 */
export function checkHeaderSecret(field: string, reference: string, value: string): void {
  let at = 0;
  while (at < value.length && allowed(value.charCodeAt(at))) at++;
  if (at === value.length) return;
  throw new ConfigError(
    `\`${field}\` (${reference}) holds ${describe(value.charCodeAt(at))} at character ${at + 1}, which an HTTP header cannot carry: store the value without it (a file secret may end in one newline, which is dropped)`,
    { context: { field, reference } },
  );
}
