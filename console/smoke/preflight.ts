/**
 * Before `jobworker smoke` uploads anything: the worker's queue, dead-letter queue, service and
 * scale-out alarms exist where the stack outputs say, and what they look like (the baseline the
 * steps compare against). Any problem here is a `PreflightError`: the check could not run.
 */
import type { MetricAlarm } from "@aws-sdk/client-cloudwatch";
import { queueNameFromUrl } from "../aws/sqs";
import { describeAwsError, PreflightError } from "../errors";
import type { SmokeClients } from "./clients";
import { alarmStates, findScaleOutAlarms, type QueueDepth, queueDepth, serviceCounts } from "./probes";
import type { Baseline } from "./progress";
import type { SmokePlan } from "./run";
import type { HintContext } from "./steps";

/** What preflight found. */
export interface Prepared {
  readonly baseline: Baseline;
  readonly alarms: readonly MetricAlarm[];
  readonly hints: HintContext;
}

/** The worker's queue, DLQ, service and scale-out alarms exist; their state before the upload. */
export async function preflight(plan: SmokePlan, clients: SmokeClients): Promise<Prepared> {
  const { worker, stack } = plan;
  const { sqs, ecs, cloudwatch } = clients;
  const queueName = queueNameFromUrl(worker.queueUrl);
  const read = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      const e = describeAwsError(err);
      const missing = /NonExistentQueue|QueueDoesNotExist|ClusterNotFound/.test(e.code ?? "");
      throw new PreflightError(
        `${what}: ${e.message}${missing ? ` (in ${plan.region}: is \`${stack.source}\` the stack of this account and region, and is it deployed?)` : ""}`,
        { cause: err, context: { worker: worker.name } },
      );
    }
  };
  const [queue, deadLetterQueue, service, alarms] = await Promise.all([
    read(`reading queue ${worker.queueUrl}`, () => queueDepth(sqs, worker.queueUrl)),
    read(`reading dead-letter queue ${worker.deadLetterQueueUrl}`, () => queueDepth(sqs, worker.deadLetterQueueUrl)),
    read(`reading service ${worker.serviceName} of cluster ${stack.clusterName}`, () =>
      serviceCounts(ecs, stack.clusterName, worker.serviceName),
    ),
    read("listing CloudWatch alarms", () => findScaleOutAlarms(cloudwatch, queueName)),
  ]);
  if (!service)
    throw new PreflightError(
      `service ${worker.serviceName} is not on cluster ${stack.clusterName} in ${plan.region}: is \`${stack.source}\` this account's and region's stack?`,
    );
  const alarmNames = alarms.map((a) => a.AlarmName ?? "");
  if (alarms.length === 0) {
    throw new PreflightError(
      `no scale-out alarm watches ${queueName} (an alarm on ApproximateNumberOfMessagesVisible with an App Auto Scaling action, named ${worker.name}-backlog-fast-… / ${worker.name}-backlog-… by the stack): is the stack fully deployed (\`pulumi up\`)?`,
    );
  }
  const states = await read("reading the scale-out alarms", () => alarmStates(cloudwatch, alarmNames));
  return {
    baseline: { queue, deadLetterQueue, service, alarms: states },
    alarms,
    hints: {
      worker: worker.name,
      bucket: worker.bucket,
      prefix: worker.prefix,
      suffix: worker.suffix,
      queueName,
      deadLetterQueueName: queueNameFromUrl(worker.deadLetterQueueUrl),
      clusterName: stack.clusterName,
      serviceName: worker.serviceName,
      region: plan.region,
      alarmNames,
    },
  };
}

/** What the operator should know before reading the steps. */
export function notes(plan: SmokePlan, baseline: Baseline): string[] {
  const out: string[] = [];
  const depth = (q: QueueDepth) => q.visible + q.inFlight;
  if (depth(baseline.queue) > 0)
    out.push(
      `the queue already holds ${baseline.queue.visible} visible / ${baseline.queue.inFlight} in-flight messages: the check compares against that, and waits for it to drain back`,
    );
  if (baseline.service.desired > 0)
    out.push(
      `the service is already at desired ${baseline.service.desired}: the scale-out steps are skipped and the upload → scale-out decision is not measured`,
    );
  if (plan.worker.outputs === undefined)
    out.push(
      "the stack exports no output bindings (`workers.<name>.outputs`): output objects are not checked; redeploy the stack to export them",
    );
  if (plan.worker.suffix !== "" && !plan.sample.path.endsWith(plan.worker.suffix))
    out.push(`the sample's name does not end with ${plan.worker.suffix}: its key gets the suffix appended, so the notification fires`);
  return out;
}
