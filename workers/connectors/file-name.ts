/**
 * Renders partner file-name templates (grammar: `catalog/file-name-template.ts`). Every value comes
 * from what a redelivery carries again: the input key, the event time (not the clock), the job's
 * idempotent id, and the delivered bytes' hash and record count, so the same input gets the same name.
 */
import {
  FILE_NAME_PLACEHOLDERS,
  parseFileNameTemplate,
  TRIGGER_NAME_PLACEHOLDERS,
  type TemplatePart,
} from "../../catalog/file-name-template";
import { ConfigError, PermanentError } from "../errors";

/** What a payload's name may be built from. */
export interface FileNameContext {
  /** The input's object key. */
  readonly key: string;
  /** ISO time of the S3 event. */
  readonly eventTime?: string;
  /** The job's idempotent id for the slot (hex). */
  readonly id: string;
  readonly slot: string;
  /** Record count of the payload. */
  readonly records?: number;
  /** Hex SHA-256 of the delivered bytes. */
  readonly sha256?: string;
  /** The delivered payload's name (trigger file names only). */
  readonly file?: string;
}

const DEFAULT_HEX = 16;

/** Parses a template that the binding schema has already accepted; `field` names it if it somehow has not. */
export function compileTemplate(template: string, field: string, trigger = false): readonly TemplatePart[] {
  const parsed = trigger
    ? parseFileNameTemplate(template, [...Object.keys(FILE_NAME_PLACEHOLDERS), ...Object.keys(TRIGGER_NAME_PLACEHOLDERS)])
    : parseFileNameTemplate(template);
  if (parsed.problem !== undefined) {
    throw new ConfigError(`\`${field}\` is ${JSON.stringify(template)}: ${parsed.problem}`, { context: { field } });
  }
  return parsed.parts;
}

/** Date parts of an instant in a time zone, by `Intl.DateTimeFormat` (no library: the zone data is ICU's). */
export function zonedParts(instant: Date, timeZone: string): Record<"yyyy" | "MM" | "dd" | "HH" | "mm" | "ss", string> {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  return { yyyy: parts.year!, MM: parts.month!, dd: parts.day!, HH: parts.hour!, mm: parts.minute!, ss: parts.second! };
}

/** Renders a compiled template; `field` names the template in errors (`JOBWORKER_OUTPUTS.<slot>.fileName`). */
export function renderFileName(parts: readonly TemplatePart[], context: FileNameContext, timeZone: string, field: string): string {
  const slash = context.key.lastIndexOf("/");
  const base = context.key.slice(slash + 1);
  const dot = base.lastIndexOf(".");
  let zoned: ReturnType<typeof zonedParts> | undefined;
  const time = () => {
    if (zoned) return zoned;
    const instant = context.eventTime === undefined ? new Date(NaN) : new Date(context.eventTime);
    if (Number.isNaN(instant.getTime())) {
      throw new PermanentError(`\`${field}\` uses the event time, but the event's time is ${JSON.stringify(context.eventTime)}`, {
        context: { field },
      });
    }
    return (zoned = zonedParts(instant, timeZone));
  };
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new PermanentError(`\`${field}\` uses {${what}}, which this delivery does not know`, { context: { field } });
    return value;
  };
  return parts
    .map((part) => {
      if ("literal" in part) return part.literal;
      switch (part.placeholder) {
        case "dir":
          return slash < 0 ? "" : context.key.slice(0, slash);
        case "name":
          return base;
        case "stem":
          return dot > 0 ? base.slice(0, dot) : base;
        case "ext":
          return dot > 0 ? base.slice(dot + 1) : "";
        case "yyyy":
        case "MM":
        case "dd":
        case "HH":
        case "mm":
        case "ss":
          return time()[part.placeholder];
        case "date": {
          const t = time();
          return `${t.yyyy}${t.MM}${t.dd}`;
        }
        case "time": {
          const t = time();
          return `${t.HH}${t.mm}${t.ss}`;
        }
        case "sha256":
          return need(context.sha256, "sha256").slice(0, part.size ?? DEFAULT_HEX);
        case "id":
          return context.id.slice(0, part.size ?? DEFAULT_HEX);
        case "records":
          return String(need(context.records, "records"));
        case "slot":
          return context.slot;
        case "file":
          return need(context.file, "file");
      }
    })
    .join("");
}
