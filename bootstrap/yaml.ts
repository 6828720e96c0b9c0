/**
 * YAML text of cloud-config documents, written by the `yaml` package. cloud-init reads YAML 1.1
 * (PyYAML), where `yes`, `on`, `0644` and the like are booleans and octal numbers: writing as 1.1
 * quotes such strings. Multi-line strings become literal block scalars (`|`), so scripts in the
 * document read as scripts; lines are never folded.
 */
import { stringify } from "yaml";

export type YamlValue = string | number | boolean | null | readonly YamlValue[] | { readonly [key: string]: YamlValue | undefined };

/** The YAML text of a value (a mapping at the top), ending with a newline; undefined values are left out. */
export function toYaml(value: YamlValue): string {
  return stringify(value, { version: "1.1", lineWidth: 0, blockQuote: "literal", aliasDuplicateObjects: false });
}
