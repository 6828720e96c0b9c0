import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { JOB_WORKER_DEFAULTS } from "../../../components/job-worker/args";
import { IMAGE_MALLOC_ARENA_MAX, IMAGE_NODE_OPTIONS } from "../../integration/runtime/helpers";

const ROOT = join(__dirname, "..", "..", "..");
const dockerfile = readFileSync(join(ROOT, "workers", "Dockerfile"), "utf8");
const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
const buildStage = dockerfile.slice(dockerfile.indexOf("\nFROM "), dockerfile.indexOf("\nFROM ", dockerfile.indexOf("\nFROM ") + 1));

describe("worker image (workers/Dockerfile)", () => {
  it("runs compiled JavaScript as a non-root user with `jobworker` as entrypoint", () => {
    assert.match(runtimeStage, /^FROM \$\{NODE_IMAGE\}$/m);
    assert.match(dockerfile, /^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    assert.match(runtimeStage, /^USER node$/m);
    assert.match(runtimeStage, /^ENTRYPOINT \["jobworker"\]$/m);
    assert.match(runtimeStage, /^CMD \["run"\]$/m);
    assert.match(runtimeStage, /COPY --from=build \/src\/workers\/dist \.\/dist/);
    assert.doesNotMatch(runtimeStage, /ts-node|npm ci/);
  });

  it("sets the Node flags the RSS measurements ran with", () => {
    assert.match(runtimeStage, new RegExp(`NODE_OPTIONS=${IMAGE_NODE_OPTIONS}\\b`));
    assert.match(runtimeStage, new RegExp(`MALLOC_ARENA_MAX=${IMAGE_MALLOC_ARENA_MAX}\\b`));
  });

  it("installs GnuPG, which OpenPGP partner files are encrypted with, without keeping apt's lists", () => {
    assert.match(runtimeStage, /apt-get install -y --no-install-recommends gnupg\b/);
    assert.match(runtimeStage, /rm -rf \/var\/lib\/apt\/lists\/\*/);
  });

  it("names the worker kind from the build argument the JobWorker component passes", () => {
    assert.match(runtimeStage, /^ARG WORKER$/m);
    assert.match(runtimeStage, /JOBWORKER_WORKER=\$\{WORKER\}/);
  });

  it("builds from the repository root with an allow-list ignore file next to the Dockerfile", () => {
    const ignore = readFileSync(join(ROOT, "workers", "Dockerfile.dockerignore"), "utf8").split("\n");
    assert.equal(
      ignore.find((l) => l && !l.startsWith("#")),
      "*",
    );
    for (const needed of ["!package.json", "!package-lock.json", "!catalog", "!workers", "**/node_modules", "**/dist"])
      assert.ok(ignore.includes(needed), needed);
  });

  it("compiles the runtime and only its own kind, copied from the named context the JobWorker component passes", () => {
    const name = JOB_WORKER_DEFAULTS.kindContextName;
    assert.match(buildStage, /^ARG WORKER$/m);
    assert.match(buildStage, new RegExp(`^COPY --from=${name} \\. workers/kinds/\\$\\{WORKER\\}/$`, "m"));
    const copyKind = buildStage.indexOf(`COPY --from=${name} `);
    assert.ok(
      buildStage.indexOf("COPY workers workers") < copyKind && copyKind < buildStage.indexOf("RUN npx tsc"),
      "the kind is copied over the runtime, before compiling",
    );
    const ignore = readFileSync(join(ROOT, "workers", "Dockerfile.dockerignore"), "utf8").split("\n");
    const kindsDir = JOB_WORKER_DEFAULTS.kindsDir;
    assert.ok(ignore.indexOf(`${kindsDir}/*`) > ignore.indexOf("!workers"), "every kind's folder is left out of the main context");
    assert.ok(ignore.indexOf(`!${kindsDir}/*.ts`) > ignore.indexOf(`${kindsDir}/*`), "shared kind helpers stay in it");
  });
});
