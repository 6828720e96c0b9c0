/**
 * The cluster's capacity metrics as CloudWatch data (dimension ClusterName, 1-second resolution):
 * the fleet scales out on `ShortfallVcpus` and the capacity controller scales in on
 * `SpareActiveVcpus` (`workers/capacity/placement.ts` computes both from the cluster's state).
 */
import type { MetricDatum } from "@aws-sdk/client-cloudwatch";
import type { CapacityMetrics } from "../capacity/placement";

/** Metric name → field and unit. */
export const CAPACITY_METRICS = {
  UnplaceableTasks: { field: "unplaceableTasks", unit: "Count" },
  ShortfallVcpus: { field: "shortfallVcpus", unit: "Count" },
  ShortfallMemoryMiB: { field: "shortfallMemoryMiB", unit: "Megabytes" },
  SpareActiveVcpus: { field: "spareActiveVcpus", unit: "Count" },
  SpareActiveMemoryMiB: { field: "spareActiveMemoryMiB", unit: "Megabytes" },
  ActiveInstances: { field: "activeInstances", unit: "Count" },
  DrainingInstances: { field: "drainingInstances", unit: "Count" },
} as const satisfies Record<string, { field: keyof CapacityMetrics; unit: "Count" | "Megabytes" }>;

export function capacityMetricData(metrics: CapacityMetrics, clusterName: string, at: Date): MetricDatum[] {
  return Object.entries(CAPACITY_METRICS).map(([MetricName, { field, unit }]) => ({
    MetricName,
    Dimensions: [{ Name: "ClusterName", Value: clusterName }],
    Timestamp: at,
    Value: metrics[field],
    Unit: unit,
    StorageResolution: 1,
  }));
}
