/**
 * Structured JSON logs (pino) to stdout: the container's fluentd log driver ships them. One summary
 * line per job; no per-chunk noise.
 */
import pino, { type DestinationStream, type Logger } from "pino";
import type { SecretRedactor } from "../secrets/redactor";

export interface LoggerOptions {
  /** pino level. @default "info" */
  readonly level?: string;
  /** Worker kind, on every line. */
  readonly worker?: string;
  /** Where lines go. @default stdout (synchronous, so nothing is lost on exit) */
  readonly destination?: DestinationStream;
  /**
   * Replaces every resolved secret value in every line, whatever field or nested error carries it
   * (applied to the serialised line, so no field can slip past). @default no redaction
   */
  readonly redactor?: SecretRedactor;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level: options.level ?? "info",
      base: options.worker === undefined ? { pid: process.pid } : { pid: process.pid, worker: options.worker },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      ...(options.redactor === undefined ? {} : { hooks: { streamWrite: (line: string) => options.redactor!.redact(line) } }),
    },
    destination,
  );
}
