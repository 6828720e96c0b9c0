/**
 * `npm run bench -- scaling`: a day of 50 worker kinds on one cluster, simulated in 10-second steps
 * (bench/scaling/model.ts), under each capacity policy, on three traces of demand. Prints, side by
 * side, vCPU-hours, task-hours, the wait from upload to job start (p50/p95/max), jobs killed by
 * scale-in, jobs cut short by a stop, messages sent to the DLQ without a failure, and peak
 * instances; writes the chart of the bursty day to docs/scaling-day.png.
 *
 * Options: `--interruptions=<warnings per instance-hour>` (default 0.02: a bad Spot day),
 * `--seed=<n>`, `--no-chart`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { BACKLOG_PUBLISHER_DEFAULTS } from "../components/backlog-publisher/args";
import { JOB_WORKER_DEFAULTS } from "../components/job-worker/args";
import { SCALING_DEFAULTS } from "../components/spot-ecs-cluster/args";
import { resolveFleetInstanceTypes } from "../components/spot-ecs-cluster/fleet-types";
import { chartSvg, renderPng, type ChartSeries } from "./scaling/chart";
import { simulate, TIMINGS, type Outcome, type SimulationInput } from "./scaling/model";
import { capacityPolicies, type PolicyChoice } from "./scaling/scenarios";
import { seededRng } from "./scaling/rng";
import { DAY_SECONDS, traces, workerFleet } from "./scaling/traces";

const args = new Map(
  process.argv
    .slice(2)
    .filter((a) => a.startsWith("--"))
    .map((a) => {
      const [k, v] = a.slice(2).split("=");
      return [k, v ?? "true"] as const;
    }),
);
const interruptions = Number(args.get("interruptions") ?? 0.02);
const seed = Number(args.get("seed") ?? 7);
const WORKERS = 50;

const prod = parse(readFileSync(join(__dirname, "..", "Pulumi.prod.yaml"), "utf8")).config;
const fleet = prod["jobworker:fleet"];
const instanceTypes = resolveFleetInstanceTypes(fleet.instanceTypes, "jobworker:fleet.instanceTypes");
const scaling = { ...SCALING_DEFAULTS, ...fleet.scaling };
const workers = workerFleet(WORKERS, seed);
const policies = capacityPolicies({
  workers,
  fixedTarget: fleet.targetCapacity,
  scaling,
  bounds: { minCapacity: fleet.scaling.minCapacity, maxCapacity: fleet.scaling.maxCapacity, weight: instanceTypes[0].weight },
  publisher: { namespace: BACKLOG_PUBLISHER_DEFAULTS.namespace, periodSeconds: BACKLOG_PUBLISHER_DEFAULTS.intervalSeconds },
  scaleInIdleSeconds: JOB_WORKER_DEFAULTS.scaleInIdleSeconds,
});

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function run(choice: PolicyChoice, arrivals: SimulationInput["arrivals"], interruptionsPerInstanceHour: number): Outcome {
  const made = choice.make();
  return simulate({
    workers,
    instanceTypes,
    initialTarget: choice.initialTarget,
    arrivals,
    seconds: DAY_SECONDS,
    interruptionsPerInstanceHour,
    service: made.service,
    fleet: made.fleet,
    release: choice.release,
    maxHandoffs: choice.maxHandoffs,
    timings: TIMINGS,
    rng: seededRng(seed * 31),
  });
}

process.stdout.write(
  `scaling simulator: ${WORKERS} worker kinds, one day in 10-s steps, ${instanceTypes.length} instance types of ` +
    `${instanceTypes[0].weight} vCPU, Spot interruption warnings ${interruptions}/instance-hour, seed ${seed}\n` +
    `timings: instance ready ${TIMINGS.instanceReadySeconds} s, image pull ${TIMINGS.imagePullSeconds} s, task start ` +
    `${TIMINGS.taskStartSeconds} s, SQS metrics every 60 s, backlog publisher every ${BACKLOG_PUBLISHER_DEFAULTS.intervalSeconds} s\n\n`,
);
const header = [
  "trace",
  "policy",
  "vCPU-h",
  "vs fixed",
  "task-h",
  "wait p50",
  "p95",
  "max",
  "killed",
  "cut short",
  "DLQ w/o fail",
  "peak inst",
  "done/arrived",
];
const rows: string[][] = [header];
const chart: ChartSeries[] = [];
const colors: Record<string, string> = { fixed: "#9ca3af", reservation: "#f59e0b", "drain-first": "#2563eb" };
const targets: string[] = [];
const days = traces(workers, seed).map((trace) => ({ trace, name: trace.name, rate: interruptions }));
// The bursty day again on a bad Spot day: ten times the interruption warnings.
days.push({ trace: days[0].trace, name: "bursty, Spot storm", rate: interruptions * 10 });
for (const { trace, name, rate } of days) {
  let fixedVcpuHours = 0;
  for (const choice of policies) {
    const out = run(choice, trace.arrivals, rate);
    const waits = [...out.waits].sort((a, b) => a - b);
    const vcpuHours = out.vcpuSeconds / 3600;
    if (choice.name === "fixed") fixedVcpuHours = vcpuHours;
    const saving = fixedVcpuHours > 0 ? 1 - vcpuHours / fixedVcpuHours : 0;
    rows.push([
      name,
      choice.name,
      vcpuHours.toFixed(0),
      choice.name === "fixed" ? "—" : `${saving >= 0 ? "-" : "+"}${Math.abs(saving * 100).toFixed(0)} %`,
      (out.taskSeconds / 3600).toFixed(0),
      `${percentile(waits, 50)} s`,
      `${percentile(waits, 95)} s`,
      `${waits.at(-1) ?? 0} s`,
      String(out.killedByScaleIn),
      String(out.interruptedJobs),
      String(out.deadLetteredWithoutFailure),
      String(out.peakInstances),
      `${out.completed}/${out.arrivals}`,
    ]);
    if (name === "bursty") {
      chart.push({
        label: `${choice.name}: billed vCPU`,
        color: colors[choice.name] ?? "#111827",
        points: out.series.map((s) => [s[0], s[1]] as const),
      });
      if (choice.name === "fixed")
        chart.push({
          label: "demand: vCPU of tasks needed",
          color: "#dc2626",
          dashed: true,
          points: out.series.map((s) => [s[0], s[2]] as const),
        });
      if (choice.target) {
        const p95 = percentile(waits, 95);
        const ok = saving >= 0.4 && p95 <= 90 && out.killedByScaleIn === 0 && out.deadLetteredWithoutFailure === 0;
        targets.push(
          `${choice.name} on bursty: vCPU-hours ${(saving * 100).toFixed(0)} % below fixed (target ≥ 40 %), p95 wait ${p95} s (≤ 90 s), ` +
            `killed by scale-in ${out.killedByScaleIn} (0), DLQ without failure ${out.deadLetteredWithoutFailure} (0): ${ok ? "MET" : "MISSED"}`,
        );
      }
    }
  }
}
const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) process.stdout.write(r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ") + "\n");
process.stdout.write(`\n${targets.join("\n")}\n`);
if (args.get("chart") !== "false" && !args.has("no-chart")) {
  const out = join(__dirname, "..", "docs", "scaling-day.png");
  const svg = chartSvg(`A bursty day, ${WORKERS} worker kinds: billed capacity against demand`, chart, DAY_SECONDS);
  const rendered = renderPng(svg, out);
  process.stdout.write(rendered.ok ? `chart: ${out}\n` : `chart not written: ${rendered.reason}\n`);
}
