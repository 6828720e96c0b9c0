/**
 * What one worker kind's image is built from, and the content tag that names it.
 *
 * A kind's image is built from two local contexts: the main context (the repository root, filtered
 * by the Dockerfile's ignore file, which leaves every kind's folder out: the runtime) and the kind's
 * own folder, passed as a named context. BuildKit filters each local context by its own ignore rules:
 * the main one by `<Dockerfile>.dockerignore` (else `<context>/.dockerignore`), a named one by the
 * `.dockerignore` at its root (https://docs.docker.com/build/concepts/context/). The files listed
 * here are exactly those, so the tag changes exactly when what the build reads changes.
 *
 * Why the tag must cover at least what docker-build's own `contextHash` covers: `Image` rebuilds when
 * that hash (the Dockerfile, the filtered main context, every local named context) or any input
 * changes, and a rebuild pushes its tag again; ECR tags are immutable here, so a rebuild under an
 * unchanged tag fails. docker-build 0.0.x hashes named contexts with the main context's ignore rules
 * (pulumi/pulumi-docker-build#980), which here leave none of the kind's files in its hash; the tag
 * covers the kind's folder as BuildKit sends it either way.
 */
import ignore, { type Ignore } from "@balena/dockerignore";
import { createHash, type Hash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";

export interface ImageSources {
  /** The main build context directory (the repository root). */
  readonly context: string;
  /** The Dockerfile (its ignore file sits next to it). */
  readonly dockerfile: string;
  /** The kind's own folder: the named context the Dockerfile copies the kind from. */
  readonly kindContext: string;
}

/** The files a build reads, relative to their context, `/`-separated, in a stable order. */
export interface ImageSourceFiles {
  /** Files of the main context: the runtime every kind's image shares. */
  readonly runtime: readonly string[];
  /** Files of the kind's folder. */
  readonly kind: readonly string[];
}

/** One context's ignore rules, as Docker applies them. */
interface IgnoreRules {
  ignores(path: string): boolean;
  /** Whether an exception (`!pattern`) may re-include something under the ignored directory `dir`. */
  mayReinclude(dir: string): boolean;
}

/** The ignore file BuildKit applies to the main context: `<Dockerfile>.dockerignore`, else `<context>/.dockerignore`. */
export function ignoreFileOf(context: string, dockerfile: string): string | undefined {
  return existingFile(`${dockerfile}.dockerignore`) ?? existingFile(join(context, ".dockerignore"));
}

function existingFile(path: string): string | undefined {
  return existsSync(path) ? path : undefined;
}

/** A pattern matcher with Docker's semantics (case-sensitive, as on Linux; the library's default is not). */
function matcher(patterns: readonly string[]): Ignore {
  return ignore({ ignorecase: false }).add([...patterns]);
}

/** The rules of an ignore file (none when there is no file). */
function readIgnoreRules(file: string | undefined): IgnoreRules {
  const patterns =
    file === undefined
      ? []
      : readFileSync(file, "utf8")
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter((l) => l !== "" && !l.startsWith("#"));
  const rules = matcher(patterns);
  const exceptions = patterns.filter((p) => p.startsWith("!")).map((p) => p.slice(1).trim().replace(/^\/+/, "").split("/"));
  return {
    ignores: (path) => rules.ignores(path),
    // Conservative (walking too much only costs time): an exception with `**` may reach anywhere;
    // any other must be deeper than `dir`, with leading segments that match `dir`.
    mayReinclude(dir) {
      const depth = dir.split("/").length;
      return exceptions.some(
        (parts) => parts.includes("**") || (parts.length > depth && matcher([parts.slice(0, depth).join("/")]).ignores(dir)),
      );
    },
  };
}

/** Files of a local context that BuildKit sends under `rules` (files and symlinks; directories only by their content). */
function contextFiles(root: string, rules: IgnoreRules): string[] {
  const files: string[] = [];
  const visit = (dir: string, prefix: string) => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        // An ignored directory is still walked when an exception may re-include something under it.
        if (!rules.ignores(path) || rules.mayReinclude(path)) visit(join(dir, entry.name), path);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && !rules.ignores(path)) {
        files.push(path);
      }
    }
  };
  visit(root, "");
  return files;
}

/** Which files a kind's image is built from: the runtime (main context) and the kind's folder. */
export function imageSourceFiles(sources: ImageSources): ImageSourceFiles {
  return {
    runtime: contextFiles(sources.context, readIgnoreRules(ignoreFileOf(sources.context, sources.dockerfile))),
    kind: contextFiles(sources.kindContext, readIgnoreRules(existingFile(join(sources.kindContext, ".dockerignore")))),
  };
}

/** Adds each file's path, type, permission bits and content (a symlink's target) to `hash`. */
function hashFiles(hash: Hash, label: string, root: string, files: readonly string[]): void {
  for (const file of files) {
    const path = join(root, file);
    const stat = lstatSync(path);
    const body = stat.isSymbolicLink() ? Buffer.from(`symlink:${readlinkSync(path)}`) : readFileSync(path);
    hash
      .update(`${label}:${file}\u0000${(stat.mode & 0o777).toString(8)}\u0000`)
      .update(body)
      .update("\u0000");
  }
}

/** JSON with sorted keys, so equal inputs hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The image's content tag (16 hex characters): a hash of the build's other inputs (`buildInputs`:
 * build arguments, platform, context locations; docker-build rebuilds when any of them changes), the
 * Dockerfile, the runtime files and the kind's folder. Files count by path, content and permission
 * bits, as in docker-build's own hash; equal files give equal tags on any machine.
 */
export function imageTag(sources: ImageSources, buildInputs: Readonly<Record<string, unknown>>): string {
  const files = imageSourceFiles(sources);
  const hash = createHash("sha256")
    .update(canonicalJson(buildInputs))
    .update("\u0000")
    .update(readFileSync(sources.dockerfile))
    .update("\u0000");
  hashFiles(hash, "context", sources.context, files.runtime);
  hashFiles(hash, "kind", sources.kindContext, files.kind);
  return hash.digest("hex").slice(0, 16);
}
