/**
 * The jobworker program: one SpotEcsCluster, one JobWorker per worker kind (the workers section
 * is added by the JobWorker part). Configuration is validated before any resource is declared.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  AlertTopic,
  BacklogPublisher,
  installTracelessPulumiPromises,
  JobWorker,
  LogArchive,
  Network,
  SharedInputBucket,
  SpotEcsCluster,
  StackMonitoring,
} from "./components/index";
import { loadAlertsConfig } from "./config/alerts";
import { loadClusterConfig } from "./config/cluster";
import { jobWorkerArgsFor, loadWorkersConfig, orderWorkers, withConfigKeys } from "./config/workers";

installTracelessPulumiPromises(); // see components/pulumi-stack-traces.ts: 3× less CPU to build large catalogs

const config = new pulumi.Config("jobworker");

// --- cluster ---
const clusterConfig = loadClusterConfig(config);
const workersConfig = loadWorkersConfig(config);
const alertsConfig = loadAlertsConfig(config, pulumi.getStack());
for (const warning of alertsConfig.warnings) void pulumi.log.warn(warning);
// --- alerts: one topic per stack; every notifying alarm and event rule names it (or a worker's team topic) ---
const alerts = new AlertTopic("alerts", alertsConfig.topic);
export const alertTopicArn = alerts.topicArn;

// The VPC is the stack's own (given ids, the default) or a new one (`jobworker:network.create`).
const network =
  "create" in clusterConfig.network ? new Network("jobworker", clusterConfig.network.create).clusterNetwork : clusterConfig.network.given;
const cluster = new SpotEcsCluster("jobworker", { ...clusterConfig.cluster, ...network, alarmActions: [alerts.topicArn] });
export const clusterName = cluster.clusterName;
export const clusterArn = cluster.clusterArn;
export const fleetRequestId = cluster.fleetRequestId;
export const cloudConfigUrl = cluster.cloudConfigUrl;
export const instanceRoleArn = cluster.instanceRoleArn;
export const vpcId = cluster.vpcId;
export const subnetIds = cluster.subnetIds;

// --- workers ---
// One JobWorker per configured kind, created after the workers it chains into; one SharedInputBucket
// per shared bucket name (its single notification configuration is written once all routes are in);
// one BacklogPublisher feeding every worker's 10-second scale-out alarm and tasks-needed scale-in, and
// the cluster's capacity metrics (shortfall, spare) the fleet scales on.
const backlogPublisher = new BacklogPublisher("backlog-publisher", { alarmActions: [alerts.topicArn], capacity: cluster.capacityMetrics });
const sharedBuckets = new Map<string, SharedInputBucket>();
const jobWorkers = new Map<string, JobWorker>();
for (const name of orderWorkers(workersConfig)) {
  const args = jobWorkerArgsFor(name, workersConfig[name], {
    cluster,
    defaultImage: { build: { context: __dirname } },
    sharedBucket: (bucket) => sharedBuckets.get(bucket) ?? sharedBuckets.set(bucket, new SharedInputBucket(bucket)).get(bucket)!,
    worker: (target) => jobWorkers.get(target)!,
    backlogMetrics: backlogPublisher.metrics,
    alarmActions: [alerts.topicArn],
  });
  jobWorkers.set(
    name,
    withConfigKeys(name, () => new JobWorker(name, args)),
  );
}
for (const bucket of sharedBuckets.values()) bucket.seal();

// --- monitoring: failed tasks, service events, log alerts, fleet and Spot alarms, the dashboard ---
const monitoring = new StackMonitoring("monitoring", {
  topicArn: alerts.topicArn,
  cluster: {
    clusterName: cluster.clusterName,
    clusterArn: cluster.clusterArn,
    fleetRequestId: cluster.fleetRequestId,
    logGroupName: cluster.logGroupName,
  },
  workers: [...jobWorkers].map(([name, w]) => ({
    name,
    serviceName: w.serviceName,
    serviceArn: w.serviceArn,
    queueName: w.queueName,
    deadLetterQueueName: w.deadLetterQueueName,
    alarmActions: workersConfig[name].alarmActions,
    logAlarms: { ...alertsConfig.logAlarms, ...workersConfig[name].alerts },
  })),
  backlogMetrics: backlogPublisher.metrics,
  backlogPublisherFunctionName: backlogPublisher.functionName,
  alarms: alertsConfig.alarms,
});
export const dashboardUrl = monitoring.dashboardUrl;
export const backlogPublisherFunction = backlogPublisher.functionName;

// --- log archive (optional, `jobworker:logging.archive`) ---
// Every container line of the cluster, partitioned by the `worker` field each runtime line carries.
const logArchive =
  clusterConfig.logArchive === undefined
    ? undefined
    : new LogArchive("jobworker", {
        ...clusterConfig.logArchive,
        logGroups: [{ name: cluster.logGroupName }],
        workers: [...jobWorkers.keys()],
      });
export const logArchiveBucket = logArchive?.bucketName;
export const logArchiveWorkgroup = logArchive?.workgroupName;
export const logArchiveSampleQuery = logArchive?.sampleQuery;
export const workers = Object.fromEntries(
  [...jobWorkers].map(([name, w]) => [
    name,
    {
      bucket: w.bucketName,
      prefix: w.input.prefix,
      // An upload notifies the worker only if its key ends with this (`jobworker smoke` names its sample by it).
      suffix: w.input.suffix,
      queueUrl: w.queueUrl,
      queueArn: w.queueArn,
      deadLetterQueueUrl: w.deadLetterQueueUrl,
      deadLetterQueueArn: w.deadLetterQueueArn,
      serviceName: w.serviceName,
      repositoryUrl: w.repositoryUrl,
      // Where results land (`jobworker smoke` looks for its output objects there).
      outputs: w.outputBindings,
    },
  ]),
);
