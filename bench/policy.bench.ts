/**
 * The whole pack over the prod program (under mocks), in a fresh process: module load, the first
 * evaluation (cold: IAM's catalogue files are read from disk), then warm runs of the whole pack and
 * of the IAM document and Lambda runtime policies alone. The pack runs on every preview and every
 * `pulumi up`, in a process of its own, so the cold evaluation is what a deployment pays.
 *
 * Run: `npm run bench -- policy` (or `node -r ts-node/register/transpile-only bench/policy.bench.ts`).
 */
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { toSnapshot } from "../scripts/policy-check";
import { readStackConfig, runProgram } from "../test/support/pulumi";

async function main(): Promise<void> {
  const program = await runProgram(readStackConfig("prod"), { stack: "prod" });
  const snapshots = program.resources.map((r) => toSnapshot(r, "prod"));

  const loadStarted = performance.now();
  const { evaluatePolicies } = require("../policy/evaluate") as typeof import("../policy/evaluate");
  const { policies } = require("../policy/policies") as typeof import("../policy/policies");
  const { carriedDocuments } = require("../policy/rules/iam") as typeof import("../policy/rules/iam");
  const loadMs = performance.now() - loadStarted;

  const ours = policies.filter((p) => p.name === "iam-policy-document-valid" || p.name === "lambda-supported-runtime");
  const documents = snapshots.flatMap((s) => carriedDocuments(s.type, s.inputs).filter((d) => d.value !== undefined && d.value !== ""));
  const timed = async (run: () => Promise<unknown>) => {
    const started = performance.now();
    await run();
    return performance.now() - started;
  };
  const packColdMs = await timed(() => evaluatePolicies(policies, snapshots));
  const packWarm = [await timed(() => evaluatePolicies(policies, snapshots)), await timed(() => evaluatePolicies(policies, snapshots))];
  const secondMs = await timed(() => evaluatePolicies(ours, snapshots));

  console.log(
    `machine: ${cpus().length} cores, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log(`prod program: ${snapshots.length} resources, ${documents.length} IAM documents`);
  console.log(`pack modules load (transpile-only, with @pulumi/policy): ${loadMs.toFixed(0)} ms`);
  console.log(`whole pack (${policies.length} policies), cold (catalogue from disk): ${packColdMs.toFixed(0)} ms`);
  console.log(`whole pack (${policies.length} policies), warm: ${packWarm.map((m) => m.toFixed(0)).join(" ms, ")} ms`);
  console.log(
    `IAM document + runtime policies alone, warm: ${secondMs.toFixed(0)} ms (${(secondMs / documents.length).toFixed(1)} ms per document)`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
