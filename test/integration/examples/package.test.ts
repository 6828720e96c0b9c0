/**
 * The components as another team gets them: `npm pack -w components` (which builds the package),
 * the tarball unpacked into a copy of `examples/basic` as npm would install it (its dependencies
 * linked from the repository's node_modules, so the test runs offline), the example type-checked
 * against the package's declarations and run under Pulumi mocks. Nothing of the checkout but the
 * tarball reaches the example.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, normalize } from "node:path";
import { PUBLISHER_SOURCES, transpileSources } from "../../../components/backlog-publisher/code";
import { type MockStack, ROOT, startMocks } from "../../support/pulumi";

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: Array<{ path: string }>;
}

const NPM_CLI = join(dirname(process.execPath), "..", "lib", "node_modules", "npm", "bin", "npm-cli.js");

/** `npm pack -w <workspace>` into `dir`, as JSON (runs the package's `prepack`). */
export function pack(workspace: string, dir: string): PackResult {
  // npm from PATH: `npx mocha` and `npm run` put the pinned node first, so its scripts run on Node 24.
  const out = execFileSync("npm", ["pack", "-w", workspace, "--json", "--pack-destination", dir], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const [result] = JSON.parse(out.slice(out.indexOf("["))) as PackResult[];
  return result;
}

/** Unpacks an npm tarball (`package/…`) into `dir`. */
export function unpack(tarball: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", dir, "--strip-components=1"]);
}

/** Paths that escape the package or sources shipped without their compiled form. */
export function strayFiles(paths: readonly string[]): string[] {
  const stray: string[] = [];
  const set = new Set(paths);
  for (const path of paths) {
    if (isAbsolute(path) || normalize(path).startsWith("..")) stray.push(`${path}: outside the package`);
    else if (path.endsWith(".d.ts")) {
      if (!set.has(path.replace(/\.d\.ts$/, ".js"))) stray.push(`${path}: declarations without JavaScript`);
    } else if (path.endsWith(".ts")) stray.push(`${path}: TypeScript source`);
  }
  return stray;
}

describe("the @jobworker/components tarball in another program (examples/basic)", function () {
  this.timeout(120_000);
  const work = mkdtempSync(join(tmpdir(), "jobworker-package-"));
  const example = join(work, "example");
  let packed: PackResult;
  let stack: MockStack;
  let outputs: Record<string, unknown>;
  /** Modules the example's run loaded (not loaded before it). */
  let loadedByExample: string[];

  before(async () => {
    packed = pack("components", work);
    cpSync(join(ROOT, "examples", "basic"), example, { recursive: true, filter: (src) => !/node_modules|\bbin\b/.test(src.slice(ROOT.length)) });
    const modules = join(example, "node_modules");
    unpack(join(work, packed.filename), join(modules, "@jobworker", "components"));
    // As `npm install <tgz>` would leave it, minus the download: the package's and the example's
    // dependencies, one copy each (the same @pulumi/pulumi the mocks are installed in).
    const own = JSON.parse(readFileSync(join(modules, "@jobworker", "components", "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const example_ = JSON.parse(readFileSync(join(example, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const deps = new Set([...Object.keys(own.dependencies), ...Object.keys(example_.dependencies), ...Object.keys(example_.devDependencies)]);
    deps.delete("@jobworker/components");
    for (const dep of deps) {
      mkdirSync(dirname(join(modules, dep)), { recursive: true });
      symlinkSync(join(ROOT, "node_modules", dep), join(modules, dep), "dir");
    }
    // Type-checks the example against the package's declarations and compiles it to bin/.
    execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(example, "tsconfig.json")], { cwd: example, stdio: "pipe" });
    stack = startMocks({ project: "jobworker-example-basic", stack: "dev" });
    const before = new Set(Object.keys(require.cache));
    const exported = require(join(example, "bin", "index.js")) as Record<string, unknown>;
    await stack.settle();
    outputs = {};
    const pulumi = await import("@pulumi/pulumi");
    for (const [key, value] of Object.entries(exported)) outputs[key] = await new Promise((r) => pulumi.output(value).apply(r));
    await stack.settle();
    loadedByExample = Object.keys(require.cache).filter((k) => !before.has(k));
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  it("packs built JavaScript with declarations, nothing outside the package and no bare TypeScript", () => {
    const paths = packed.files.map((f) => f.path);
    assert.deepEqual(strayFiles(paths), []);
    for (const needed of ["package.json", "README.md", "dist/components/index.js", "dist/components/index.d.ts", "dist/bootstrap/files/spot-interruption-watcher.sh", "dist/bootstrap/files/instance-store.sh", "dist/catalog/contract.js"]) {
      assert.ok(paths.includes(needed), `${needed} is packed`);
    }
    assert.deepEqual(paths.filter((p) => !p.startsWith("dist/") && !["package.json", "README.md"].includes(p)), [], "only dist/, the manifest and the README");
    const pkg = JSON.parse(readFileSync(join(example, "node_modules", "@jobworker", "components", "package.json"), "utf8")) as { main: string; types: string };
    assert.ok(paths.includes(pkg.main) && paths.includes(pkg.types), `main ${pkg.main} and types ${pkg.types} are packed`);
  });

  it("ships the backlog publisher's function code, the same files the checkout's workers/ transpile to", () => {
    const installed = join(example, "node_modules", "@jobworker", "components", "dist", "components", "backlog-publisher", "function");
    const expected = transpileSources(join(ROOT, "workers"));
    assert.deepEqual(Object.keys(expected).sort(), PUBLISHER_SOURCES.map((f) => f.replace(/\.ts$/, ".js")).sort());
    for (const [path, text] of Object.entries(expected)) assert.equal(readFileSync(join(installed, path), "utf8"), text, path);
  });

  it("builds the cluster, its fleet, the worker's queue and service, and the publisher from the tarball alone", async () => {
    assert.ok(loadedByExample.some((k) => k.startsWith(join(example, "node_modules", "@jobworker", "components", "dist"))), "the components load from the unpacked tarball");
    const fromCheckout = loadedByExample.filter((k) => !k.startsWith(example) && !k.startsWith(join(ROOT, "node_modules")));
    assert.deepEqual(fromCheckout, [], "nothing loads from the checkout but its installed dependencies");
    assert.equal(stack.ofType("jobworker:index:SpotEcsCluster").length, 1);
    assert.equal(stack.ofType("jobworker:index:JobWorker").length, 1);
    assert.equal(stack.ofType("aws:ecs/cluster:Cluster").length, 1);
    const fleet = stack.one("aws:ec2/spotFleetRequest:SpotFleetRequest").inputs;
    assert.equal(fleet.targetCapacity, 8);
    assert.equal(fleet.spotPrice, undefined, "no max price");
    const queues = stack.ofType("aws:sqs/queue:Queue").map((q) => q.state.name as string);
    assert.equal(queues.length, 2, `input queue and DLQ: ${queues.join(", ")}`);
    assert.ok(queues.every((q) => q.startsWith("jw-dev-thumbnails")), queues.join(", "));
    const service = stack.one("aws:ecs/service:Service", "thumbnails").inputs;
    assert.equal(service.cluster, stack.one("aws:ecs/cluster:Cluster").state.arn);
    const containers = JSON.parse(stack.one("aws:ecs/taskDefinition:TaskDefinition", "thumbnails").inputs.containerDefinitions) as Array<{ image: string }>;
    assert.equal(containers[0].image, "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/thumbnails:1.4.2");
    const fn = stack.one("aws:lambda/function:Function").inputs;
    assert.equal(fn.handler, "backlog-publisher/handler.handler");
    assert.equal(fn.runtime, "nodejs24.x");
    const assets = (await fn.code.assets) as Record<string, { text: Promise<string> }>;
    const expected = transpileSources(join(ROOT, "workers"));
    assert.deepEqual(Object.keys(assets).sort(), Object.keys(expected).sort(), "the archive holds the function's four files");
    for (const [path, text] of Object.entries(expected)) assert.equal(await assets[path].text, text, `${path} as a checkout transpiles it`);
    assert.equal(outputs.serviceName, stack.one("aws:ecs/service:Service", "thumbnails").state.name);
  });
});
