/**
 * The scaling simulator's pieces (bench/scaling): the alarm and step-policy semantics it applies to
 * the components' specs, and the model's accounts on small, hand-checkable days.
 */
import { strict as assert } from "node:assert";
import { scaleOutSteps, SCALE_IN_STEPS, alarmSpecs } from "../../../components/job-worker/scaling";
import { AlarmState, QueueSamples, StepPolicy, stepFor } from "../../../bench/scaling/alarms";
import { simulate, TIMINGS, type FleetPolicy, type ServicePolicy, type WorkerModel, type Cluster } from "../../../bench/scaling/model";
import { BacklogAlarmServices, FixedFleet } from "../../../bench/scaling/policies";
import { ControllerFleet } from "../../../bench/scaling/drain-first";
import { SCALING_DEFAULTS } from "../../../components/spot-ecs-cluster/args";
import { seededRng } from "../../../bench/scaling/rng";

const worker: WorkerModel = {
  name: "w",
  cpu: 1024,
  memoryMiB: 2048,
  concurrency: 1,
  maxTasks: 4,
  meanJobSeconds: 200,
  maxProcessingSeconds: 600,
  visibilityTimeoutSeconds: 660,
  maxReceiveCount: 2,
  drainSeconds: 75,
};
const type = { instanceType: "c6i.4xlarge", weight: 16, vcpu: 16, memoryMiB: 32768 };

/** Keeps every worker at a fixed desired count. */
const steady = (n: number): ServicePolicy => ({ step: (c) => c.desired.fill(n) });

function day(opts: {
  seconds: number;
  arrivals: Record<number, number>;
  service: ServicePolicy;
  fleet: FleetPolicy;
  release: "release" | "handoff";
  interruptions?: number;
  target?: number;
  worker?: WorkerModel;
}) {
  return simulate({
    workers: [opts.worker ?? worker],
    instanceTypes: [type],
    initialTarget: opts.target ?? 16,
    arrivals: (t) => Array.from({ length: opts.arrivals[t] ?? 0 }, () => 0),
    seconds: opts.seconds,
    interruptionsPerInstanceHour: opts.interruptions ?? 0,
    service: opts.service,
    fleet: opts.fleet,
    release: opts.release,
    maxHandoffs: 20,
    timings: TIMINGS,
    rng: seededRng(1),
  });
}

describe("scaling simulator", () => {
  describe("step adjustments (Application Auto Scaling semantics)", () => {
    const steps = scaleOutSteps(2, 10);
    const cases: Array<[number, number | undefined]> = [
      [0, undefined], // at the threshold a GreaterThanThreshold alarm does not breach
      [1, 1],
      [2, 2],
      [3, 2],
      [19, 10],
      [500, 10],
    ];
    for (const [value, adjustment] of cases) {
      it(`takes adjustment ${adjustment} for a backlog of ${value} with 2 messages per task`, () => {
        assert.equal(stepFor(steps, value, 0)?.scalingAdjustment, adjustment);
      });
    }
    it("matches the scale-in step at the idle threshold (upper bound inclusive below it)", () => {
      assert.equal(stepFor(SCALE_IN_STEPS, 0, 0)?.scalingAdjustment, 0);
    });
  });

  it("applies during a scale-out cooldown only the part of a larger adjustment beyond the one in effect", () => {
    const policy = new StepPolicy("ChangeInCapacity", scaleOutSteps(1, 10), 60);
    assert.equal(policy.apply(0, 0, 1, 0, 0, 10), 2); // a backlog in [1, 2): +2
    assert.equal(policy.apply(10, 2, 1, 0, 0, 10), undefined); // same step in cooldown: nothing
    assert.equal(policy.apply(20, 2, 4, 0, 0, 10), 5); // [4, 5): +5 from the baseline 0
    assert.equal(policy.apply(70, 5, 0.5, 0, 0, 10), 6); // cooldown over, [0, 1): +1
  });

  it("raises the idle alarm only after every evaluation period of the idle time breaches", () => {
    const spec = alarmSpecs({
      worker: "w",
      queueName: "q",
      deadLetterQueueName: "d",
      scaleInIdleSeconds: 180,
      oldestMessageAlarmSeconds: 60,
    }).find((s) => s.key === "idle")!;
    const alarm = new AlarmState(spec);
    const samples = new QueueSamples();
    const src = { customNamespace: "none", customLagSeconds: 10, nativeLagSeconds: 60 };
    const states: boolean[] = [];
    for (let t = 0; t <= 600; t += 10) {
      samples.record(t < 120 ? 3 : 0, 0);
      const v = alarm.evaluate(t, samples, src);
      if (t % 60 === 0) states.push(v !== undefined);
    }
    // Busy until 120 s; the 60-s lag and 3 idle minutes put the first ALARM at 360 s.
    assert.deepEqual(states, [false, false, false, false, false, false, true, true, true, true, true]);
  });

  it("accounts for every message: completed, in the DLQ or still queued", () => {
    const out = day({ seconds: 3600, arrivals: { 0: 10, 600: 5 }, service: steady(4), fleet: new FixedFleet(), release: "release" });
    assert.equal(out.arrivals, 15);
    assert.equal(out.completed, 15);
    assert.equal(out.waits.length, 15);
    assert.equal(out.vcpuSeconds, 16 * 3600);
  });

  it("kills running jobs when the fleet terminates on a lower target, and their messages wait out the visibility timeout", () => {
    const dropAt600: FleetPolicy = {
      terminatesOnTargetDrop: true,
      step: (c: Cluster) => void (c.now === 600 ? (c.target = 0) : undefined),
    };
    const out = day({ seconds: 1800, arrivals: { 590: 4 }, service: steady(4), fleet: dropAt600, release: "release" });
    assert.equal(out.killedByScaleIn, 4);
    assert.equal(out.completed, 0);
  });

  it("drains first: scale-in never kills a job, and drained instances stop billing once empty", () => {
    const bounds = { minCapacity: 16, maxCapacity: 64, weight: 16 };
    const out = day({
      seconds: 4 * 3600,
      arrivals: { 0: 40 },
      service: new BacklogAlarmServices([worker], { namespace: "n", periodSeconds: 10 }, 600, true),
      fleet: new ControllerFleet(SCALING_DEFAULTS, bounds),
      release: "handoff",
      target: 48,
    });
    assert.equal(out.killedByScaleIn, 0);
    assert.equal(out.completed, 40);
    // 48 vCPU for at most the first hour, then 32: the 16-vCPU minimum plus the spare threshold (one
    // instance, 16 vCPU by default, which one instance less its daemon's share cannot give).
    assert.ok(out.vcpuSeconds < 48 * 3600 + 32 * 3 * 3600, `billed ${out.vcpuSeconds / 3600} vCPU-hours`);
    assert.equal(out.series.at(-1)![1], 32);
  });

  it("charges a receive for each released job (Spot interruptions reach the DLQ) but never for a hand-off", () => {
    // Jobs of 10–30 minutes on instances that last half an hour on average.
    const long = { ...worker, meanJobSeconds: 1200 };
    const arrivals = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [i * 1800, 4]));
    const storm = { seconds: 9 * 3600, arrivals, service: steady(4), fleet: new FixedFleet(), interruptions: 2, worker: long };
    const released = day({ ...storm, release: "release" });
    const handedOff = day({ ...storm, release: "handoff" });
    assert.ok(released.deadLetteredWithoutFailure > 0, "a storm of interruptions sends released jobs to the DLQ");
    assert.equal(handedOff.deadLetteredWithoutFailure, 0);
    assert.ok(handedOff.interruptedJobs >= released.deadLetteredWithoutFailure * 2, "the hand-offs saw the same storm");
    assert.equal(handedOff.completed, 64);
  });
});
