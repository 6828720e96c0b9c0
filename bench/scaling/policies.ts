/**
 * The capacity policies the simulator compares, each built from the specs the components render
 * (imported, not re-typed):
 * - `fixed`: the production system's fixed 168-vCPU Spot Fleet; services scale on the backlog alarms.
 * - `reservation`: the fleet's target tracking on CPU and memory reservation (`reservationPolicies`)
 *   with the services' step scaling to zero (`alarmSpecs`, `scaleOutSteps`, `SCALE_IN_STEPS`); the
 *   fleet lowers its target by terminating instances of its choosing, and a stopped task's
 *   unfinished message is released (a receive charged).
 */
import type { ScalingSettings } from "../../components/spot-ecs-cluster/capacity-scaling-spec";
import { reservationPolicies } from "../../components/spot-ecs-cluster/capacity-scaling-spec";
import type { AlarmSpec } from "../../components/job-worker/scaling";
import { alarmSpecs, SCALE_IN_STEPS, scaleOutSteps, tasksNeededSteps } from "../../components/job-worker/scaling";
import { tasksNeeded } from "../../workers/backlog-publisher/tasks-needed";
import { AlarmState, QueueSamples, StepPolicy, type MetricSource } from "./alarms";
import type { Cluster, FleetPolicy, Instance, ServicePolicy, WorkerModel } from "./model";
import { STEP_SECONDS } from "./model";

/** The step policies' cooldown, as `components/job-worker/autoscaling.ts` sets it. */
export const SERVICE_COOLDOWN_SECONDS = 60;

export interface BacklogPublisherSettings {
  readonly namespace: string;
  readonly periodSeconds: number;
}

/**
 * Services on the backlog alarms: step scale-out from zero, scale-in to zero after the idle time;
 * with `tasksNeeded`, also the tasks-needed alarm that sets the desired count to what the backlog
 * needs (gradual scale-in).
 */
export class BacklogAlarmServices implements ServicePolicy {
  private readonly samples: QueueSamples[];
  private readonly alarms: Array<Array<{ state: AlarmState; policy: StepPolicy }>>;
  private readonly source: MetricSource;

  constructor(
    private readonly workers: readonly WorkerModel[],
    publisher: BacklogPublisherSettings,
    scaleInIdleSeconds: number,
    withTasksNeeded = false,
  ) {
    this.source = { customNamespace: publisher.namespace, customLagSeconds: publisher.periodSeconds, nativeLagSeconds: 60 };
    this.samples = workers.map(() => new QueueSamples());
    this.alarms = workers.map((w) => {
      const scaleOut = new StepPolicy("ChangeInCapacity", scaleOutSteps(w.concurrency, w.maxTasks), SERVICE_COOLDOWN_SECONDS);
      const scaleIn = new StepPolicy("ExactCapacity", SCALE_IN_STEPS, SERVICE_COOLDOWN_SECONDS);
      const toNeeded = new StepPolicy("ExactCapacity", tasksNeededSteps(w.maxTasks), SERVICE_COOLDOWN_SECONDS);
      const specs: AlarmSpec[] = alarmSpecs({
        worker: w.name,
        queueName: w.name,
        deadLetterQueueName: `${w.name}-dlq`,
        scaleInIdleSeconds,
        oldestMessageAlarmSeconds: 1800,
        ...(withTasksNeeded ? { maxTasks: w.maxTasks } : {}),
        backlogMetrics: publisher,
      });
      return specs
        .filter((s) => s.action !== "notify")
        .map((spec) => ({
          state: new AlarmState(spec),
          policy: spec.action === "scale-out" ? scaleOut : spec.action === "scale-to-needed" ? toNeeded : scaleIn,
        }));
    });
  }

  step(c: Cluster): void {
    for (let w = 0; w < this.workers.length; w++) {
      this.samples[w].record(c.visible(w), c.inFlight(w), tasksNeeded(c.visible(w), c.inFlight(w), this.workers[w]));
      for (const { state, policy } of this.alarms[w]) {
        const value = state.evaluate(c.now, this.samples[w], this.source);
        if (value === undefined) continue;
        const next = policy.apply(c.now, c.desired[w], value, state.spec.threshold, 0, this.workers[w].maxTasks);
        if (next !== undefined) c.desired[w] = next;
      }
    }
  }
}

/** The production system's fleet: a fixed target; nothing scales it. */
export class FixedFleet implements FleetPolicy {
  readonly terminatesOnTargetDrop = true;
  step(): void {}
}

export interface FleetBounds {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** Capacity units of one instance (all of the prod fleet's types weigh 16). */
  readonly weight: number;
}

/**
 * Target tracking on CPUReservation and MemoryReservation. Application Auto Scaling's alarms: scale
 * out after 3 one-minute datapoints above the target, scale in after 15 below it (90 % of it here),
 * and only when every policy agrees ("Target tracking scaling policies for Application Auto Scaling").
 */
export class ReservationTrackingFleet implements FleetPolicy {
  readonly terminatesOnTargetDrop = true;
  private readonly history: Array<{ cpu: number; memory: number }> = [];
  private outCooldownEnds = -Infinity;
  private inCooldownEnds = -Infinity;

  constructor(
    private readonly settings: ScalingSettings,
    private readonly bounds: FleetBounds,
    /** False when the policies set `disableScaleIn` (scale-in is the capacity controller's). */
    private readonly scaleIn = true,
  ) {}

  step(c: Cluster): void {
    if (c.now % 60 !== 0) return;
    this.history.push(reservation(c.instances));
    const policies = reservationPolicies(this.settings);
    const last = (n: number) => this.history.slice(-n);
    const metricOf = (p: (typeof policies)[number], d: { cpu: number; memory: number }) =>
      p.metricName === "CPUReservation" ? d.cpu : d.memory;
    const round = (capacity: number) => Math.ceil(capacity / this.bounds.weight) * this.bounds.weight;
    const clamp = (n: number) => Math.max(this.bounds.minCapacity, Math.min(this.bounds.maxCapacity, n));
    const high = policies.filter((p) => last(3).length === 3 && last(3).every((d) => metricOf(p, d) > p.targetValue));
    if (high.length > 0 && c.now >= this.outCooldownEnds) {
      const ratio = Math.max(...high.map((p) => metricOf(p, this.history.at(-1)!) / p.targetValue));
      const next = clamp(round(c.target * ratio));
      if (next > c.target) {
        c.target = next;
        this.outCooldownEnds = c.now + policies[0].scaleOutCooldown;
      }
      return;
    }
    if (!this.scaleIn) return;
    const allLow = policies.every((p) => last(15).length === 15 && last(15).every((d) => metricOf(p, d) < p.targetValue * 0.9));
    if (allLow && c.now >= this.inCooldownEnds && c.now >= this.outCooldownEnds) {
      const ratio = Math.max(...policies.map((p) => metricOf(p, this.history.at(-1)!) / p.targetValue));
      const next = clamp(round(c.target * ratio));
      if (next < c.target) {
        c.target = next;
        this.inCooldownEnds = c.now + policies[0].scaleInCooldown;
      }
    }
  }
}

/** ECS's CPUReservation and MemoryReservation (percent) over the registered instances. */
export function reservation(instances: readonly Instance[]): { cpu: number; memory: number } {
  let cpu = 0;
  let cpuTotal = 0;
  let memory = 0;
  let memoryTotal = 0;
  for (const i of instances) {
    if (i.state !== "active" && i.state !== "draining") continue;
    cpu += i.cpuReserved;
    cpuTotal += i.type.vcpu * 1024;
    memory += i.memReserved;
    memoryTotal += i.type.memoryMiB;
  }
  return { cpu: cpuTotal === 0 ? 0 : (100 * cpu) / cpuTotal, memory: memoryTotal === 0 ? 0 : (100 * memory) / memoryTotal };
}

export { STEP_SECONDS };
