/**
 * A streaming CSV reader (RFC 4180): quoted fields, `""` escapes, commas and line breaks inside
 * quotes, CRLF or LF line ends, a UTF-8 byte-order mark. Rows are yielded as they complete, so a
 * multi-GB file is read in constant memory.
 */
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { PermanentError } from "../errors";

export interface CsvRow {
  readonly fields: readonly string[];
  /** 1-based line number where the row starts. */
  readonly line: number;
}

/** Longest field accepted, characters: a missing closing quote must not swallow the whole file. */
export const MAX_FIELD_CHARS = 1_000_000;

export async function* readCsv(input: Readable, source = "input"): AsyncGenerator<CsvRow> {
  const decoder = new StringDecoder("utf8");
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let afterQuote = false; // just saw a quote inside a quoted field: `""` escape or the closing quote
  let line = 1;
  let rowLine = 1;
  let first = true;
  let pendingCr = false;

  const endField = () => {
    fields.push(field);
    field = "";
  };
  const endRow = (): CsvRow | undefined => {
    endField();
    const row = fields;
    fields = [];
    const start = rowLine;
    rowLine = line;
    // A blank line is not a row.
    return row.length === 1 && row[0] === "" ? undefined : { fields: row, line: start };
  };

  for await (const chunk of input) {
    let text = typeof chunk === "string" ? chunk : decoder.write(chunk as Buffer);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    const rows: CsvRow[] = [];
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (pendingCr) {
        pendingCr = false;
        if (c === "\n") continue;
      }
      if (quoted) {
        if (afterQuote) {
          afterQuote = false;
          if (c === '"') {
            field += '"';
            continue;
          }
          quoted = false; // the quote closed the field; fall through to the unquoted handling of c
        } else if (c === '"') {
          afterQuote = true;
          continue;
        } else {
          if (c === "\n") line++;
          field += c;
          if (field.length > MAX_FIELD_CHARS)
            throw new PermanentError(
              `${source}: field starting on line ${rowLine} is longer than ${MAX_FIELD_CHARS} characters (unclosed quote?)`,
              { context: { line: rowLine } },
            );
          continue;
        }
      }
      if (c === '"' && field === "") {
        quoted = true;
      } else if (c === ",") {
        endField();
      } else if (c === "\n" || c === "\r") {
        line++;
        if (c === "\r") pendingCr = true;
        const row = endRow();
        if (row) rows.push(row);
      } else {
        field += c;
        if (field.length > MAX_FIELD_CHARS)
          throw new PermanentError(`${source}: field on line ${rowLine} is longer than ${MAX_FIELD_CHARS} characters`, {
            context: { line: rowLine },
          });
      }
    }
    yield* rows;
  }
  const rest = decoder.end();
  if (rest) field += rest;
  if (quoted && !afterQuote)
    throw new PermanentError(`${source}: unclosed quote in the row starting on line ${rowLine}`, { context: { line: rowLine } });
  if (field !== "" || fields.length > 0) {
    const row = endRow();
    if (row) yield row;
  }
}

/** Maps header names (trimmed, lower-case) to column indexes; a missing required column is a `PermanentError`. */
export function headerIndex(header: readonly string[], required: readonly string[], source = "input"): Map<string, number> {
  const index = new Map(header.map((h, i) => [h.trim().toLowerCase(), i] as const));
  const missing = required.filter((r) => !index.has(r));
  if (missing.length > 0) {
    throw new PermanentError(
      `${source}: header lacks column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (has ${header.join(", ")})`,
      {
        context: { missing: missing.join(",") },
      },
    );
  }
  return index;
}
