/**
 * JobWorker argument validation: plain functions, no Pulumi, so they run (and are tested) without
 * mocks. Each error names the field in backticks, the value and the fix.
 */
import { KMS_KEY_ARN, parseOutputBinding, problemText } from "../../catalog/bindings";
import { WORKER_NAME_PATTERN } from "../../catalog/contract";
import { splitSecretRef } from "../../catalog/secret-ref";
import type { ClusterRef, KeyFilter, SettledArgs } from "./args";
import { JOB_WORKER_DEFAULTS } from "./args";
import { JobWorkerArgsError } from "./errors";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Reserved: the component sets these (`WORKER_ENV`). */
const RESERVED_ENV_PREFIX = "JOBWORKER_";
/**
 * ECS registers less memory than an instance type's nominal size (kernel, ECS agent): an m5.large
 * (8192 MiB) registers about 7680 MiB. A task asking for more than this share never gets placed.
 */
export const REGISTERED_MEMORY_FRACTION = 0.93;

/** Whether two S3 notification filters can match the same key (S3 rejects such a pair on one bucket). */
export function filtersOverlap(a: KeyFilter, b: KeyFilter): boolean {
  const [pa, pb, sa, sb] = [a.prefix ?? "", b.prefix ?? "", a.suffix ?? "", b.suffix ?? ""];
  return (pa.startsWith(pb) || pb.startsWith(pa)) && (sa.endsWith(sb) || sb.endsWith(sa));
}

function checkInteger(worker: string, field: string, value: number, min: number, max: number, fix: string): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new JobWorkerArgsError(worker, field, `is ${value}; it must be an integer from ${min} to ${max} (${fix}).`);
  }
}

/** An output binding by the one binding schema (`catalog/bindings.ts`, as deployed): the first problem. */
function checkBinding(worker: string, slot: string, binding: unknown): void {
  const parsed = parseOutputBinding(binding);
  if (parsed.problems) {
    const problem = parsed.problems[0]!;
    throw new JobWorkerArgsError(worker, [`outputs.${slot}`, problem.field].filter((p) => p !== "").join("."), `${problemText(problem)}.`);
  }
}

/**
 * Validates settled args against the cluster. Throws `JobWorkerArgsError` for the first problem.
 * Rules across workers are not here: overlapping filters on a shared bucket are refused when routes
 * are added (`SharedInputBucket`), and a stack's chaining (targets, cycles) is checked by its config
 * loader (`config/workers.ts`) before any worker is created.
 */
export function validateJobWorkerArgs(a: SettledArgs, cluster: ClusterRef): void {
  const w = a.name;
  const d = JOB_WORKER_DEFAULTS;
  if (!WORKER_NAME_PATTERN.test(w)) {
    throw new JobWorkerArgsError(
      w,
      "name",
      "must be kebab-case, start with a letter and be at most 28 characters (it names the queue, service and repository).",
    );
  }
  const vcpuUnits = cluster.largestInstance.vcpu * 1024;
  checkInteger(
    w,
    "cpu",
    a.cpu,
    1,
    vcpuUnits,
    `CPU units, 1024 per vCPU; the largest fleet instance ${cluster.largestInstance.instanceType} has ${vcpuUnits}`,
  );
  const usableMemory = Math.floor(cluster.largestInstance.memoryMiB * REGISTERED_MEMORY_FRACTION);
  checkInteger(
    w,
    "memory",
    a.memory,
    6,
    usableMemory,
    `MiB; ${cluster.largestInstance.instanceType} registers about ${usableMemory} MiB with ECS: lower it or add a larger instance type to the fleet`,
  );
  checkInteger(w, "maxTasks", a.maxTasks, 1, 1000, "the most tasks autoscaling may run");
  checkInteger(w, "definition.concurrency", a.definition.concurrency, 1, 100, "jobs one task runs at once");
  checkInteger(
    w,
    "definition.maxProcessingSeconds",
    a.definition.maxProcessingSeconds,
    1,
    d.maxVisibilityTimeoutSeconds - d.visibilityMarginSeconds,
    "the queue's visibility timeout is derived from it and SQS allows at most 12 hours",
  );
  checkInteger(w, "maxReceiveCount", a.maxReceiveCount, 1, 1000, "receives before a message moves to the dead-letter queue");
  checkInteger(
    w,
    "messageRetentionSeconds",
    a.messageRetentionSeconds,
    60,
    d.deadLetterRetentionSeconds,
    "SQS's limits; the DLQ keeps messages 14 days",
  );
  checkInteger(
    w,
    "maxMessageSizeBytes",
    a.maxMessageSizeBytes,
    d.minMessageSizeBytes,
    1_048_576,
    "an S3 event notification can be 64 KB, so no less than 65536",
  );
  checkInteger(
    w,
    "stopTimeoutSeconds",
    a.stopTimeoutSeconds,
    2,
    d.maxStopTimeoutSeconds,
    "the spot interruption notice gives 2 minutes; keep the stop below 90 s",
  );
  checkInteger(w, "backlogPerTask", a.backlogPerTask, 1, 100_000, "visible messages per additional task");
  checkInteger(
    w,
    "oldestMessageAlarmSeconds",
    a.oldestMessageAlarmSeconds,
    60,
    d.deadLetterRetentionSeconds,
    "age of the oldest message that raises the alarm",
  );
  checkInteger(w, "keepImages", a.keepImages, 1, 1000, "images the ECR lifecycle policy keeps");
  if (
    !Number.isInteger(a.scaleInIdleSeconds) ||
    a.scaleInIdleSeconds < 120 ||
    a.scaleInIdleSeconds > 86_400 ||
    a.scaleInIdleSeconds % 60 !== 0
  ) {
    throw new JobWorkerArgsError(
      w,
      "scaleInIdleSeconds",
      `is ${a.scaleInIdleSeconds}; it must be a multiple of 60 from 120 to 86400 (the idle alarm evaluates one-minute periods).`,
    );
  }
  checkInteger(
    w,
    "deploymentMinimumHealthyPercent",
    a.deploymentMinimumHealthyPercent,
    0,
    100,
    "percent of tasks kept running during a deployment",
  );
  checkInteger(w, "deploymentMaximumPercent", a.deploymentMaximumPercent, 100, 200, "percent of tasks allowed during a deployment");
  if (a.deploymentMinimumHealthyPercent === 100 && a.deploymentMaximumPercent === 100) {
    throw new JobWorkerArgsError(
      w,
      "deploymentMaximumPercent",
      "is 100 with `deploymentMinimumHealthyPercent` 100: ECS could then neither stop a DRAINING instance's tasks nor start their replacements first; raise the maximum above 100 or lower the minimum.",
    );
  }
  if (/^(root|0)(:|$)/.test(a.user)) {
    throw new JobWorkerArgsError(w, "user", `is \`${a.user}\`; containers run as a non-root user, e.g. "1000:1000".`);
  }
  if (a.networkMode === "awsvpc" && cluster.subnetIds === undefined) {
    throw new JobWorkerArgsError(
      w,
      "networkMode",
      "is `awsvpc` but the cluster exposes no `subnetIds`; use `bridge` or pass a cluster with subnets.",
    );
  }
  if (a.prefix.startsWith("/")) {
    throw new JobWorkerArgsError(w, "input.prefix", `is \`${a.prefix}\`; S3 keys have no leading slash: drop it.`);
  }
  if (a.queueEncryption.type === "kms" && a.queueEncryption.keyArn !== undefined) {
    const keyArn = a.queueEncryption.keyArn;
    if (/alias\/aws\/sqs$/.test(keyArn)) {
      throw new JobWorkerArgsError(
        w,
        "queueEncryption.keyArn",
        `is \`${keyArn}\`, the AWS managed SQS key: S3 cannot send to a queue encrypted with it. Use { type: "sse-sqs" }, or a customer managed key whose policy lets s3.amazonaws.com use it.`,
      );
    }
    if (!KMS_KEY_ARN.test(keyArn)) {
      throw new JobWorkerArgsError(
        w,
        "queueEncryption.keyArn",
        `is \`${keyArn}\`; give a customer managed key's ARN (arn:aws:kms:<region>:<account>:key/<id>), or omit it to have the component create one.`,
      );
    }
  }
  for (const [key, value] of Object.entries(a.environment)) {
    if (!ENV_NAME.test(key))
      throw new JobWorkerArgsError(
        w,
        `environment.${key}`,
        "is not a valid environment variable name (letters, digits, _; not starting with a digit).",
      );
    if (key.startsWith(RESERVED_ENV_PREFIX))
      throw new JobWorkerArgsError(
        w,
        `environment.${key}`,
        `uses the reserved prefix ${RESERVED_ENV_PREFIX}: the component sets those; rename it.`,
      );
    if (typeof value !== "string")
      throw new JobWorkerArgsError(w, `environment.${key}`, `is ${typeof value}; environment values are strings.`);
  }
  for (const [key, ref] of Object.entries(a.secrets)) {
    if (!ENV_NAME.test(key))
      throw new JobWorkerArgsError(
        w,
        `secrets.${key}`,
        "is not a valid environment variable name (letters, digits, _; not starting with a digit).",
      );
    if (key.startsWith(RESERVED_ENV_PREFIX))
      throw new JobWorkerArgsError(w, `secrets.${key}`, `uses the reserved prefix ${RESERVED_ENV_PREFIX}; rename it.`);
    if (key in a.environment)
      throw new JobWorkerArgsError(w, `secrets.${key}`, "is also set as a plain environment variable; keep it in `secrets` only.");
    const { problem } = splitSecretRef(ref, "deployed");
    if (problem) throw new JobWorkerArgsError(w, `secrets.${key}`, `${problemText({ value: ref, fix: problem })}.`);
  }
  const slots = a.definition.outputs;
  for (const slot of Object.keys(slots)) {
    if (!(slot in a.outputs)) {
      throw new JobWorkerArgsError(w, `outputs.${slot}`, `is not bound; bind it to one of: ${slots[slot].accepts.join(", ")}.`);
    }
  }
  for (const [slot, output] of Object.entries(a.outputs)) {
    const declared = slots[slot];
    if (!declared) {
      throw new JobWorkerArgsError(
        w,
        `outputs.${slot}`,
        `is not an output slot of \`${a.definition.name}\`; its slots: ${Object.keys(slots).join(", ") || "(none)"}.`,
      );
    }
    if (!declared.accepts.includes(output.type)) {
      throw new JobWorkerArgsError(
        w,
        `outputs.${slot}.type`,
        `is \`${output.type}\`; slot \`${slot}\` accepts: ${declared.accepts.join(", ")}.`,
      );
    }
    // A `worker` output is a reference to another JobWorker, already checked by its own constructor.
    if (output.type !== "worker") checkBinding(w, slot, output);
    // FTP active mode: the server connects back to the task, which a bridge-mode task behind the
    // instance's NAT and its inbound-closed security group never accepts (it would fail every job
    // after the data-connection timeout instead of at preview).
    if (output.type === "ftp" && output.dataConnection === "active" && a.networkMode !== "awsvpc") {
      throw new JobWorkerArgsError(
        w,
        `outputs.${slot}.dataConnection`,
        `is \`active\` but the worker's \`networkMode\` is \`${a.networkMode}\`: the FTP server must connect back to the task, which needs \`networkMode: "awsvpc"\` in a subnet the partner can reach (docs/connectors.md, active mode); use "passive" otherwise.`,
      );
    }
  }
}
