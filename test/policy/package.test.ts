/**
 * The policy pack as a package of its own: it imports nothing from outside `policy/` and nothing it
 * does not declare, `npm pack -w policy` holds every file the pack needs, and an unpacked copy (its
 * declared dependencies linked, nothing else of the checkout) loads its policies and starts under
 * the CLI's policy-pack runner.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import * as ts from "typescript";
import { dependencyNames, linkDependencies, pack, type PackResult, strayFiles, unpack } from "../support/npm-pack";
import { ROOT } from "../support/pulumi";
import { startPolicyPackRunner } from "../support/policy-runner";

const PACK = join(ROOT, "policy");

/** Every `.ts` file of the pack, relative to it. */
function packSources(dir = PACK): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === "node_modules") return [];
    const path = join(dir, e.name);
    return e.isDirectory() ? packSources(path) : e.name.endsWith(".ts") ? [relative(PACK, path)] : [];
  });
}

/** Module specifiers a file imports (import, export … from, require, import()). */
function importsOf(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, "utf8"), true, true).importedFiles.map((f) => f.fileName);
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

describe("policy pack as a package", function () {
  this.timeout(150_000);
  let work: string;
  let copy: string;
  let packed: PackResult;

  before(() => {
    work = mkdtempSync(join(tmpdir(), "jobworker-policy-package-"));
    copy = join(work, "policy");
    packed = pack("policy", work);
    unpack(join(work, packed.filename), copy);
    linkDependencies(copy, dependencyNames(join(copy, "package.json")));
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("imports nothing from outside policy/ and only packages it declares", () => {
    const declared = new Set(dependencyNames(join(PACK, "package.json")));
    const builtins = new Set(builtinModules);
    const wrong: string[] = [];
    for (const file of packSources()) {
      for (const spec of importsOf(join(PACK, file))) {
        if (spec.startsWith(".")) {
          const target = relative(PACK, resolve(dirname(join(PACK, file)), spec));
          if (target.startsWith("..")) wrong.push(`${file} imports ${spec} (outside policy/)`);
        } else if (!spec.startsWith("node:") && !builtins.has(spec) && !declared.has(packageName(spec))) {
          wrong.push(`${file} imports ${spec}, not a dependency in policy/package.json`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });

  it("packs every source of the pack, its manifest, tsconfig and config, and nothing outside it", () => {
    const paths = packed.files.map((f) => f.path).sort();
    assert.deepEqual(strayFiles(paths, { sources: true }), []);
    assert.deepEqual(paths, [...packSources(), "PulumiPolicy.yaml", "config.json", "package.json", "tsconfig.json"].sort());
  });

  it("loads the policies from the unpacked copy", async () => {
    const fromCopy = (await import(join(copy, "policies.ts"))) as typeof import("../../policy/policies");
    const fromCheckout = await import("../../policy/policies");
    assert.ok(fromCopy.policies.length > 0);
    assert.deepEqual(
      fromCopy.policies.map((p) => p.name),
      fromCheckout.policies.map((p) => p.name),
    );
    assert.equal(fromCopy.POLICY_PACK_NAME, fromCheckout.POLICY_PACK_NAME);
    assert.notEqual(fromCopy.policies, fromCheckout.policies, "a second copy, not the checkout's module");
  });

  it("starts from the unpacked copy under the CLI's policy-pack runner (ts-node, type-checked with the copy's tsconfig)", async () => {
    const { port, stderr } = await startPolicyPackRunner(copy, join(copy, "node_modules"), 120_000);
    assert.ok(port > 0, `port ${port}`);
    assert.equal(stderr.trim(), "", "no errors or warnings while loading the pack");
  });
});
