/**
 * Partner file-name templates: the grammar both sides read. The stack config and `JOBWORKER_OUTPUTS`
 * reject an unknown placeholder through the binding schema (`catalog/binding-delivery.ts`); the
 * runtime renders the parsed template (`workers/connectors/file-name.ts`). Pure: no I/O.
 *
 * `{placeholder}` or `{placeholder:N}` (N: how many leading hex characters of a hash or id);
 * `{{` and `}}` are literal braces.
 */

/** Every placeholder a payload's name may use, and what it stands for (docs/connectors.md lists the same). */
export const FILE_NAME_PLACEHOLDERS = {
  dir: "the input key's folder (`in/2026/orders.csv` → `in/2026`), empty at the top",
  name: "the input key's base name (`orders.csv`)",
  stem: "the base name without its last extension (`orders`)",
  ext: "the base name's last extension without the dot (`csv`), empty when none",
  yyyy: "the event time's year, in `timeZone`",
  MM: "month, 01-12",
  dd: "day, 01-31",
  HH: "hour, 00-23",
  mm: "minute",
  ss: "second",
  date: "`yyyyMMdd`",
  time: "`HHmmss`",
  sha256: "SHA-256 of the delivered bytes, hex; 16 characters unless `{sha256:N}`",
  id: "the job's idempotent id (stable across redeliveries, distinct per slot), hex; 16 characters unless `{id:N}`",
  records: "the payload's record count (lines of NDJSON, messages of protobuf)",
  slot: "the output slot",
} as const;

export type FileNamePlaceholder = keyof typeof FILE_NAME_PLACEHOLDERS;

/** Placeholders only a trigger file's name may use: the payload's delivered name. */
export const TRIGGER_NAME_PLACEHOLDERS = { file: "the delivered payload's name" } as const;

/** Placeholders that take a length. */
const SIZED = new Set(["sha256", "id"]);

export type TemplatePart =
  | { readonly literal: string }
  | { readonly placeholder: FileNamePlaceholder | keyof typeof TRIGGER_NAME_PLACEHOLDERS; readonly size?: number };

export type TemplateParse = { readonly parts: readonly TemplatePart[]; readonly problem?: undefined } | { readonly problem: string };

/**
 * Splits a template into literals and placeholders, or says what is wrong (a phrase that reads after
 * "is <value>:"). `allowed` is the set of placeholder names the field accepts.
 */
export function parseFileNameTemplate(template: string, allowed: readonly string[] = Object.keys(FILE_NAME_PLACEHOLDERS)): TemplateParse {
  const parts: TemplatePart[] = [];
  let literal = "";
  let i = 0;
  const usable = `use ${allowed.map((p) => `{${p}}`).join(", ")} (docs/connectors.md), or {{ and }} for braces`;
  while (i < template.length) {
    const c = template[i]!;
    if ((c === "{" || c === "}") && template[i + 1] === c) {
      literal += c;
      i += 2;
      continue;
    }
    if (c === "}") return { problem: `a lone \`}\` at ${i}; ${usable}` };
    if (c !== "{") {
      literal += c;
      i += 1;
      continue;
    }
    const end = template.indexOf("}", i);
    if (end < 0) return { problem: `\`{\` at ${i} is not closed; ${usable}` };
    const [name = "", size, ...extra] = template.slice(i + 1, end).split(":");
    if (!allowed.includes(name)) return { problem: `unknown placeholder \`{${template.slice(i + 1, end)}}\`; ${usable}` };
    let length: number | undefined;
    if (size !== undefined || extra.length > 0) {
      length = Number(size);
      if (!SIZED.has(name) || extra.length > 0 || !/^\d+$/.test(size ?? "") || length < 4 || length > 64) {
        return { problem: `\`{${template.slice(i + 1, end)}}\`: only {sha256:N} and {id:N} take a length, N from 4 to 64; ${usable}` };
      }
    }
    if (literal !== "") parts.push({ literal });
    literal = "";
    parts.push(
      length === undefined ? { placeholder: name as FileNamePlaceholder } : { placeholder: name as FileNamePlaceholder, size: length },
    );
    i = end + 1;
  }
  if (literal !== "") parts.push({ literal });
  if (parts.length === 0) return { problem: "the template is empty; give a file name template" };
  return { parts };
}

/** The placeholders a template uses (the template must parse). */
export function placeholdersOf(parts: readonly TemplatePart[]): Set<string> {
  return new Set(parts.flatMap((p) => ("placeholder" in p ? [p.placeholder] : [])));
}
