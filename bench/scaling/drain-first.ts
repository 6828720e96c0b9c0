/**
 * The drain-first capacity policy (issue 17):
 * - services: the backlog publisher's per-worker `TasksNeeded` = ceil((visible + in flight) /
 *   concurrency), clamped to 0..maxTasks; scale out to it at once, scale in to it after it stayed
 *   lower for a while (only idle tasks stop: busy ones are protected);
 * - fleet: scale out on the vCPU that unplaceable tasks need beyond the free ACTIVE capacity and
 *   what is already launching; the capacity controller drains the emptiest ACTIVE instance when
 *   spare ACTIVE capacity stays above one instance for a while, and terminates DRAINING instances
 *   once they run no worker task (the fleet itself never terminates on a lower target).
 */
import type { Cluster, FleetPolicy, Instance, ServicePolicy, WorkerModel } from "./model";
import type { BacklogPublisherSettings, FleetBounds } from "./policies";

export interface TasksNeededSettings {
  /** TasksNeeded below the desired count this long before scaling in, seconds. */
  readonly scaleInAfterSeconds: number;
}

export class TasksNeededServices implements ServicePolicy {
  private readonly lowSince: number[];
  /** What the publisher measured one period ago: its datapoint reaches the alarm a period later. */
  private readonly published: number[];
  constructor(
    private readonly workers: readonly WorkerModel[],
    private readonly publisher: BacklogPublisherSettings,
    private readonly settings: TasksNeededSettings = { scaleInAfterSeconds: 180 },
  ) {
    this.lowSince = workers.map(() => Infinity);
    this.published = workers.map(() => 0);
  }

  step(c: Cluster): void {
    if (c.now % this.publisher.periodSeconds !== 0) return;
    for (let w = 0; w < this.workers.length; w++) {
      const worker = this.workers[w];
      const needed = this.published[w];
      this.published[w] = Math.min(worker.maxTasks, Math.ceil((c.visible(w) + c.inFlight(w)) / worker.concurrency));
      if (needed > c.desired[w]) {
        c.desired[w] = needed;
        this.lowSince[w] = Infinity;
      } else if (needed < c.desired[w]) {
        if (this.lowSince[w] === Infinity) this.lowSince[w] = c.now;
        if (c.now - this.lowSince[w] >= this.settings.scaleInAfterSeconds) {
          c.desired[w] = needed;
          this.lowSince[w] = Infinity;
        }
      } else this.lowSince[w] = Infinity;
    }
  }
}

export interface ControllerSettings {
  /** Spare ACTIVE vCPU above this many instances' worth, for `scaleInAfterSeconds`, drains one instance. */
  readonly spareInstances: number;
  readonly scaleInAfterSeconds: number;
  /** Seconds between two controller runs. */
  readonly intervalSeconds: number;
}

export class DrainFirstFleet implements FleetPolicy {
  readonly terminatesOnTargetDrop = false;
  private spareSince = Infinity;

  constructor(
    private readonly bounds: FleetBounds,
    private readonly publisherPeriod: number,
    private readonly settings: ControllerSettings = { spareInstances: 1, scaleInAfterSeconds: 600, intervalSeconds: 60 },
  ) {}

  step(c: Cluster): void {
    // The controller terminates drained instances as soon as they run no worker task.
    for (const i of c.instances) if (i.state === "draining" && i.stopsAt === undefined && i.tasks.size === 0) c.terminate(i, "scale-in");
    if (c.now % this.publisherPeriod === 0) this.scaleOut(c);
    if (c.now % this.settings.intervalSeconds === 0) this.scaleIn(c);
  }

  private scaleOut(c: Cluster): void {
    let needCpu = 0;
    let needMem = 0;
    for (let w = 0; w < c.workers.length; w++) {
      needCpu += c.unplaced(w) * c.workers[w].cpu;
      needMem += c.unplaced(w) * c.workers[w].memoryMiB;
    }
    if (needCpu === 0) return;
    const launching = c.instances.filter((i) => i.state === "launching");
    const comingCpu = launching.reduce((s, i) => s + i.type.vcpu * 1024, 0);
    const comingMem = launching.reduce((s, i) => s + i.type.memoryMiB, 0);
    const type = c.instances[0]?.type;
    const perCpu = (type?.vcpu ?? this.bounds.weight) * 1024;
    const perMem = type?.memoryMiB ?? this.bounds.weight * 4096;
    const instances = Math.max(Math.ceil((needCpu - comingCpu) / perCpu), Math.ceil((needMem - comingMem) / perMem), 0);
    if (instances > 0) c.target = Math.min(this.bounds.maxCapacity, c.target + instances * this.bounds.weight);
  }

  private scaleIn(c: Cluster): void {
    const active = c.instances.filter((i) => i.state === "active" && i.stopsAt === undefined);
    const spareCpu = active.reduce((s, i) => s + (i.type.vcpu * 1024 - i.cpuReserved), 0) / 1024;
    const waiting = c.workers.some((_, w) => c.unplaced(w) > 0);
    if (
      waiting ||
      spareCpu <= this.settings.spareInstances * this.bounds.weight ||
      c.target - this.bounds.weight < this.bounds.minCapacity
    ) {
      this.spareSince = Infinity;
      return;
    }
    if (this.spareSince === Infinity) this.spareSince = c.now;
    if (c.now - this.spareSince < this.settings.scaleInAfterSeconds) return;
    const emptiest = active.reduce<Instance | undefined>(
      (best, i) => (!best || busy(i) < busy(best) || (busy(i) === busy(best) && i.cpuReserved < best.cpuReserved) ? i : best),
      undefined,
    );
    if (!emptiest) return;
    c.drain(emptiest);
    c.target -= emptiest.type.weight;
    this.spareSince = Infinity;
  }
}

function busy(i: Instance): number {
  let jobs = 0;
  for (const t of i.tasks) jobs += t.jobs.length;
  return jobs;
}
