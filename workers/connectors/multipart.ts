/**
 * A streamed `multipart/form-data` body (RFC 7578): text fields, then the payload as one file part,
 * piped from the payload's stream, never buffered. Its length is known when the payload's is, so the
 * request can go with `Content-Length` (some partner APIs refuse chunked uploads).
 */
import { randomBytes } from "node:crypto";
import { PassThrough, type Readable } from "node:stream";

export interface MultipartBody {
  readonly contentType: string;
  readonly stream: Readable;
  /** Bytes, when the file's size is known. */
  readonly size?: number;
}

export interface MultipartParts {
  readonly fields: Readonly<Record<string, string>>;
  /** The file part's field name. */
  readonly field: string;
  readonly fileName: string;
  readonly fileType: string;
  readonly file: Readable;
  readonly fileSize?: number;
}

/** A quoted-string parameter value: quotes, backslashes and line breaks escaped as browsers do (WHATWG HTML multipart encoding). */
const quoted = (s: string) => `"${s.replace(/\r/g, "%0D").replace(/\n/g, "%0A").replace(/"/g, "%22")}"`;

export function multipartBody(parts: MultipartParts, boundary = `jobworker-${randomBytes(12).toString("hex")}`): MultipartBody {
  const head =
    Object.entries(parts.fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${value}\r\n`)
      .join("") +
    `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(parts.field)}; filename=${quoted(parts.fileName)}\r\n` +
    `Content-Type: ${parts.fileType}\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const out = new PassThrough();
  out.write(head);
  parts.file.once("error", (err) => out.destroy(err));
  out.once("close", () => parts.file.destroy());
  parts.file.pipe(out, { end: false });
  parts.file.once("end", () => out.end(tail));
  const size = parts.fileSize === undefined ? undefined : Buffer.byteLength(head) + parts.fileSize + Buffer.byteLength(tail);
  return { contentType: `multipart/form-data; boundary=${boundary}`, stream: out, size };
}
