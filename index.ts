/**
 * The jobworker program: one SpotEcsCluster, one JobWorker per worker kind (the workers section
 * is added by the JobWorker part). Configuration is validated before any resource is declared.
 */
import * as pulumi from "@pulumi/pulumi";
import { SpotEcsCluster } from "./components";
import { loadClusterConfig } from "./config/cluster";

const config = new pulumi.Config("jobworker");

// --- cluster ---
const clusterArgs = loadClusterConfig(config);
const cluster = new SpotEcsCluster("jobworker", clusterArgs);
export const clusterName = cluster.clusterName;
export const clusterArn = cluster.clusterArn;
export const fleetRequestId = cluster.fleetRequestId;
export const cloudConfigUrl = cluster.cloudConfigUrl;
export const instanceRoleArn = cluster.instanceRoleArn;

// --- workers ---
