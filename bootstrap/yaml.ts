/**
 * A small YAML emitter for cloud-config documents: mappings, lists, strings, numbers, booleans.
 * Multi-line strings become literal block scalars (`|`), so scripts in the document read as
 * scripts; other strings are double-quoted JSON strings, which YAML reads the same way. Kept here
 * (not a library) so the program needs no YAML dependency at deploy time; the tests round-trip
 * its output through a real YAML parser and `cloud-init schema`.
 */
export type YamlValue = string | number | boolean | null | readonly YamlValue[] | { readonly [key: string]: YamlValue | undefined };

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.\/-]*$/;

function scalar(value: string | number | boolean | null): string {
  if (value === null) return "null";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as YAML`);
    return String(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  return JSON.stringify(value);
}

function key(k: string): string {
  return PLAIN_KEY.test(k) && !["true", "false", "null", "yes", "no", "on", "off", "y", "n"].includes(k.toLowerCase()) ? k : JSON.stringify(k);
}

function block(text: string, indent: string): string {
  // `|` keeps one final newline, `|-` none; the content is indented two spaces past its key.
  const chomp = text.endsWith("\n") ? "" : "-";
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  return `|${chomp}\n${body.split("\n").map((l) => (l.length === 0 ? "" : `${indent}  ${l}`)).join("\n")}`;
}

/** Strings a literal block keeps byte for byte; others are written as quoted strings. */
function isMultiline(v: YamlValue): v is string {
  return typeof v === "string" && v.includes("\n") && !/^[ \t\n]/.test(v) && !v.endsWith("\n\n") && !v.includes("\r") && !/[ \t]\n/.test(v);
}

function emit(value: YamlValue, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return value
      .map((item: YamlValue) => {
        if (isMultiline(item)) return `${indent}- ${block(item, indent)}`;
        if (item !== null && typeof item === "object") {
          const inner = emit(item, `${indent}  `);
          if (Array.isArray(item)) return item.length === 0 ? `${indent}- []` : `${indent}-\n${inner}`;
          return Object.keys(item).length === 0 ? `${indent}- {}` : `${indent}- ${inner.slice(indent.length + 2)}`;
        }
        return `${indent}- ${scalar(item as string | number | boolean | null)}`;
      })
      .join("\n");
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined) as [string, YamlValue][];
    if (entries.length === 0) return "{}";
    return entries
      .map(([k, v]) => {
        if (isMultiline(v)) return `${indent}${key(k)}: ${block(v, indent)}`;
        if (v !== null && typeof v === "object") {
          const empty = Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;
          if (empty) return `${indent}${key(k)}: ${Array.isArray(v) ? "[]" : "{}"}`;
          return `${indent}${key(k)}:\n${emit(v, `${indent}  `)}`;
        }
        return `${indent}${key(k)}: ${scalar(v)}`;
      })
      .join("\n");
  }
  return `${indent}${scalar(value as string | number | boolean | null)}`;
}

/** The YAML text of a value (a mapping at the top), ending with a newline. */
export function toYaml(value: YamlValue): string {
  return `${emit(value, "")}\n`;
}
