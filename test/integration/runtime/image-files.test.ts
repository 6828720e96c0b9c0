/**
 * A worker image holds the runtime and only its own kind's folder (workers/Dockerfile). Without a
 * Docker engine, this lays out exactly the files the image build reads (the component's
 * `imageSourceFiles`: the main context as the ignore file filters it, the kind's folder where
 * `COPY --from=kind` puts it), compiles them as the Dockerfile does (`tsc -p
 * workers/tsconfig.build.json`) and runs the compiled CLI: it holds one kind and refuses the others.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { JOB_WORKER_DEFAULTS } from "../../../components/job-worker/args";
import { imageSourceFiles } from "../../../components/job-worker/image-sources";
import { ROOT } from "../../support/pulumi";

const KIND = "orders-webhook";

describe("worker image files (runtime + one kind), compiled as workers/Dockerfile does", function () {
  this.timeout(180_000);
  let dir: string;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [join(dir, "workers", "bin", "jobworker.js"), ...args], {
      encoding: "utf8",
      env: { ...process.env, ...env },
      timeout: 60_000,
    });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "jw-image-files-"));
    const kindContext = join(ROOT, JOB_WORKER_DEFAULTS.kindsDir, KIND);
    const files = imageSourceFiles({ context: ROOT, dockerfile: join(ROOT, JOB_WORKER_DEFAULTS.dockerfile), kindContext });
    const place = (from: string, to: string) => {
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(from, to);
    };
    for (const file of files.runtime) place(join(ROOT, file), join(dir, file));
    for (const file of files.kind) place(join(kindContext, file), join(dir, JOB_WORKER_DEFAULTS.kindsDir, KIND, file));
    // The image installs the same locked dependencies (npm ci); the checkout's serve here.
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
    const tsc = spawnSync(
      process.execPath,
      [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(dir, "workers", "tsconfig.build.json")],
      { encoding: "utf8" },
    );
    assert.equal(tsc.status, 0, `tsc failed on the image's files:\n${tsc.stdout}${tsc.stderr}`);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("lists only its own kind", () => {
    const r = cli(["kinds"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${KIND}\\t[^\\n]+\\n$`));
  });

  it("refuses to run another kind, naming the one it holds", () => {
    const r = cli(["run"], { JOBWORKER_WORKER: "feed-normalize" });
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`unknown worker \`feed-normalize\`: known workers are \`${KIND}\``));
  });
});
