/**
 * The function's code: the publisher's TypeScript sources transpiled to CommonJS at deploy time
 * (TypeScript's `transpileModule`, no bundler). The Node.js 20 Lambda runtime provides the AWS SDK
 * v3 clients it imports, so the package is three small files and deterministic: the same sources
 * give the same archive, so `pulumi up` does not redeploy the function without a change.
 */
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Files of the `workers` package the function needs, relative to it. */
export const PUBLISHER_SOURCES = ["backlog-publisher/handler.ts", "backlog-publisher/publisher.ts", "errors.ts", "runtime/backoff.ts"] as const;
/** The function's `handler` setting. */
export const PUBLISHER_HANDLER = "backlog-publisher/handler.handler";

/** Transpiled sources by archive path (`.ts` → `.js`): a pure function of the files' text. */
export function transpileSources(workersDir: string, files: readonly string[] = PUBLISHER_SOURCES): Record<string, string> {
  // Loaded lazily: only a program that deploys the publisher needs the compiler.
  const ts: typeof import("typescript") = require("typescript");
  const out: Record<string, string> = {};
  for (const file of files) {
    const source = readFileSync(join(workersDir, file), "utf8");
    const { outputText } = ts.transpileModule(source, {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
    });
    out[file.replace(/\.ts$/, ".js")] = outputText;
  }
  return out;
}

export function publisherArchive(workersDir: string): pulumi.asset.AssetArchive {
  const assets: Record<string, pulumi.asset.Asset> = {};
  for (const [path, text] of Object.entries(transpileSources(workersDir))) assets[path] = new pulumi.asset.StringAsset(text);
  return new pulumi.asset.AssetArchive(assets);
}
