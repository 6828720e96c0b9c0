/**
 * A discrete-time model (10-second steps) of one cluster running many worker services: queues,
 * tasks, instances, Spot interruptions and the scaling loops, so capacity policies can be compared
 * on the same day of demand. The policies (service scaling and fleet scaling) are plugged in
 * (`policies.ts`); this file only moves messages, tasks and instances and keeps the accounts.
 *
 * What the model takes from AWS (the timings are in `TIMINGS`, each with its source):
 * - a message received by a task is invisible until deleted, released (visible at once, and its
 *   receive counted) or its visibility timeout passes (a task killed without a drain); a message
 *   received more than `maxReceiveCount` times goes to the dead-letter queue on that receive;
 * - ECS places a service's tasks while the desired count exceeds the running count, on ACTIVE
 *   instances with enough unreserved CPU and memory (binpack memory, then CPU, as the services
 *   ask); a task that fits nowhere waits for capacity; a task with scale-in protection (busy) is
 *   not stopped when the desired count falls;
 * - a Spot interruption warning comes 2 minutes before the instance stops; the watcher drains it,
 *   ECS stops its tasks (SIGTERM, `stopTimeout`), the runtime finishes what fits in its drain
 *   deadline and hands back the rest;
 * - an instance terminated by the fleet while it runs tasks kills them (no drain).
 */
import type { Rng } from "./rng";

export const STEP_SECONDS = 10;

/** A worker kind as the model sees it: its limits, its job length and its scaling settings. */
export interface WorkerModel {
  readonly name: string;
  /** CPU units (1024 = 1 vCPU) and MiB of one task. */
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly concurrency: number;
  readonly maxTasks: number;
  readonly meanJobSeconds: number;
  readonly maxProcessingSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  /** The runtime's drain deadline after SIGTERM (stopTimeout minus the shutdown margin). */
  readonly drainSeconds: number;
}

export interface InstanceModel {
  readonly instanceType: string;
  readonly weight: number;
  readonly vcpu: number;
  readonly memoryMiB: number;
}

/** Timings the model assumes, with where each comes from. */
export interface Timings {
  /** Spot request fulfilled → instance booted → ECS agent registered (ACTIVE). */
  readonly instanceReadySeconds: number;
  /** Image pull on an instance that has not run the kind yet. */
  readonly imagePullSeconds: number;
  /** Container start to the runtime's first receive. */
  readonly taskStartSeconds: number;
  /** Spot interruption warning → instance stopped. */
  readonly spotNoticeSeconds: number;
  /** ECS agent's own reservation per instance (the log collector daemon). */
  readonly daemonCpu: number;
  readonly daemonMemoryMiB: number;
}

export const TIMINGS: Timings = {
  // ECS-optimized AL2023 boots and registers in 1.5–3 minutes after fulfilment ("Amazon ECS container
  // instance launch", AWS re:Post and the ECS best-practices guide, "Cluster auto scaling": "it can
  // take several minutes for instances to launch and register").
  instanceReadySeconds: 150,
  // A ~150 MB Node image from ECR in the same region: 15–30 s (ECS best practices, "Task launch
  // time": image pull is usually the largest part of task start).
  imagePullSeconds: 25,
  taskStartSeconds: 5,
  // "Spot Instance interruption notices": a two-minute warning.
  spotNoticeSeconds: 120,
  // The cluster's log collector DAEMON (components/spot-ecs-cluster LOG_COLLECTOR_DEFAULTS).
  daemonCpu: 128,
  daemonMemoryMiB: 128,
};

export interface Message {
  readonly id: number;
  readonly worker: number;
  readonly arrivedAt: number;
  visibleAt: number;
  receiveCount: number;
  handoffs: number;
  started: boolean;
}

export interface Job {
  readonly message: Message;
  readonly endsAt: number;
}

export type TaskState = "starting" | "running" | "stopping";

export interface Task {
  readonly id: number;
  readonly worker: number;
  readonly instance: Instance;
  state: TaskState;
  readyAt: number;
  /** When a stopping task exits (drain deadline). */
  stopAt: number;
  readonly jobs: Job[];
  readonly startedAt: number;
}

export type InstanceState = "launching" | "active" | "draining" | "terminated";

export interface Instance {
  readonly id: number;
  readonly type: InstanceModel;
  state: InstanceState;
  readonly launchedAt: number;
  readyAt: number;
  /** Set when a Spot interruption warning arrived: the instance stops at this time. */
  interruptedAt?: number;
  stopsAt?: number;
  terminatedAt?: number;
  readonly tasks: Set<Task>;
  readonly pulled: Set<number>;
  cpuReserved: number;
  memReserved: number;
}

/** How a stopped task hands back an unfinished message. */
export type ReleaseMode = "release" | "handoff";

/** The numbers a day leaves. */
export interface Outcome {
  vcpuSeconds: number;
  taskSeconds: number;
  waits: number[];
  arrivals: number;
  completed: number;
  killedByScaleIn: number;
  interruptedJobs: number;
  deadLetteredWithoutFailure: number;
  peakInstances: number;
  unplacedTaskSeconds: number;
  /** One sample a minute: [seconds, capacity vCPU (billed), vCPU demanded by tasks and waiting work]. */
  series: Array<[number, number, number]>;
}

/** What policies read and act on. */
export interface Cluster {
  readonly now: number;
  readonly workers: readonly WorkerModel[];
  readonly instances: readonly Instance[];
  readonly desired: number[];
  /** Fleet target capacity (weight units). */
  target: number;
  visible(worker: number): number;
  inFlight(worker: number): number;
  tasksOf(worker: number): Task[];
  /** Tasks the service wants but ECS could not place, per worker. */
  unplaced(worker: number): number;
  /** Sets an instance DRAINING (its tasks are stopped and replaced elsewhere). */
  drain(instance: Instance): void;
  /** Terminates an instance now; tasks still on it die. `cause` decides how their jobs count. */
  terminate(instance: Instance, cause: "scale-in" | "spot"): void;
}

export interface ServicePolicy {
  /** Called every step; returns nothing, sets `cluster.desired[w]`. */
  step(cluster: Cluster): void;
}

export interface FleetPolicy {
  /** Called every step: may change `cluster.target`, drain or terminate instances. */
  step(cluster: Cluster): void;
  /** Picks an instance to terminate when the target falls below the running capacity (fleet default: its own choice). */
  readonly terminatesOnTargetDrop: boolean;
}

export interface SimulationInput {
  readonly workers: readonly WorkerModel[];
  readonly instanceTypes: readonly InstanceModel[];
  readonly initialTarget: number;
  /** Arrivals per step: `arrivals(t)` → worker indexes, one per new message. */
  readonly arrivals: (t: number) => number[];
  readonly seconds: number;
  /** Spot interruption warnings per instance-hour. */
  readonly interruptionsPerInstanceHour: number;
  readonly service: ServicePolicy;
  readonly fleet: FleetPolicy;
  readonly release: ReleaseMode;
  /** Hand-offs a message may take before a stop counts as a receive again. */
  readonly maxHandoffs: number;
  readonly timings: Timings;
  readonly rng: Rng;
}

export function simulate(input: SimulationInput): Outcome {
  return new Simulation(input).run();
}

class Simulation implements Cluster {
  now = 0;
  target: number;
  readonly workers: readonly WorkerModel[];
  readonly instances: Instance[] = [];
  readonly desired: number[];
  private readonly queues: Message[][];
  private readonly delayed: Message[] = [];
  private readonly inflight: number[];
  private readonly tasks: Task[][];
  private readonly unplacedCount: number[];
  private nextId = 1;
  private readonly out: Outcome;

  constructor(private readonly input: SimulationInput) {
    this.workers = input.workers;
    this.target = input.initialTarget;
    this.desired = input.workers.map(() => 0);
    this.queues = input.workers.map(() => []);
    this.inflight = input.workers.map(() => 0);
    this.tasks = input.workers.map(() => []);
    this.unplacedCount = input.workers.map(() => 0);
    this.out = {
      vcpuSeconds: 0,
      taskSeconds: 0,
      waits: [],
      arrivals: 0,
      completed: 0,
      killedByScaleIn: 0,
      interruptedJobs: 0,
      deadLetteredWithoutFailure: 0,
      peakInstances: 0,
      unplacedTaskSeconds: 0,
      series: [],
    };
    // The day starts with the fleet at its target, registered.
    this.fulfil(true);
  }

  run(): Outcome {
    for (this.now = 0; this.now < this.input.seconds; this.now += STEP_SECONDS) {
      this.arrive();
      this.instancesStep();
      this.tasksStep();
      this.receive();
      this.input.service.step(this);
      this.input.fleet.step(this);
      this.fulfil(false);
      this.schedule();
      this.account();
    }
    this.finish();
    return this.out;
  }

  // --- what policies read ---
  visible(w: number): number {
    return this.queues[w].length;
  }
  inFlight(w: number): number {
    return this.inflight[w];
  }
  tasksOf(w: number): Task[] {
    return this.tasks[w];
  }
  unplaced(w: number): number {
    return this.unplacedCount[w];
  }

  drain(instance: Instance): void {
    if (instance.state !== "active") return;
    instance.state = "draining";
    for (const task of instance.tasks) this.stopTask(task);
  }

  terminate(instance: Instance, cause: "scale-in" | "spot"): void {
    if (instance.state === "terminated") return;
    for (const task of [...instance.tasks]) {
      for (const job of task.jobs) {
        if (cause === "scale-in") this.out.killedByScaleIn++;
        else this.out.interruptedJobs++;
        // Killed without a drain: the message comes back when its visibility timeout passes.
        job.message.visibleAt = this.now + this.workers[task.worker].visibilityTimeoutSeconds;
        this.inflight[task.worker]--;
        this.delayed.push(job.message);
      }
      task.jobs.length = 0;
      this.removeTask(task);
    }
    instance.state = "terminated";
    instance.terminatedAt = this.now;
  }

  // --- the steps ---
  private arrive(): void {
    for (const w of this.input.arrivals(this.now)) {
      this.queues[w].push({
        id: this.nextId++,
        worker: w,
        arrivedAt: this.now,
        visibleAt: this.now,
        receiveCount: 0,
        handoffs: 0,
        started: false,
      });
      this.out.arrivals++;
    }
    if (this.delayed.length > 0) {
      for (let i = this.delayed.length - 1; i >= 0; i--) {
        const m = this.delayed[i];
        if (m.visibleAt <= this.now) {
          this.queues[m.worker].push(m);
          this.delayed.splice(i, 1);
        }
      }
    }
  }

  private instancesStep(): void {
    const perStep = (this.input.interruptionsPerInstanceHour * STEP_SECONDS) / 3600;
    for (const instance of this.instances) {
      if (instance.state === "launching" && instance.readyAt <= this.now) instance.state = "active";
      if ((instance.state === "active" || instance.state === "draining") && instance.stopsAt === undefined && perStep > 0) {
        if (this.input.rng.next() < perStep) {
          instance.interruptedAt = this.now;
          instance.stopsAt = this.now + this.input.timings.spotNoticeSeconds;
          this.drain(instance);
        }
      }
      if (instance.stopsAt !== undefined && instance.stopsAt <= this.now && instance.state !== "terminated") {
        this.terminate(instance, "spot");
      }
    }
  }

  private tasksStep(): void {
    for (let w = 0; w < this.tasks.length; w++) {
      for (const task of [...this.tasks[w]]) {
        if (task.state === "starting" && task.readyAt <= this.now) task.state = "running";
        for (let i = task.jobs.length - 1; i >= 0; i--) {
          if (task.jobs[i].endsAt <= this.now) {
            task.jobs.splice(i, 1);
            this.inflight[w]--;
            this.out.completed++;
          }
        }
        if (task.state === "stopping" && (task.jobs.length === 0 || task.stopAt <= this.now)) {
          for (const job of task.jobs) this.handBack(job.message);
          task.jobs.length = 0;
          this.removeTask(task);
        }
      }
    }
  }

  /** A job cut short by a stop: released (a receive was charged) or handed off (a fresh copy). */
  private handBack(message: Message): void {
    this.out.interruptedJobs++;
    this.inflight[message.worker]--;
    if (this.input.release === "handoff" && message.handoffs < this.input.maxHandoffs) {
      message.handoffs++;
      message.receiveCount = 0;
    }
    message.visibleAt = this.now;
    this.queues[message.worker].push(message);
  }

  private receive(): void {
    for (let w = 0; w < this.tasks.length; w++) {
      const queue = this.queues[w];
      if (queue.length === 0) continue;
      const worker = this.workers[w];
      for (const task of this.tasks[w]) {
        while (task.state === "running" && task.jobs.length < worker.concurrency && queue.length > 0) {
          const message = queue.shift()!;
          message.receiveCount++;
          if (message.receiveCount > worker.maxReceiveCount) {
            // SQS moves it to the DLQ on the receive after maxReceiveCount; every job here succeeds,
            // so each arrival in the DLQ is one without a failure.
            this.out.deadLetteredWithoutFailure++;
            continue;
          }
          if (!message.started) {
            message.started = true;
            this.out.waits.push(this.now - message.arrivedAt);
          }
          const length = worker.meanJobSeconds * (0.5 + this.input.rng.next());
          task.jobs.push({ message, endsAt: this.now + length });
          this.inflight[w]++;
        }
      }
    }
  }

  /** Brings the fleet to its target: launches for a shortfall; terminates for an excess when the fleet does. */
  private fulfil(initial: boolean): void {
    const live = this.instances.filter((i) => i.state !== "terminated" && i.stopsAt === undefined);
    let capacity = live.reduce((sum, i) => sum + i.type.weight, 0);
    const types = this.input.instanceTypes;
    while (capacity < this.target) {
      const type = types[Math.floor(this.input.rng.next() * types.length)];
      const instance: Instance = {
        id: this.nextId++,
        type,
        state: initial ? "active" : "launching",
        launchedAt: this.now,
        readyAt: this.now + (initial ? 0 : this.input.timings.instanceReadySeconds),
        tasks: new Set(),
        pulled: new Set(),
        cpuReserved: this.input.timings.daemonCpu,
        memReserved: this.input.timings.daemonMemoryMiB,
      };
      this.instances.push(instance);
      capacity += type.weight;
    }
    if (!this.input.fleet.terminatesOnTargetDrop) return;
    // Spot Fleet lowers capacity by terminating instances of its own choosing (no drain).
    while (capacity - this.target > 0) {
      const candidates = this.instances.filter((i) => i.state !== "terminated" && i.stopsAt === undefined);
      if (candidates.length === 0) break;
      const victim = candidates[Math.floor(this.input.rng.next() * candidates.length)];
      if (capacity - victim.type.weight < this.target) break;
      this.terminate(victim, "scale-in");
      capacity -= victim.type.weight;
    }
  }

  /** The ECS service scheduler: place up to the desired count, stop idle tasks above it. */
  private schedule(): void {
    for (let w = 0; w < this.tasks.length; w++) {
      const worker = this.workers[w];
      const live = this.tasks[w].filter((t) => t.state !== "stopping");
      let missing = this.desired[w] - live.length;
      this.unplacedCount[w] = 0;
      while (missing > 0) {
        const instance = this.placeFor(worker);
        if (!instance) {
          this.unplacedCount[w] = missing;
          break;
        }
        const pull = instance.pulled.has(w) ? 0 : this.input.timings.imagePullSeconds;
        instance.pulled.add(w);
        const task: Task = {
          id: this.nextId++,
          worker: w,
          instance,
          state: "starting",
          readyAt: this.now + pull + this.input.timings.taskStartSeconds,
          stopAt: Infinity,
          jobs: [],
          startedAt: this.now,
        };
        instance.tasks.add(task);
        instance.cpuReserved += worker.cpu;
        instance.memReserved += worker.memoryMiB;
        this.tasks[w].push(task);
        missing--;
      }
      // Scale-in: only tasks without a job (busy ones carry scale-in protection).
      for (const task of live) {
        if (missing >= 0) break;
        if (task.jobs.length > 0) continue;
        this.stopTask(task);
        missing++;
      }
    }
  }

  private placeFor(worker: WorkerModel): Instance | undefined {
    let best: Instance | undefined;
    for (const i of this.instances) {
      if (i.state !== "active") continue;
      const freeMem = i.type.memoryMiB - i.memReserved;
      const freeCpu = i.type.vcpu * 1024 - i.cpuReserved;
      if (freeMem < worker.memoryMiB || freeCpu < worker.cpu) continue;
      // binpack memory, then CPU: the fullest instance that fits.
      if (!best || freeMem < best.type.memoryMiB - best.memReserved) best = i;
    }
    return best;
  }

  private stopTask(task: Task): void {
    if (task.state === "stopping") return;
    task.state = "stopping";
    task.stopAt = this.now + this.workers[task.worker].drainSeconds;
  }

  private removeTask(task: Task): void {
    const list = this.tasks[task.worker];
    list.splice(list.indexOf(task), 1);
    task.instance.tasks.delete(task);
    task.instance.cpuReserved -= this.workers[task.worker].cpu;
    task.instance.memReserved -= this.workers[task.worker].memoryMiB;
    this.out.taskSeconds += this.now - task.startedAt;
  }

  private account(): void {
    let billed = 0;
    let count = 0;
    for (const i of this.instances) {
      if (i.state === "terminated") continue;
      billed += i.type.vcpu;
      count++;
    }
    this.out.vcpuSeconds += billed * STEP_SECONDS;
    this.out.peakInstances = Math.max(this.out.peakInstances, count);
    let unplaced = 0;
    for (let w = 0; w < this.workers.length; w++) unplaced += this.unplacedCount[w];
    this.out.unplacedTaskSeconds += unplaced * STEP_SECONDS;
    if (this.now % 60 === 0) {
      // Demand: vCPUs that running jobs and waiting messages need (one task slot per job).
      let demand = 0;
      for (let w = 0; w < this.workers.length; w++) {
        const worker = this.workers[w];
        const slots = this.inflight[w] + this.queues[w].length;
        demand += (Math.min(worker.maxTasks, Math.ceil(slots / worker.concurrency)) * worker.cpu) / 1024;
      }
      this.out.series.push([this.now, billed, demand]);
    }
  }

  /** At the end of the day, tasks still running count their hours. */
  private finish(): void {
    for (const list of this.tasks) for (const t of list) this.out.taskSeconds += this.now - t.startedAt;
  }
}
