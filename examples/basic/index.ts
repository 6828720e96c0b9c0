/**
 * Another team's program: the shared Spot-backed cluster in an existing VPC, the backlog publisher,
 * and one worker whose image is already in a registry. Everything comes from the
 * `@jobworker/components` package; nothing from a jobworker checkout.
 */
import { BacklogPublisher, JobWorker, SpotEcsCluster, type WorkerDefinition } from "@jobworker/components";

const cluster = new SpotEcsCluster("example", {
  vpcId: "vpc-0example",
  subnets: [
    { subnetId: "subnet-0a", availabilityZone: "ap-northeast-1a" },
    { subnetId: "subnet-0c", availabilityZone: "ap-northeast-1c" },
  ],
  routeTableIds: ["rtb-0example"],
  instanceTypes: ["m6i.xlarge", "m6a.xlarge", "m7i.xlarge", "c6i.2xlarge"],
  targetCapacity: 8,
});

const backlogPublisher = new BacklogPublisher("backlog-publisher");

/** The worker kind its image runs (`jobworker run thumbnails`); it delivers results itself, so no output slots. */
const thumbnails: WorkerDefinition = {
  name: "thumbnails",
  description: "Image → thumbnail",
  concurrency: 4,
  maxProcessingSeconds: 120,
  outputs: {},
};

const worker = new JobWorker("thumbnails", {
  cluster,
  definition: thumbnails,
  cpu: 512,
  memory: 1024,
  maxTasks: 4,
  image: { uri: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/thumbnails:1.4.2" },
  backlogMetrics: backlogPublisher.metrics,
});

export const clusterName = cluster.clusterName;
export const inputBucket = worker.bucketName;
export const queueUrl = worker.queueUrl;
export const serviceName = worker.serviceName;
export const backlogPublisherFunction = backlogPublisher.functionName;
