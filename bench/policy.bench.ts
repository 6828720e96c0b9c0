/**
 * The IAM document and Lambda runtime policies over the prod program (under mocks), in a fresh
 * process: module load, the first evaluation (which loads IAM's catalogue files from disk), a second
 * one (catalogue in memory), and the whole pack for comparison. The pack runs on every preview and
 * every `pulumi up`, in a process of its own, so the first evaluation is what a deployment pays.
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
  const firstMs = await timed(() => evaluatePolicies(ours, snapshots));
  const secondMs = await timed(() => evaluatePolicies(ours, snapshots));
  const packMs = await timed(() => evaluatePolicies(policies, snapshots));

  console.log(
    `machine: ${cpus().length} cores, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );
  console.log(`prod program: ${snapshots.length} resources, ${documents.length} IAM documents`);
  console.log(`pack modules load (transpile-only, with @pulumi/policy): ${loadMs.toFixed(0)} ms`);
  console.log(`IAM + runtime policies, first run (catalogue): ${firstMs.toFixed(0)} ms`);
  console.log(
    `IAM + runtime policies, second run:            ${secondMs.toFixed(0)} ms (${(secondMs / documents.length).toFixed(1)} ms per document)`,
  );
  console.log(`whole pack (${policies.length} policies), warm:                ${packMs.toFixed(0)} ms`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
