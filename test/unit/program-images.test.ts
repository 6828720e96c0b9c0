/**
 * Deploys touch only what changed (issue 11, item 4): the prod program under mocks with 50 kinds,
 * each with its own handler folder in a temporary copy of the repository (the image build context).
 * Between two runs it compares every registered resource's inputs; the mocks derive an image's
 * digest from its inputs (its tag is the content hash), so a changed image shows as a changed task
 * definition, which in ECS is a new revision and a rolling deployment of that service.
 */
import assert from "node:assert/strict";
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type RecordedResource, runProgram } from "../support/pulumi";
import { makeSyntheticRepo, type SyntheticRepo } from "../support/synthetic-repo";

const KINDS = 50;
const IMAGE = "docker-build:index:Image";
const TASK = "aws:ecs/taskDefinition:TaskDefinition";

type Snapshot = ReadonlyMap<string, string>;

/** Every resource's inputs by `type name`, as the engine would diff them. */
function snapshot(resources: readonly RecordedResource[]): Snapshot {
  return new Map(resources.map((r) => [`${r.type} ${r.name}`, JSON.stringify(r.inputs)]));
}

/** The resources whose inputs differ between two runs (or that exist in only one), sorted. */
function changed(before: Snapshot, after: Snapshot): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).sort();
}

const imageAndTask = (kind: string) => [`${IMAGE} ${kind}-image`, `${TASK} ${kind}-task`];

describe("prod program with 50 kinds: a deploy touches only the images whose sources changed", function () {
  this.timeout(120_000);
  let repo: SyntheticRepo;
  let previous: { snapshot: Snapshot; resources: readonly RecordedResource[] } | undefined;

  /** Runs the program on the repository as it is now; returns what changed since the last run. */
  async function deploy(): Promise<string[]> {
    // Stack traces cost most of a run and none of its inputs: the SDK takes one per input property
    // (only to diagnose leaked promises) and one per resource for its source position, which
    // ts-node's source-map support maps frame by frame. Without frames and mapping (as a compiled
    // program formats them) the 1,300 resources register about twice as fast.
    const errors = Error as { stackTraceLimit: number; prepareStackTrace?: unknown };
    const [limit, prepare] = [errors.stackTraceLimit, errors.prepareStackTrace];
    errors.stackTraceLimit = 0;
    errors.prepareStackTrace = undefined;
    let resources: readonly RecordedResource[];
    try {
      // The same configuration every run: only index.ts runs again; the image sources are read then.
      ({ resources } = await runProgram(repo.config, {
        root: repo.root,
        stack: "prod",
        reload: previous === undefined ? "modules" : "index",
      }));
    } finally {
      errors.stackTraceLimit = limit;
      errors.prepareStackTrace = prepare;
    }
    const now = snapshot(resources);
    const diff = previous === undefined ? [] : changed(previous.snapshot, now);
    previous = { snapshot: now, resources };
    return diff;
  }
  const tagOf = (kind: string) => previous!.resources.find((r) => r.type === IMAGE && r.name === `${kind}-image`)!.inputs.tags[0] as string;

  before(async () => {
    repo = makeSyntheticRepo(KINDS);
    await deploy();
  });
  after(() => repo?.remove());

  it("builds every kind's image from the runtime and its own folder, each under its own content tag", () => {
    const { resources } = previous!;
    // Every kind's image, besides the cluster's mirror of the log collector image.
    const images = resources.filter((r) => r.type === IMAGE && !r.name.endsWith("-log-collector-image"));
    assert.equal(images.length, KINDS);
    assert.equal(resources.filter((r) => r.type === IMAGE).length, KINDS + 1);
    for (const kind of repo.kinds) {
      const image = images.find((r) => r.name === `${kind}-image`)!.inputs;
      assert.deepEqual(image.buildArgs, { WORKER: kind });
      assert.match(image.context.named.kind.location, new RegExp(`workers/kinds/${kind}$`));
      const task = JSON.parse(resources.find((r) => r.type === TASK && r.name === `${kind}-task`)!.inputs.containerDefinitions)[0];
      assert.match(task.image, /@sha256:[0-9a-f]{64}$/);
    }
    assert.equal(new Set(repo.kinds.map(tagOf)).size, KINDS, "one tag per kind");
  });

  it("changing nothing an image reads (docs, the console) changes no resource", async () => {
    repo.write("workers/NOTES.md", "not in any image\n");
    repo.write("console/extra.ts", "export {};\n");
    assert.deepEqual(await deploy(), []);
  });

  it("changing one kind's handler changes exactly that kind's image and task definition", async () => {
    const kind = repo.kinds[17]!;
    const before = tagOf(kind);
    appendFileSync(join(repo.root, "workers", "kinds", kind, "handler.ts"), "// one-line change\n");
    assert.deepEqual(await deploy(), imageAndTask(kind).sort());
    assert.notEqual(tagOf(kind), before);
  });

  it("changing a runtime file changes every kind's image and task definition, and nothing else", async () => {
    const file = join(repo.root, "workers", "runtime", "worker.ts");
    repo.write("workers/runtime/worker.ts", `${readFileSync(file, "utf8")}\n// runtime change\n`);
    assert.deepEqual(await deploy(), repo.kinds.flatMap(imageAndTask).sort());
  });
});
