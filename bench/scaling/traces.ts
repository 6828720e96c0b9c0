/**
 * Days of demand for the simulator, all seeded: 50 worker kinds (limits like the shipped kinds and
 * the synthesis benchmark's fleet), and traces of uploads per 10-second step.
 */
import { JOB_WORKER_DEFAULTS, visibilityTimeoutFor } from "../../components/job-worker/args";
import type { WorkerModel } from "./model";
import { STEP_SECONDS } from "./model";
import { poisson, seededRng, type Rng } from "./rng";

export const DAY_SECONDS = 86_400;

function pick<T>(rng: Rng, values: readonly T[]): T {
  return values[Math.floor(rng.next() * values.length)];
}

/** 50 worker kinds: task sizes 0.25–2 vCPU, concurrency 1–4, 5–20 tasks at most, jobs of 15 s to 4 min. */
export function workerFleet(count: number, seed: number): WorkerModel[] {
  const rng = seededRng(seed);
  const drainSeconds = JOB_WORKER_DEFAULTS.stopTimeoutSeconds - JOB_WORKER_DEFAULTS.shutdownMarginSeconds;
  return Array.from({ length: count }, (_, i) => {
    const cpu = pick(rng, [256, 512, 512, 1024, 1024, 2048]);
    const meanJobSeconds = Math.round(15 + rng.next() * 225);
    const maxProcessingSeconds = Math.max(120, Math.ceil((meanJobSeconds * 4) / 60) * 60);
    return {
      name: `kind-${String(i).padStart(2, "0")}`,
      cpu,
      memoryMiB: cpu * 2,
      concurrency: pick(rng, [1, 2, 2, 4]),
      maxTasks: pick(rng, [5, 10, 10, 20]),
      meanJobSeconds,
      maxProcessingSeconds,
      visibilityTimeoutSeconds: visibilityTimeoutFor(maxProcessingSeconds),
      maxReceiveCount: JOB_WORKER_DEFAULTS.maxReceiveCount,
      drainSeconds,
    };
  });
}

export interface Trace {
  readonly name: string;
  readonly description: string;
  /** Worker indexes of the messages arriving at step `t` seconds. */
  readonly arrivals: (t: number) => number[];
  readonly total: number;
}

class Schedule {
  private readonly steps = new Map<number, number[]>();
  total = 0;
  add(seconds: number, worker: number, count: number): void {
    if (count <= 0 || seconds < 0 || seconds >= DAY_SECONDS) return;
    const step = Math.floor(seconds / STEP_SECONDS) * STEP_SECONDS;
    const list = this.steps.get(step) ?? [];
    for (let i = 0; i < count; i++) list.push(worker);
    this.steps.set(step, list);
    this.total += count;
  }
  arrivals = (t: number): number[] => this.steps.get(t) ?? [];
}

/**
 * Business hours (09:00–18:00): each kind gets 4–12 bursts, each of 30–100 % of the files its
 * `maxTasks × concurrency` slots take at once (a kind is sized for its partners' batches).
 */
function addBusinessBursts(s: Schedule, workers: readonly WorkerModel[], rng: Rng): void {
  for (let w = 0; w < workers.length; w++) {
    const bursts = 4 + Math.floor(rng.next() * 9);
    const slots = workers[w].maxTasks * workers[w].concurrency;
    for (let b = 0; b < bursts; b++) {
      const at = 9 * 3600 + rng.next() * 9 * 3600;
      const size = Math.max(1, Math.round(slots * (0.3 + 0.7 * rng.next())));
      // A burst lands within a minute (a partner's batch upload).
      for (let f = 0; f < size; f++) s.add(at + rng.next() * 60, w, 1);
    }
  }
}

/** 01:00–01:30: every kind gets 50–400 files (the nightly exports of the partners). */
function addNightlyBatch(s: Schedule, workers: number, rng: Rng): void {
  for (let w = 0; w < workers; w++) {
    const at = 3600 + rng.next() * 1800;
    const size = Math.round(50 * Math.pow(8, rng.next()));
    for (let f = 0; f < size; f++) s.add(at + rng.next() * 120, w, 1);
  }
}

/** All day: each kind gets one file every 2–20 minutes on average. */
function addTrickle(s: Schedule, workers: number, rng: Rng, minMinutes = 2, maxMinutes = 20): void {
  for (let w = 0; w < workers; w++) {
    const perStep = STEP_SECONDS / ((minMinutes + rng.next() * (maxMinutes - minMinutes)) * 60);
    for (let t = 0; t < DAY_SECONDS; t += STEP_SECONDS) s.add(t, w, poisson(rng, perStep));
  }
}

export function traces(kinds: readonly WorkerModel[], seed: number): Trace[] {
  const workers = kinds.length;
  const make = (name: string, description: string, build: (s: Schedule, rng: Rng) => void, offset: number): Trace => {
    const s = new Schedule();
    build(s, seededRng(seed + offset));
    return { name, description, arrivals: s.arrivals, total: s.total };
  };
  return [
    make(
      "bursty",
      "business-hours bursts over a light trickle",
      (s, rng) => {
        addBusinessBursts(s, kinds, rng);
        addTrickle(s, workers, rng, 20, 60);
      },
      1,
    ),
    make("nightly", "a nightly batch at 01:00, quiet otherwise", (s, rng) => addNightlyBatch(s, workers, rng), 2),
    make("trickle", "a steady trickle all day", (s, rng) => addTrickle(s, workers, rng), 3),
  ];
}
