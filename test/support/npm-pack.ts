/**
 * Packages as another program installs them: `npm pack -w <workspace>` into a temp folder, the tarball
 * unpacked where npm would put it, and its dependencies linked from the repository's node_modules
 * (one copy of each, the same @pulumi/pulumi the tests' mocks are installed in; no network).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { dirname, isAbsolute, join, normalize } from "node:path";
import { ROOT } from "./pulumi";

export interface PackResult {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

/** `npm pack -w <workspace>` into `dir` (runs the package's `prepack`), as npm's JSON report. */
export function pack(workspace: string, dir: string): PackResult {
  // npm from PATH: `npx mocha` and `npm run` put the pinned node first, so package scripts run on Node 24.
  const out = execFileSync("npm", ["pack", "-w", workspace, "--json", "--pack-destination", dir], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const [result] = JSON.parse(out.slice(out.indexOf("["))) as PackResult[];
  return result;
}

/** Unpacks an npm tarball (entries under `package/`) into `dir`. */
export function unpack(tarball: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", dir, "--strip-components=1"]);
}

/** Links each named dependency into `<dir>/node_modules` from the repository's node_modules. */
export function linkDependencies(dir: string, names: Iterable<string>): void {
  for (const name of names) {
    const link = join(dir, "node_modules", name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(ROOT, "node_modules", name), link, "dir");
  }
}

/** The `dependencies` (and optionally `devDependencies`) names of a package.json. */
export function dependencyNames(packageJson: string, options: { dev?: boolean } = {}): string[] {
  const pkg = JSON.parse(readFileSync(packageJson, "utf8")) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  return [...Object.keys(pkg.dependencies ?? {}), ...(options.dev ? Object.keys(pkg.devDependencies ?? {}) : [])];
}

/** Packed paths that escape the package, TypeScript sources (unless `sources`), or declarations without JavaScript. */
export function strayFiles(paths: readonly string[], options: { sources?: boolean } = {}): string[] {
  const stray: string[] = [];
  const set = new Set(paths);
  for (const path of paths) {
    if (isAbsolute(path) || normalize(path).startsWith("..")) stray.push(`${path}: outside the package`);
    else if (path.endsWith(".d.ts")) {
      if (!set.has(path.replace(/\.d\.ts$/, ".js"))) stray.push(`${path}: declarations without JavaScript`);
    } else if (path.endsWith(".ts") && !options.sources) stray.push(`${path}: TypeScript source`);
  }
  return stray;
}
