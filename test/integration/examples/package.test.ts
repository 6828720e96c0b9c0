/**
 * The components as another team gets them: `npm pack -w components` (which builds the package),
 * the tarball unpacked into a copy of `examples/basic` as npm would install it (its dependencies
 * linked from the repository's node_modules, so the test runs offline), the example type-checked
 * against the package's declarations and run under Pulumi mocks. Nothing of the checkout but the
 * tarball reaches the example.
 */
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PUBLISHER_SOURCES, transpileSources } from "../../../components/backlog-publisher/code";
import { dependencyNames, linkDependencies, pack, type PackResult, strayFiles, unpack } from "../../support/npm-pack";
import { type MockStack, ROOT, startMocks } from "../../support/pulumi";

describe("the @jobworker/components tarball in another program (examples/basic)", function () {
  this.timeout(120_000);
  let work: string;
  let example: string;
  let packed: PackResult;
  let stack: MockStack;
  let outputs: Record<string, unknown>;
  /** Modules the example's run loaded (not loaded before it). */
  let loadedByExample: string[];

  before(async () => {
    work = mkdtempSync(join(tmpdir(), "jobworker-package-"));
    example = join(work, "example");
    packed = pack("components", work);
    cpSync(join(ROOT, "examples", "basic"), example, {
      recursive: true,
      filter: (src) => !/node_modules|\bbin\b/.test(src.slice(ROOT.length)),
    });
    const installed = join(example, "node_modules", "@jobworker", "components");
    unpack(join(work, packed.filename), installed);
    // As `npm install <tgz>` would leave it, minus the download: the package's and the example's dependencies.
    const deps = new Set([
      ...dependencyNames(join(installed, "package.json")),
      ...dependencyNames(join(example, "package.json"), { dev: true }),
    ]);
    deps.delete("@jobworker/components");
    linkDependencies(example, deps);
    // Type-checks the example against the package's declarations and compiles it to bin/.
    execFileSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(example, "tsconfig.json")], {
      cwd: example,
      stdio: "pipe",
    });
    stack = startMocks({ project: "jobworker-example-basic", stack: "dev" });
    const before = new Set(Object.keys(require.cache));
    const exported = require(join(example, "bin", "index.js")) as Record<string, unknown>;
    await stack.settle();
    outputs = {};
    for (const [key, value] of Object.entries(exported))
      outputs[key] = await new Promise((r) => (pulumi.output(value) as pulumi.Output<unknown>).apply(r));
    await stack.settle();
    loadedByExample = Object.keys(require.cache).filter((k) => !before.has(k));
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("packs built JavaScript with declarations, nothing outside the package and no bare TypeScript", () => {
    const paths = packed.files.map((f) => f.path);
    assert.deepEqual(strayFiles(paths), []);
    for (const needed of [
      "package.json",
      "README.md",
      "dist/components/index.js",
      "dist/components/index.d.ts",
      "dist/bootstrap/files/spot-interruption-watcher.sh",
      "dist/bootstrap/files/instance-store.sh",
      "dist/catalog/contract.js",
    ]) {
      assert.ok(paths.includes(needed), `${needed} is packed`);
    }
    assert.deepEqual(
      paths.filter((p) => !p.startsWith("dist/") && !["package.json", "README.md"].includes(p)),
      [],
      "only dist/, the manifest and the README",
    );
    const pkg = JSON.parse(readFileSync(join(example, "node_modules", "@jobworker", "components", "package.json"), "utf8")) as {
      main: string;
      types: string;
    };
    assert.ok(paths.includes(pkg.main) && paths.includes(pkg.types), `main ${pkg.main} and types ${pkg.types} are packed`);
  });

  it("ships the backlog publisher's function code, the same files the checkout's workers/ transpile to", () => {
    const installed = join(example, "node_modules", "@jobworker", "components", "dist", "components", "backlog-publisher", "function");
    const expected = transpileSources(join(ROOT, "workers"));
    assert.deepEqual(Object.keys(expected).sort(), PUBLISHER_SOURCES.map((f) => f.replace(/\.ts$/, ".js")).sort());
    for (const [path, text] of Object.entries(expected)) assert.equal(readFileSync(join(installed, path), "utf8"), text, path);
  });

  it("builds the cluster, its fleet, the worker's queue and service, and the publisher from the tarball alone", async () => {
    assert.ok(
      loadedByExample.some((k) => k.startsWith(join(example, "node_modules", "@jobworker", "components", "dist"))),
      "the components load from the unpacked tarball",
    );
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
    assert.ok(
      queues.every((q) => q.startsWith("jw-dev-thumbnails")),
      queues.join(", "),
    );
    const service = stack.one("aws:ecs/service:Service", "thumbnails").inputs;
    assert.equal(service.cluster, stack.one("aws:ecs/cluster:Cluster").state.arn);
    const containers = JSON.parse(stack.one("aws:ecs/taskDefinition:TaskDefinition", "thumbnails").inputs.containerDefinitions) as Array<{
      image: string;
    }>;
    assert.equal(containers[0].image, "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/thumbnails:1.4.2");
    const fn = stack.one("aws:lambda/function:Function", "backlog-publisher").inputs;
    assert.equal(fn.handler, "backlog-publisher/handler.handler");
    assert.equal(fn.runtime, "nodejs24.x");
    const assets = (await fn.code.assets) as Record<string, { text: Promise<string> }>;
    const expected = transpileSources(join(ROOT, "workers"));
    assert.deepEqual(Object.keys(assets).sort(), Object.keys(expected).sort(), "the archive holds the function's four files");
    for (const [path, text] of Object.entries(expected)) assert.equal(await assets[path].text, text, `${path} as a checkout transpiles it`);
    assert.equal(outputs.serviceName, stack.one("aws:ecs/service:Service", "thumbnails").state.name);
  });
});
