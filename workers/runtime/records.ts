/**
 * Line-oriented record streams shared by the runtime and the worker kinds: NDJSON in (one JSON object
 * per line, parsed as it streams) and out (backpressure-aware writes). Nothing is buffered whole.
 */
import { once } from "node:events";
import type { Readable, Writable } from "node:stream";
import { createInterface } from "node:readline";
import { PermanentError } from "../errors";

/** Yields each non-blank line of a UTF-8 stream with its 1-based line number. */
export async function* readLines(input: Readable): AsyncGenerator<{ line: string; lineNumber: number }> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() !== "") yield { line, lineNumber };
  }
}

/** Yields each record of an NDJSON stream; a line that is not a JSON object is a `PermanentError` naming the line. */
export async function* readNdjson(
  input: Readable,
  source = "input",
): AsyncGenerator<{ record: Record<string, unknown>; lineNumber: number }> {
  for await (const { line, lineNumber } of readLines(input)) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      throw new PermanentError(`${source} line ${lineNumber} is not JSON: ${(err as Error).message}`, { context: { line: lineNumber } });
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new PermanentError(`${source} line ${lineNumber} is not a JSON object`, { context: { line: lineNumber } });
    }
    yield { record: value as Record<string, unknown>, lineNumber };
  }
}

/** Writes a chunk, waiting for `drain` when the stream's buffer is full (backpressure). */
export async function writeChunk(output: Writable, chunk: string | Buffer): Promise<void> {
  if (!output.write(chunk)) await once(output, "drain");
}

/** Ends a writable and waits until everything is flushed. */
export async function endStream(output: Writable): Promise<void> {
  output.end();
  if (!output.writableFinished) await once(output, "finish");
}
