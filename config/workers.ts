/**
 * `jobworker:workers`: the stack's worker kinds, typed and checked when the program starts.
 *
 * Each rule is checked once, where it belongs, and every error names the full key
 * (`jobworker:workers.orders-webhook.memory`) and the fix:
 * - here: the shape (zod: types, known fields), output bindings by the one binding schema
 *   (`catalog/bindings.ts`), and the rules across workers: known kinds, chaining targets and cycles,
 *   overlapping filters on a shared bucket, a chain back into a worker's own filter;
 * - in the JobWorker component (`components/job-worker/validation.ts`), run when the program creates
 *   each worker: the rules of one worker's arguments (limits against the cluster, slots against the
 *   kind, names and secrets of the environment); `withConfigKeys` reports its `JobWorkerArgsError`s
 *   under the stack key through their `field` and `detail`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { outputBindingSchema, problemsOf, problemText, type OutputBinding } from "../catalog/bindings";
import type { WorkerDefinition } from "../catalog/contract";
import { workerKinds as shippedKinds } from "../catalog/kinds";
import type {
  BacklogMetricsRef,
  ChainTarget,
  ClusterRef,
  ImageArgs,
  InputArgs,
  JobWorkerArgs,
  JobWorkerOutput,
  SharedBucketRef,
} from "../components/job-worker/args";
import { isJobWorkerArgsError } from "../components/job-worker/errors";
import { filtersOverlap } from "../components/job-worker/validation";
import { logAlarmsSchema } from "./alerts";
import { valueAt } from "./zod-issues";

export const WORKERS_KEY = "jobworker:workers";

const inputSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("own"), prefix: z.string().optional(), suffix: z.string().optional() }),
  z.strictObject({
    type: z.literal("shared"),
    /** Logical name of the shared bucket: every worker naming it shares one bucket (a SharedInputBucket of that name). */
    bucket: z.string().regex(/^[a-z][a-z0-9-]{0,27}$/, { message: "use a kebab-case name of at most 28 characters" }),
    prefix: z.string().optional(),
    suffix: z.string().optional(),
  }),
]);

/**
 * One worker's settings: types only, beyond the bindings. Ranges and names are the JobWorker
 * component's rules (they depend on the cluster and the kind), checked once, there.
 */
export const workerConfigSchema = z.strictObject({
  /** CPU units (1024 = 1 vCPU). */
  cpu: z.number(),
  /** Hard memory limit, MiB. */
  memory: z.number(),
  /** Most tasks. @default 10 */
  maxTasks: z.number().optional(),
  /** @default { type: own } */
  input: inputSchema.optional(),
  /** One binding per output slot of the kind. */
  outputs: z.record(z.string(), outputBindingSchema).default({}),
  /** Plain environment variables (never secrets). */
  env: z.record(z.string(), z.string()).default({}),
  /** Secrets by reference: `ssm:/param` or `secretsmanager:<name>`. */
  secrets: z.record(z.string(), z.string()).default({}),
  /** An image URI; without it the program builds `workers/Dockerfile` for the kind. */
  image: z.string().min(1).optional(),
  maxReceiveCount: z.number().optional(),
  stopTimeoutSeconds: z.number().optional(),
  readonlyRootFilesystem: z.boolean().optional(),
  backlogPerTask: z.number().optional(),
  scaleInIdleSeconds: z.number().optional(),
  oldestMessageAlarmSeconds: z.number().optional(),
  queueEncryption: z.enum(["sse-sqs", "kms"]).optional(),
  /**
   * SNS topic ARNs this worker's alerts go to (ALARM and OK) instead of the stack's topic: its owning
   * team's topic. The topic's policy (and key) must let CloudWatch and EventBridge publish. @default [the stack topic]
   */
  alarmActions: z
    .array(
      z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, {
        message: "use an SNS topic ARN, e.g. arn:aws:sns:ap-northeast-1:123456789012:team-alerts",
      }),
    )
    .min(1, { message: "list at least one SNS topic ARN, or remove the key to use the stack's topic" })
    .max(5, { message: "list at most 5 topics: a CloudWatch alarm takes 5 actions and an EventBridge rule 5 targets" })
    .optional(),
  /** This worker's log alarm thresholds (lines per 5 minutes); @default `jobworker:alerts.logAlarms` */
  alerts: logAlarmsSchema.optional(),
});

export type WorkerConfig = z.infer<typeof workerConfigSchema>;
export type WorkersConfig = Readonly<Record<string, WorkerConfig>>;

/** One problem, by full config key. */
export interface ConfigIssue {
  readonly key: string;
  readonly message: string;
}

/** `jobworker:workers` is wrong; `issues` lists every problem found, not only the first. */
export class WorkersConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super(`invalid stack configuration:\n${issues.map((i) => `  - \`${i.key}\` ${i.message}`).join("\n")}`, options);
    this.name = "WorkersConfigError";
    this.issues = issues;
  }
}

const keyOf = (path: readonly PropertyKey[]) => [WORKERS_KEY, ...path.map(String)].join(".");

/** A zod issue as config issues; inside an output binding, worded by the binding schema. */
function issuesOf(issue: z.core.$ZodIssue, raw: unknown): ConfigIssue[] {
  const [worker, section, slot, ...rest] = issue.path;
  if (section === "outputs" && slot !== undefined) {
    return problemsOf({ ...issue, path: rest }, valueAt(raw, [worker!, section, slot])).map((p) => ({
      key: keyOf([worker!, section, slot, ...(p.field === "" ? [] : p.field.split("."))]),
      message: problemText(p),
    }));
  }
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => ({
      key: keyOf([...issue.path, k]),
      message: "is not a setting here: check the spelling against docs/jobworker.md",
    }));
  }
  return [{ key: keyOf(issue.path), message: problemText({ value: valueAt(raw, issue.path), fix: issue.message }) }];
}

/** Parses the shape (zod), then checks the rules across workers; throws `WorkersConfigError`. */
export function parseWorkersConfig(raw: unknown, kinds: Readonly<Record<string, WorkerDefinition>> = shippedKinds): WorkersConfig {
  if (raw === undefined || raw === null) {
    throw new WorkersConfigError([
      { key: WORKERS_KEY, message: 'is missing: declare at least one worker kind (see docs/jobworker.md, "Add a worker").' },
    ]);
  }
  const parsed = z.record(z.string(), workerConfigSchema).safeParse(raw);
  if (!parsed.success) throw new WorkersConfigError(parsed.error.issues.flatMap((i) => issuesOf(i, raw)));
  const workers = parsed.data;
  const issues = checkWorkers(workers, kinds);
  if (issues.length > 0) throw new WorkersConfigError(issues);
  return workers;
}

/**
 * The rules across workers: known kinds, chaining targets (in the stack, not itself, not back into
 * its own filter on a shared bucket) and overlapping shared-bucket filters; cycles via `orderWorkers`.
 */
export function checkWorkers(workers: WorkersConfig, kinds: Readonly<Record<string, WorkerDefinition>>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: string[], message: string) => issues.push({ key: keyOf(path), message });
  if (Object.keys(workers).length === 0) add([], "declares no worker: add at least one worker kind.");
  for (const [name, w] of Object.entries(workers)) {
    if (!kinds[name]) {
      add(
        [name],
        `is not a worker kind; known kinds: ${Object.keys(kinds).sort().join(", ")} (a new kind needs a definition in catalog/kinds.ts and a handler in workers/kinds/).`,
      );
    }
    for (const [slot, binding] of Object.entries(w.outputs)) {
      if (binding.type !== "worker") continue;
      if (binding.worker === name) add([name, "outputs", slot, "worker"], "is the worker itself: it would trigger itself forever.");
      else if (!(binding.worker in workers))
        add(
          [name, "outputs", slot, "worker"],
          `is \`${binding.worker}\`, not a worker of this stack; declare it under ${WORKERS_KEY} or fix the name.`,
        );
      else {
        const target = workers[binding.worker].input;
        const own = w.input;
        if (own?.type === "shared" && target?.type === "shared" && own.bucket === target.bucket && filtersOverlap(own, target)) {
          add(
            [name, "outputs", slot],
            `writes into \`${binding.worker}\`'s input (shared bucket \`${own.bucket}\`, prefix \`${target.prefix ?? ""}\`), which \`${name}\`'s own filter (prefix \`${own.prefix ?? ""}\`) also matches: it would trigger itself forever. Use non-overlapping prefixes.`,
          );
        }
      }
    }
  }
  // Overlapping filters on one shared bucket: S3 rejects the notification configuration at deploy.
  const names = Object.keys(workers).sort();
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const [a, b] = [workers[names[i]].input, workers[names[j]].input];
      if (a?.type === "shared" && b?.type === "shared" && a.bucket === b.bucket && filtersOverlap(a, b)) {
        add(
          [names[j], "input"],
          `overlaps \`${names[i]}\`'s filter on shared bucket \`${a.bucket}\` (prefixes \`${a.prefix ?? ""}\` and \`${b.prefix ?? ""}\`, suffixes \`${a.suffix ?? ""}\` and \`${b.suffix ?? ""}\`): S3 rejects overlapping notifications; give each worker its own prefix.`,
        );
      }
    }
  }
  if (issues.length === 0) {
    try {
      orderWorkers(workers);
    } catch (err) {
      if (err instanceof WorkersConfigError) issues.push(...err.issues);
      else throw err;
    }
  }
  return issues;
}

/** Names of the workers a worker chains into (its `worker` bindings). */
export function chainTargets(worker: WorkerConfig): string[] {
  return [...new Set(Object.values(worker.outputs).flatMap((b: OutputBinding) => (b.type === "worker" ? [b.worker] : [])))].sort();
}

/**
 * Creation order: every worker after the workers it chains into (their buckets must exist to be
 * referenced). Deterministic (alphabetical among equals). A cycle or an unknown target is an error.
 */
export function orderWorkers(workers: WorkersConfig): string[] {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      const cycle = [...path.slice(path.indexOf(name)), name];
      throw new WorkersConfigError([
        {
          key: keyOf([path[path.length - 1], "outputs"]),
          message: `closes a chaining cycle ${cycle.join(" → ")}: every job would run forever; remove one link.`,
        },
      ]);
    }
    const worker = workers[name];
    if (!worker) {
      throw new WorkersConfigError([
        { key: keyOf([path[path.length - 1], "outputs"]), message: `chains into \`${name}\`, which is not a worker of this stack.` },
      ]);
    }
    state.set(name, "visiting");
    for (const target of chainTargets(worker)) visit(target, [...path, name]);
    state.set(name, "done");
    order.push(name);
  };
  for (const name of Object.keys(workers).sort()) visit(name, []);
  return order;
}

/** Reads `jobworker:workers` from the stack configuration (`new pulumi.Config("jobworker")`). */
export function loadWorkersConfig(cfg: pulumi.Config, kinds: Readonly<Record<string, WorkerDefinition>> = shippedKinds): WorkersConfig {
  let raw: unknown;
  try {
    raw = cfg.getObject<unknown>("workers");
  } catch (err) {
    throw new WorkersConfigError([
      { key: WORKERS_KEY, message: `is not valid JSON/YAML (${err instanceof Error ? err.message : String(err)}).` },
    ]);
  }
  return parseWorkersConfig(raw, kinds);
}

/** What the program supplies to turn a worker's configuration into JobWorker args. */
export interface WorkerArgsDeps {
  readonly cluster: ClusterRef;
  readonly kinds?: Readonly<Record<string, WorkerDefinition>>;
  /** The image when the config names none (the program's build of `workers/Dockerfile`). */
  readonly defaultImage: ImageArgs;
  /** The shared bucket of a logical name (the program creates one per name). */
  readonly sharedBucket: (name: string) => SharedBucketRef;
  /** An already created worker (creation follows `orderWorkers`, so targets exist). */
  readonly worker: (name: string) => ChainTarget;
  readonly backlogMetrics?: BacklogMetricsRef;
  /** The stack's alert topic; a worker's own `alarmActions` replace it. */
  readonly alarmActions?: readonly pulumi.Input<string>[];
}

/** Maps one validated worker configuration to `JobWorkerArgs`: a plain function, no resources. */
export function jobWorkerArgsFor(name: string, w: WorkerConfig, deps: WorkerArgsDeps): JobWorkerArgs {
  const definition = (deps.kinds ?? shippedKinds)[name];
  if (!definition) throw new WorkersConfigError([{ key: keyOf([name]), message: "is not a worker kind." }]);
  const outputs: Record<string, JobWorkerOutput> = {};
  for (const [slot, binding] of Object.entries(w.outputs)) {
    outputs[slot] = binding.type === "worker" ? { type: "worker", worker: deps.worker(binding.worker) } : binding;
  }
  const input: InputArgs =
    w.input?.type === "shared"
      ? { type: "shared", bucket: deps.sharedBucket(w.input.bucket), prefix: w.input.prefix, suffix: w.input.suffix }
      : { type: "own", prefix: w.input?.prefix, suffix: w.input?.suffix };
  return {
    cluster: deps.cluster,
    definition,
    cpu: w.cpu,
    memory: w.memory,
    maxTasks: w.maxTasks,
    input,
    outputs,
    image: w.image !== undefined ? { uri: w.image } : deps.defaultImage,
    environment: w.env,
    secrets: w.secrets,
    maxReceiveCount: w.maxReceiveCount,
    stopTimeoutSeconds: w.stopTimeoutSeconds,
    readonlyRootFilesystem: w.readonlyRootFilesystem,
    backlogPerTask: w.backlogPerTask,
    scaleInIdleSeconds: w.scaleInIdleSeconds,
    oldestMessageAlarmSeconds: w.oldestMessageAlarmSeconds,
    queueEncryption: w.queueEncryption === "kms" ? { type: "kms" } : undefined,
    backlogMetrics: deps.backlogMetrics,
    alarmActions: w.alarmActions ?? deps.alarmActions,
  };
}

/** JobWorker argument fields whose config key differs (`environment` is `env` in the stack file). */
const FIELD_TO_KEY: Readonly<Record<string, string>> = { environment: "env" };

/** Where a JobWorker argument lives under the worker's key: `environment.X` → `env.X`. */
export function configKeyForArgField(worker: string, field: string): string {
  const [head, ...rest] = field.split(".");
  return keyOf([worker, FIELD_TO_KEY[head!] ?? head!, ...rest]);
}

/**
 * Runs `create` (a JobWorker constructor) and re-throws its argument errors as configuration
 * errors naming the stack key, e.g. `jobworker:workers.orders-webhook.memory` for a memory that
 * does not fit the fleet's largest instance (a rule only the component can check: it knows the cluster).
 */
export function withConfigKeys<T>(worker: string, create: () => T): T {
  try {
    return create();
  } catch (err) {
    if (isJobWorkerArgsError(err) && err.worker === worker) {
      throw new WorkersConfigError([{ key: configKeyForArgField(worker, err.field), message: err.detail }], { cause: err });
    }
    throw err;
  }
}
