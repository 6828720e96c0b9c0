/**
 * A temporary copy of the program whose catalog and `workers/kinds/` hold n synthetic kinds, one
 * small handler folder each, so the whole program, image builds included, runs under mocks with a
 * catalog of any size (`runProgram(config, { root })`). The copy holds what the program and the
 * image build read (the runtime files the image context lets in among them) and shares the
 * repository's node_modules through a symlink.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { readStackConfig, ROOT } from "./pulumi";
import { syntheticWorkers } from "./synthetic-workers";

/** What the program and the worker image build read, relative to the repository root. */
const COPIED = [
  "index.ts",
  "Pulumi.yaml",
  "package.json",
  "package-lock.json",
  "tsconfig.json",
  "config",
  "components",
  "bootstrap",
  "catalog",
  "workers",
  "policy/package.json",
  "console/package.json",
];

export interface SyntheticRepo {
  /** The copy's root: the program's directory and the image build context. */
  readonly root: string;
  /** The kinds' names, in catalog order. */
  readonly kinds: readonly string[];
  /** The prod stack configuration with the synthetic workers. */
  readonly config: Record<string, unknown>;
  /** Writes `text` to `file` (relative to the root). */
  write(file: string, text: string): void;
  remove(): void;
}

/** The handler module of a synthetic kind: a real `defineWorker` that reads and drops its input. */
function handlerSource(kind: string): string {
  return [
    'import { workerKinds } from "../../../catalog/kinds";',
    'import { defineWorker } from "../../runtime/types";',
    "",
    `export const worker = defineWorker(workerKinds[${JSON.stringify(kind)}]!, async (input) => {`,
    "  for await (const _chunk of input);",
    "});",
    "",
  ].join("\n");
}

export function makeSyntheticRepo(n: number, prefix = "kind"): SyntheticRepo {
  const root = mkdtempSync(join(tmpdir(), "jw-repo-"));
  const kindsDir = join(ROOT, "workers", "kinds");
  for (const path of COPIED) {
    cpSync(join(ROOT, path), join(root, path), {
      recursive: true,
      // The shipped kinds' folders stay behind (the shared helpers next to them are runtime).
      filter: (src) => !["node_modules", "dist"].includes(basename(src)) && !(dirname(src) === kindsDir && !src.endsWith(".ts")),
    });
  }
  symlinkSync(join(ROOT, "node_modules"), join(root, "node_modules"), "dir");
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  const { kinds, workers } = syntheticWorkers(n, prefix);
  write(
    "catalog/kinds.ts",
    `import type { WorkerDefinition } from "./contract";\n\n/** Every kind, by name (synthetic: ${relative(ROOT, __filename)}). */\nexport const workerKinds: Readonly<Record<string, WorkerDefinition>> = ${JSON.stringify(kinds, null, 2)};\n`,
  );
  for (const kind of Object.keys(kinds)) write(`workers/kinds/${kind}/handler.ts`, handlerSource(kind));
  return {
    root,
    kinds: Object.keys(kinds),
    config: { ...readStackConfig("prod"), "jobworker:workers": workers },
    write,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
