/**
 * What docs/connectors.md documents about bindings, read from the page itself, so tests can hold the
 * page and the binding schema (`catalog/bindings.ts`) to each other.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./pulumi";

export interface DocumentedBindings {
  /** Fields per binding type: the first column of the first table under "### `<type>`". */
  readonly fields: Readonly<Record<string, readonly string[]>>;
  /** Fields of the protobuf `format`: the first table under "## Protocol Buffers". */
  readonly formatFields: readonly string[];
  /** Secret fields per binding type, as the "Secret references" section lists them. */
  readonly secretFields: Readonly<Record<string, readonly string[]>>;
}

const names = (text: string) => [...text.matchAll(/`([A-Za-z0-9]+)`/g)].map((m) => m[1]!);

export function documentedBindings(path = join(ROOT, "docs", "connectors.md")): DocumentedBindings {
  const markdown = readFileSync(path, "utf8");
  const tables: Record<string, string[]> = {};
  let section: string | undefined;
  let state: "before" | "in" | "after" = "after";
  for (const line of markdown.split("\n")) {
    const heading = /^#{2,3} (.+)$/.exec(line);
    if (heading) {
      const title = heading[1]!;
      section = /^`(\w+)`$/.test(title) ? title.slice(1, -1) : title === "Protocol Buffers" ? "format" : undefined;
      state = "before";
      continue;
    }
    if (section === undefined || state === "after") continue;
    if (line.startsWith("|")) {
      state = "in";
      const first = line.split("|")[1]!.trim();
      if (first.startsWith("`")) (tables[section] ??= []).push(...names(first));
    } else if (state === "in") {
      state = "after";
    }
  }
  const { format = [], ...fields } = tables;
  const listed = /marks as secrets \(([^)]*)\)/.exec(markdown.replace(/\n/g, " "));
  if (!listed) throw new Error(`${path}: no "marks as secrets (…)" list of secret fields`);
  const secretFields = Object.fromEntries(
    listed[1]!.split(";").map((part) => {
      const [type, ...secretNames] = names(part);
      return [type!, secretNames];
    }),
  );
  return { fields, formatFields: format, secretFields };
}
