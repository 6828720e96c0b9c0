/**
 * The steps of `jobworker smoke`, in the order a job goes through them, and for each one what to look
 * at when it does not happen. Plain data: the runner decides when a step passed, the report prints it.
 */

export const STEP_IDS = ["stored", "queued", "scale-out", "desired", "running", "delivered"] as const;
export type StepId = (typeof STEP_IDS)[number];

/** What the hints name: the worker's resources as the stack outputs give them. */
export interface HintContext {
  readonly worker: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly suffix: string;
  readonly queueName: string;
  readonly deadLetterQueueName: string;
  readonly clusterName: string;
  readonly serviceName: string;
  readonly region: string;
  /** Names of the scale-out alarms found on the queue. */
  readonly alarmNames: readonly string[];
}

export interface StepDefinition {
  readonly id: StepId;
  /** As printed: "message queued". */
  readonly title: string;
  /** What to look at when the step does not happen. */
  readonly hint: (c: HintContext) => string;
}

export const STEPS: Readonly<Record<StepId, StepDefinition>> = {
  stored: {
    id: "stored",
    title: "object stored",
    hint: (c) =>
      `PutObject into s3://${c.bucket}/${c.prefix} failed: the caller needs s3:PutObject there (the bucket only accepts TLS requests).`,
  },
  queued: {
    id: "queued",
    title: "message queued",
    hint: (c) =>
      `S3 did not notify ${c.queueName}: check the bucket's notification (\`aws s3api get-bucket-notification-configuration --bucket ${c.bucket}\`) ` +
      `routes prefix \`${c.prefix}\`${c.suffix ? ` and suffix \`${c.suffix}\`` : ""} to the queue, that the queue policy admits S3 from this bucket ` +
      "(aws:SourceArn), and, for a KMS-encrypted queue, that the key policy lets s3.amazonaws.com use the key.",
  },
  "scale-out": {
    id: "scale-out",
    title: "scale-out alarm in ALARM",
    hint: (c) =>
      `${c.alarmNames.join(" / ") || `${c.worker}-backlog-fast-… / ${c.worker}-backlog-…`} did not go to ALARM: check that the backlog publisher Lambda ` +
      `runs every minute without errors (its log group /aws/lambda/backlog-publisher-…) and publishes ApproximateNumberOfMessagesVisible for ${c.queueName} ` +
      "(namespace Jobworker/SQS, 10 s); the fallback alarm reads SQS's own 1-minute metrics, which start late after an idle queue wakes up. " +
      `\`aws cloudwatch describe-alarms --alarm-names ${c.alarmNames[0] ?? "<alarm>"} --query 'MetricAlarms[0].StateReason'\``,
  },
  desired: {
    id: "desired",
    title: "ECS desired count > 0",
    hint: (c) =>
      "the alarm fired but App Auto Scaling did not raise the desired count: " +
      `\`aws application-autoscaling describe-scaling-activities --service-namespace ecs --resource-id service/${c.clusterName}/${c.serviceName}\`; ` +
      "the service-linked role AWSServiceRoleForApplicationAutoScaling_ECSService must exist, and the alarm's actions must name the scale-out policy.",
  },
  running: {
    id: "running",
    title: "a task RUNNING",
    hint: (c) =>
      `no task of ${c.serviceName} reached RUNNING: the service's events (\`aws ecs describe-services --cluster ${c.clusterName} --services ${c.serviceName} --query 'services[0].events[:5]'\`) ` +
      "say why: no container instance with enough CPU/memory (the Spot Fleet's fulfilled capacity, `aws ec2 describe-spot-fleet-requests`; instances that never joined the " +
      "cluster: the S3 gateway endpoint the cloud-config fetch needs, the instance role), an image pull failure (ECR repository, execution role), or a task that stops at " +
      `once (\`aws ecs list-tasks --cluster ${c.clusterName} --service-name ${c.serviceName} --desired-status STOPPED\`, then its stoppedReason).`,
  },
  delivered: {
    id: "delivered",
    title: "output delivered",
    hint: (c) =>
      `the job did not finish: the worker's logs (CloudWatch Logs, stream container/jobworker.${c.worker}) say what it is doing; a failing job is retried ` +
      `until maxReceiveCount receives, then lands in ${c.deadLetterQueueName}. \`jobworker status --cluster ${c.clusterName}\` shows the queue and the DLQ.`,
  },
};
