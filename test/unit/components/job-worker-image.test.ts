/**
 * What a worker kind's image is built from and tagged by (`components/job-worker/image-sources.ts`,
 * `settleImage`): the runtime as the real `workers/Dockerfile.dockerignore` lets it in, plus only
 * the kind's own folder. Each case edits one file of a small repository and checks which kinds' tags
 * change.
 */
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { imageSourceFiles, imageTag, type ImageSources } from "../../../components/job-worker/image-sources";
import { settleImage } from "../../../components/job-worker/image";
import { isJobWorkerArgsError } from "../../../components/job-worker/errors";
import { ROOT } from "../../support/pulumi";

/** A small repository: every kind of file the ignore file decides about, and two kinds. */
const REPO: Record<string, string> = {
  "package.json": "{}",
  "package-lock.json": "{}",
  "tsconfig.json": "{}",
  "README.md": "# readme",
  "console/server.ts": "console",
  "components/package.json": "{}",
  "components/index.ts": "components",
  "policy/package.json": "{}",
  "catalog/kinds.ts": "catalog",
  "catalog/NOTES.md": "notes",
  "node_modules/dep/index.js": "dep",
  "workers/package.json": "{}",
  "workers/README.md": "workers readme",
  "workers/runtime/worker.ts": "runtime",
  "workers/kinds/index.ts": "lookup",
  "workers/kinds/csv.ts": "shared helper",
  "workers/kinds/alpha/handler.ts": "alpha",
  "workers/kinds/alpha/samples/a.csv": "a,b",
  "workers/kinds/beta/handler.ts": "beta",
  "workers/node_modules/dep/index.js": "dep",
  "workers/dist/workers/cli/main.js": "compiled",
  "workers/backlog-publisher/handler.ts": "lambda",
};

function makeRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), "jw-image-"));
  for (const [file, text] of Object.entries(REPO)) write(dir, file, text);
  for (const file of ["workers/Dockerfile", "workers/Dockerfile.dockerignore"]) copyFileSync(join(ROOT, file), join(dir, file));
  return dir;
}

function write(dir: string, file: string, text: string): void {
  mkdirSync(dirname(join(dir, file)), { recursive: true });
  writeFileSync(join(dir, file), text);
}

const sourcesOf = (dir: string, kind: string): ImageSources => ({
  context: dir,
  dockerfile: join(dir, "workers", "Dockerfile"),
  kindContext: join(dir, "workers", "kinds", kind),
});
const INPUTS = { buildArgs: { WORKER: "x" }, platform: "linux/amd64" };
const tagsOf = (dir: string) => ({ alpha: imageTag(sourcesOf(dir, "alpha"), INPUTS), beta: imageTag(sourcesOf(dir, "beta"), INPUTS) });

describe("JobWorker image sources and tag", () => {
  let dir: string;
  beforeEach(() => {
    dir = makeRepo();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("covers the runtime the Dockerfile's ignore file lets in and the kind's own folder, no other kind", () => {
    assert.deepEqual(imageSourceFiles(sourcesOf(dir, "alpha")), {
      runtime: [
        "catalog/kinds.ts",
        "components/package.json",
        "package-lock.json",
        "package.json",
        "policy/package.json",
        "tsconfig.json",
        "workers/Dockerfile",
        "workers/Dockerfile.dockerignore",
        "workers/kinds/csv.ts",
        "workers/kinds/index.ts",
        "workers/package.json",
        "workers/runtime/worker.ts",
      ],
      kind: ["handler.ts", "samples/a.csv"],
    });
  });

  const edits: Array<[string, (dir: string) => void, string[]]> = [
    ["alpha's handler", (d) => write(d, "workers/kinds/alpha/handler.ts", "alpha v2"), ["alpha"]],
    ["alpha's sample", (d) => write(d, "workers/kinds/alpha/samples/a.csv", "a,b,c"), ["alpha"]],
    ["a new file in beta's folder", (d) => write(d, "workers/kinds/beta/mapping.ts", "new"), ["beta"]],
    ["a new kind", (d) => write(d, "workers/kinds/gamma/handler.ts", "gamma"), []],
    ["a runtime file", (d) => write(d, "workers/runtime/worker.ts", "runtime v2"), ["alpha", "beta"]],
    ["a runtime file's mode", (d) => chmodSync(join(d, "workers/runtime/worker.ts"), 0o755), ["alpha", "beta"]],
    ["a shared kind helper", (d) => write(d, "workers/kinds/csv.ts", "helper v2"), ["alpha", "beta"]],
    ["the catalog", (d) => write(d, "catalog/kinds.ts", "catalog v2"), ["alpha", "beta"]],
    ["the lockfile", (d) => write(d, "package-lock.json", '{"v":2}'), ["alpha", "beta"]],
    ["the Dockerfile", (d) => write(d, "workers/Dockerfile", "FROM scratch"), ["alpha", "beta"]],
    ["a README", (d) => write(d, "workers/README.md", "v2"), []],
    ["the console", (d) => write(d, "console/server.ts", "v2"), []],
    ["a component", (d) => write(d, "components/index.ts", "v2"), []],
    ["the backlog publisher", (d) => write(d, "workers/backlog-publisher/handler.ts", "v2"), []],
    ["installed dependencies", (d) => write(d, "workers/node_modules/dep/index.js", "v2"), []],
    ["compiled output", (d) => write(d, "workers/dist/workers/cli/main.js", "v2"), []],
  ];
  for (const [what, edit, changed] of edits) {
    it(`changing ${what} changes the tag of ${changed.length === 0 ? "no kind" : changed.join(" and ")}`, () => {
      const before = tagsOf(dir);
      edit(dir);
      const after = tagsOf(dir);
      assert.deepEqual(
        (["alpha", "beta"] as const).filter((k) => after[k] !== before[k]),
        changed,
      );
    });
  }

  it("honours the kind folder's own .dockerignore, as BuildKit does for a named context", () => {
    write(dir, "workers/kinds/alpha/.dockerignore", "samples\n");
    assert.deepEqual(imageSourceFiles(sourcesOf(dir, "alpha")).kind, [".dockerignore", "handler.ts"]);
    const before = tagsOf(dir).alpha;
    write(dir, "workers/kinds/alpha/samples/a.csv", "ignored now");
    assert.equal(tagsOf(dir).alpha, before);
  });

  it("is 16 hex characters, the same for the same content anywhere, new for other build inputs", () => {
    const here = imageTag(sourcesOf(dir, "alpha"), INPUTS);
    assert.match(here, /^[0-9a-f]{16}$/);
    const elsewhere = makeRepo();
    try {
      assert.equal(
        imageTag(sourcesOf(elsewhere, "alpha"), { platform: "linux/amd64", buildArgs: { WORKER: "x" } }),
        here,
        "paths and key order do not matter",
      );
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
    assert.notEqual(imageTag(sourcesOf(dir, "alpha"), { ...INPUTS, platform: "linux/arm64" }), here);
    assert.notEqual(imageTag(sourcesOf(dir, "alpha"), { ...INPUTS, buildArgs: { WORKER: "y" } }), here);
  });

  describe("settleImage", () => {
    it("builds the kind from its own folder, with paths relative to the program's directory and the content tag", () => {
      const settled = settleImage("alpha-worker", "alpha", { build: { context: dir } }, dirname(dir));
      assert.ok("build" in settled);
      const name = relative(dirname(dir), dir);
      assert.deepEqual(
        { ...settled.build, tag: undefined },
        {
          context: name,
          dockerfile: `${name}/workers/Dockerfile`,
          kindContext: `${name}/workers/kinds/alpha`,
          buildArgs: { WORKER: "alpha" },
          platform: "linux/amd64",
          tag: undefined,
        },
      );
      assert.match(settled.build.tag, /^[0-9a-f]{16}$/);
      assert.notEqual(
        settled.build.tag,
        (settleImage("beta-worker", "beta", { build: { context: dir } }, dirname(dir)) as typeof settled).build.tag,
      );
    });

    it("keeps an explicit tag and passes an image URI through", () => {
      assert.equal((settleImage("w", "alpha", { build: { context: dir, tag: "v1" } }, dir) as { build: { tag: string } }).build.tag, "v1");
      assert.deepEqual(settleImage("w", "alpha", { uri: "public.ecr.aws/x/y:1" }), { uri: "public.ecr.aws/x/y:1" });
    });

    const missing: Array<[string, { context?: string; dockerfile?: string; kind?: string }, RegExp]> = [
      [
        "a kind without a folder",
        { kind: "gamma" },
        /`image\.build\.kindContext` is `.*workers\/kinds\/gamma`, which does not exist: kind `gamma` needs its own folder with a handler \(workers\/kinds\/gamma\/handler\.ts\)/,
      ],
      [
        "a missing Dockerfile",
        { dockerfile: "nope/Dockerfile" },
        /`image\.build\.dockerfile` is `.*nope\/Dockerfile`, which does not exist/,
      ],
      ["a missing context", { context: "absent" }, /`image\.build\.context` is `.*absent`, which does not exist/],
    ];
    for (const [what, change, message] of missing) {
      it(`names the field on ${what}`, () => {
        const context = change.context === undefined ? dir : join(dir, change.context);
        const dockerfile = change.dockerfile === undefined ? undefined : join(dir, change.dockerfile);
        assert.throws(
          () => settleImage("w", change.kind ?? "alpha", { build: { context, dockerfile } }, dir),
          (e: unknown) => isJobWorkerArgsError(e) && message.test(e.message),
        );
      });
    }
  });
});
