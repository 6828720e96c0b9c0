/** Shared fixtures of the JobWorker tests (not a spec file). */
import type { ClusterRef } from "../../../components/job-worker/args";
import { ACCOUNT_ID, REGION } from "../../support/pulumi";

/** What a JobWorker uses of a SpotEcsCluster: a plain fake. */
export const fakeCluster: ClusterRef = {
  clusterName: "jobworker-cluster",
  clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/jobworker-cluster`,
  largestInstance: { instanceType: "m6i.4xlarge", vcpu: 16, memoryMiB: 65_536 },
  fluentdAddress: "127.0.0.1:24224",
};
