/**
 * Keeps resolved secret values out of everything the runtime writes: the secret resolver registers each
 * value it resolves, and the logger (every line, `workers/runtime/logger.ts`) and the error paths that
 * leave the process (the CLI's message, the dead-letter reason) pass their text through `redact`. A
 * value can reach a line in ways no field-based redaction sees: a server that echoes the
 * `Authorization` header into its error body, an HTTP client that quotes a header it refused.
 *
 * Each value is matched as written, as it appears inside a JSON string (a log line escapes quotes,
 * backslashes and line breaks) and URL-encoded. A multi-line value (a private key) is matched line by
 * line too, so part of it quoted by a parser does not leak either.
 */

/** What a secret value is replaced with. */
export const REDACTED = "[redacted]";

/** Lines of a multi-line secret shorter than this are not matched on their own (PEM armour lines are public). */
const MIN_LINE_LENGTH = 16;

export class SecretRedactor {
  /** Every form to replace, longest first, so a value is never half-replaced by a shorter form. */
  private forms: string[] = [];

  /** Registers a resolved secret value (and its escaped forms). Empty values are ignored. */
  add(value: string): void {
    if (value === "") return;
    const forms = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]);
    for (const line of value.split(/\r?\n/)) {
      if (line.length >= MIN_LINE_LENGTH && !/^-----(BEGIN|END) /.test(line)) forms.add(line);
    }
    for (const form of forms) if (!this.forms.includes(form)) this.forms.push(form);
    this.forms.sort((a, b) => b.length - a.length);
  }

  /** How many forms are registered (0: `redact` returns its input unchanged). */
  get size(): number {
    return this.forms.length;
  }

  /** `text` with every registered value replaced by `[redacted]`. */
  redact(text: string): string {
    let out = text;
    for (const form of this.forms) if (out.includes(form)) out = out.split(form).join(REDACTED);
    return out;
  }

  /**
   * Redacts an error's message and stack, and its causes', in place (the error is about to be written
   * out whole, e.g. by the CLI); returns it.
   */
  redactError<E>(err: E): E {
    const seen = new Set<unknown>();
    for (let e: unknown = err; e instanceof Error && !seen.has(e); e = e.cause) {
      seen.add(e);
      e.message = this.redact(e.message);
      if (e.stack !== undefined) e.stack = this.redact(e.stack);
    }
    return err;
  }
}
