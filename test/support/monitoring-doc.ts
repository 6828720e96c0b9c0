/** The `jobworker:daemons` YAML examples of docs/monitoring.md, by daemon name: the docs' examples are test fixtures. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { ROOT } from "./pulumi";

export function documentedDaemonExamples(): Map<string, Array<Record<string, unknown>>> {
  const doc = readFileSync(join(ROOT, "docs", "monitoring.md"), "utf8");
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => parseYaml(m[1]!) as Record<string, unknown>);
  const lists = blocks.filter((b) => "jobworker:daemons" in b).map((b) => b["jobworker:daemons"] as Array<Record<string, unknown>>);
  return new Map(lists.map((list) => [String(list[0]!.name), list]));
}
