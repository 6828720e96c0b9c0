/**
 * Lambda functions' code: the TypeScript sources of the backlog publisher (`workers/backlog-publisher/`)
 * and of the capacity controller (`workers/capacity-controller/`), with the import-free modules they
 * use, transpiled to CommonJS (TypeScript's `transpileModule`, no bundler).
 * The Node.js Lambda runtime provides the AWS SDK v3 clients it imports, so the package is four small
 * files and deterministic: the same sources give the same archive, so `pulumi up` does not redeploy
 * the function without a change.
 *
 * Where the sources come from: the built package (`npm run build -w components`) ships them already
 * transpiled, by the same function, in `function/` next to this module, so a program that installs
 * the package needs no `workers/` checkout. Run from the repository's sources (no `function/` here),
 * they are transpiled from `<repo>/workers` at deploy time. `BacklogPublisherArgs.workersDir` overrides
 * both; that path needs the `typescript` package.
 */
import * as pulumi from "@pulumi/pulumi";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Files of the `workers` package the publisher needs, relative to it. */
export const PUBLISHER_SOURCES = [
  "backlog-publisher/capacity-metrics.ts",
  "backlog-publisher/handler.ts",
  "backlog-publisher/publisher.ts",
  "backlog-publisher/tasks-needed.ts",
  "capacity/cluster-state.ts",
  "capacity/placement.ts",
  "errors.ts",
  "runtime/backoff.ts",
] as const;
/** The publisher's `handler` setting. */
export const PUBLISHER_HANDLER = "backlog-publisher/handler.handler";
/** Files of the `workers` package the capacity controller needs. */
export const CONTROLLER_SOURCES = [
  "capacity-controller/controller.ts",
  "capacity-controller/decide.ts",
  "capacity-controller/handler.ts",
  "capacity/cluster-state.ts",
  "capacity/placement.ts",
  "errors.ts",
] as const;
/** The controller's `handler` setting. */
export const CONTROLLER_HANDLER = "capacity-controller/handler.handler";
/** Every file the built package ships (both functions). */
export const FUNCTION_SOURCES: readonly string[] = [...new Set([...PUBLISHER_SOURCES, ...CONTROLLER_SOURCES])].sort();
/** Where the built package keeps the transpiled function, by archive path (written by `components/scripts/build.js`). */
export const BUNDLED_FUNCTION_DIR = join(__dirname, "function");
/** The `workers` package of a repository checkout, when running from its sources. */
const CHECKOUT_WORKERS_DIR = join(__dirname, "..", "..", "workers");

/** Archive path of a source file: `.ts` → `.js`. */
function archivePath(file: string): string {
  return file.replace(/\.ts$/, ".js");
}

/** Transpiled sources by archive path (`.ts` → `.js`): a pure function of the files' text. */
export function transpileSources(workersDir: string, files: readonly string[] = PUBLISHER_SOURCES): Record<string, string> {
  // Loaded lazily: only a program that transpiles the publisher itself needs the compiler (an optional peer).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts: typeof import("typescript") = require("typescript");
  const out: Record<string, string> = {};
  for (const file of files) {
    const source = readFileSync(join(workersDir, file), "utf8");
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
    });
    out[archivePath(file)] = outputText;
  }
  return out;
}

/** The transpiled files the built package ships, by archive path; undefined when running from sources. */
export function bundledSources(
  dir: string = BUNDLED_FUNCTION_DIR,
  files: readonly string[] = PUBLISHER_SOURCES,
): Record<string, string> | undefined {
  if (!existsSync(dir)) return undefined;
  return Object.fromEntries(files.map((file) => [archivePath(file), readFileSync(join(dir, archivePath(file)), "utf8")]));
}

/** A function's files: from `workersDir` when given, else the package's own, else the checkout's `workers/`. */
export function functionSources(files: readonly string[], workersDir?: string): Record<string, string> {
  if (workersDir !== undefined) return transpileSources(workersDir, files);
  return bundledSources(BUNDLED_FUNCTION_DIR, files) ?? transpileSources(CHECKOUT_WORKERS_DIR, files);
}

/** The publisher's files (see `functionSources`). */
export function publisherSources(workersDir?: string): Record<string, string> {
  return functionSources(PUBLISHER_SOURCES, workersDir);
}

export function functionArchive(files: readonly string[], workersDir?: string): pulumi.asset.AssetArchive {
  const assets: Record<string, pulumi.asset.Asset> = {};
  for (const [path, text] of Object.entries(functionSources(files, workersDir))) assets[path] = new pulumi.asset.StringAsset(text);
  return new pulumi.asset.AssetArchive(assets);
}

export function publisherArchive(workersDir?: string): pulumi.asset.AssetArchive {
  return functionArchive(PUBLISHER_SOURCES, workersDir);
}
