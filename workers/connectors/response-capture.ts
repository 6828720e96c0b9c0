/**
 * The value a `rest` binding's `captureResponse` keeps from a successful response (a partner's receipt
 * id): by RFC 6901 JSON pointer, or a regular expression's first group. Pure; the caller bounds the
 * bytes read (`maxBytes`) and the value kept (`CAPTURED_CHARS`).
 */
import type { RestOutputBinding } from "../../catalog/contract";

/** Characters of a captured value kept (a receipt id, not a document). */
export const CAPTURED_CHARS = 200;
/** Response bytes read for a capture, by default. */
export const CAPTURE_MAX_BYTES = 65_536;

export type CaptureSettings = NonNullable<RestOutputBinding["captureResponse"]>;

/** Follows an RFC 6901 pointer; undefined when a step is missing. */
export function jsonPointer(doc: unknown, pointer: string): unknown {
  let at: unknown = doc;
  for (const raw of pointer.split("/").slice(1)) {
    const step = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(at) && /^(0|[1-9]\d*)$/.test(step)) at = at[Number(step)];
    else if (at !== null && typeof at === "object" && Object.hasOwn(at, step)) at = (at as Record<string, unknown>)[step];
    else return undefined;
  }
  return at;
}

/** The captured value, as text, cut to `CAPTURED_CHARS`; undefined when the response does not have it. */
export function captureFrom(body: string, settings: CaptureSettings): string | undefined {
  let value: unknown;
  if (settings.jsonPointer !== undefined) {
    try {
      value = jsonPointer(JSON.parse(body), settings.jsonPointer);
    } catch {
      return undefined; // not JSON (or cut at maxBytes): nothing to capture
    }
  } else if (settings.pattern !== undefined) {
    const match = new RegExp(settings.pattern).exec(body);
    value = match ? (match[1] ?? match[0]) : undefined;
  }
  if (value === undefined || value === null) return undefined;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.slice(0, CAPTURED_CHARS);
}
