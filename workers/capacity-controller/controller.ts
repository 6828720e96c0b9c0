/**
 * The capacity controller's shell: reads the cluster (ECS), the fleet (EC2), the spot-short alarm
 * and the recent spare capacity (CloudWatch), lets `decide` choose, and carries the decision out:
 * targets first (`noTermination`, so lowering the target terminates nothing), then drains, then
 * terminations. Clients are passed in; the Lambda handler builds them from the standard SDK config.
 */
import { type CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  DescribeInstancesCommand,
  type DescribeInstancesCommandOutput,
  DescribeSpotFleetInstancesCommand,
  DescribeSpotFleetRequestsCommand,
  type EC2Client,
  ModifySpotFleetRequestCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { UpdateContainerInstancesStateCommand } from "@aws-sdk/client-ecs";
import { type EcsSend, readClusterState } from "../capacity/cluster-state";
import { capacityMetrics, workerTasksByInstance } from "../capacity/placement";
import { ConfigError } from "../errors";
import { type ControllerDecision, type ControllerSettings, decide, type FleetInstance, type FleetState } from "./decide";

export interface ControllerClients {
  readonly ecs: EcsSend;
  readonly ec2: Pick<EC2Client, "send">;
  readonly cloudwatch: Pick<CloudWatchClient, "send">;
}

export interface ControllerOptions extends ControllerSettings {
  readonly clusterName: string;
  readonly fleetRequestId: string;
  /** Capacity units by instance type (the fleet's weights). */
  readonly weights: Readonly<Record<string, number>>;
  /** The alarm that is in ALARM while Spot cannot fill its part. */
  readonly spotShortAlarmName: string;
  /** Where the backlog publisher puts the cluster's capacity metrics. */
  readonly capacityNamespace: string;
}

/** Name of the spare-capacity metric the publisher emits (dimension ClusterName). */
export const SPARE_METRIC = "SpareActiveVcpus";
const MAX_PAGES = 50;

export async function readFleet(ec2: ControllerClients["ec2"], fleetRequestId: string): Promise<FleetState> {
  const out = await ec2.send(new DescribeSpotFleetRequestsCommand({ SpotFleetRequestIds: [fleetRequestId] }));
  const config = out.SpotFleetRequestConfigs?.[0]?.SpotFleetRequestConfig;
  if (!config) throw new ConfigError(`Spot Fleet request ${fleetRequestId} not found`, { context: { fleetRequestId } });
  return {
    targetCapacity: config.TargetCapacity ?? 0,
    fulfilledCapacity: config.FulfilledCapacity ?? 0,
    onDemandTargetCapacity: config.OnDemandTargetCapacity ?? 0,
    onDemandFulfilledCapacity: config.OnDemandFulfilledCapacity ?? 0,
  };
}

/** The fleet's running instances with their type and lifecycle. */
export async function readFleetInstances(
  ec2: ControllerClients["ec2"],
  fleetRequestId: string,
): Promise<{ instanceId: string; instanceType: string; lifecycle: "spot" | "on-demand" }[]> {
  const ids: string[] = [];
  let NextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await ec2.send(new DescribeSpotFleetInstancesCommand({ SpotFleetRequestId: fleetRequestId, NextToken }));
    ids.push(...(out.ActiveInstances ?? []).map((i) => i.InstanceId!).filter(Boolean));
    NextToken = out.NextToken;
    if (!NextToken) break;
  }
  if (ids.length === 0) return [];
  const found: { instanceId: string; instanceType: string; lifecycle: "spot" | "on-demand" }[] = [];
  NextToken = undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out: DescribeInstancesCommandOutput = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids, NextToken }));
    for (const r of out.Reservations ?? []) {
      for (const i of r.Instances ?? []) {
        if (i.State?.Name !== "running" && i.State?.Name !== "pending") continue;
        found.push({
          instanceId: i.InstanceId!,
          instanceType: i.InstanceType ?? "",
          lifecycle: i.InstanceLifecycle === "spot" ? "spot" : "on-demand",
        });
      }
    }
    NextToken = out.NextToken;
    if (!NextToken) break;
  }
  return found;
}

export async function readAlarmInAlarm(cloudwatch: ControllerClients["cloudwatch"], alarmName: string): Promise<boolean> {
  const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }));
  return out.MetricAlarms?.[0]?.StateValue === "ALARM";
}

/** Minimum spare vCPUs of each of the last `minutes` minutes, oldest first. */
export async function readSpareHistory(
  cloudwatch: ControllerClients["cloudwatch"],
  o: Pick<ControllerOptions, "capacityNamespace" | "clusterName" | "scaleInWindowMinutes">,
  now: Date,
): Promise<number[]> {
  const out = await cloudwatch.send(
    new GetMetricDataCommand({
      StartTime: new Date(now.getTime() - o.scaleInWindowMinutes * 60_000),
      EndTime: now,
      ScanBy: "TimestampAscending",
      MetricDataQueries: [
        {
          Id: "spare",
          MetricStat: {
            Metric: {
              Namespace: o.capacityNamespace,
              MetricName: SPARE_METRIC,
              Dimensions: [{ Name: "ClusterName", Value: o.clusterName }],
            },
            Period: 60,
            Stat: "Minimum",
          },
        },
      ],
    }),
  );
  const result = out.MetricDataResults?.[0];
  const points = (result?.Timestamps ?? []).map((t, i) => ({ t: new Date(t).getTime(), v: result!.Values![i] }));
  return points.sort((a, b) => a.t - b.t).map((p) => p.v);
}

/** Reads everything the decision needs. */
export async function gather(clients: ControllerClients, o: ControllerOptions, now: Date = new Date()) {
  const [state, fleet, fleetInstances, spotShort, spareHistory] = await Promise.all([
    readClusterState(clients.ecs, o.clusterName),
    readFleet(clients.ec2, o.fleetRequestId),
    readFleetInstances(clients.ec2, o.fleetRequestId),
    readAlarmInAlarm(clients.cloudwatch, o.spotShortAlarmName),
    readSpareHistory(clients.cloudwatch, o, now),
  ]);
  const metrics = capacityMetrics(state);
  const workers = workerTasksByInstance(state);
  const byEc2 = new Map(state.instances.map((i) => [i.ec2InstanceId, i]));
  const instances: FleetInstance[] = fleetInstances.map((f) => {
    const ci = byEc2.get(f.instanceId);
    return {
      instanceId: f.instanceId,
      containerInstanceArn: ci?.containerInstanceArn,
      status: ci?.status ?? "UNREGISTERED",
      weight: o.weights[f.instanceType] ?? 0,
      lifecycle: f.lifecycle,
      workerTasks: ci ? (workers.get(ci.containerInstanceArn)?.length ?? 0) : 0,
      ...(ci ? { spareVcpus: ci.remaining.cpu / 1024 } : {}),
    };
  });
  return {
    fleet,
    instances,
    spotShort,
    spareHistory,
    spareNow: metrics.spareActiveVcpus,
    shortfallVcpus: metrics.shortfallVcpus,
    settings: o,
  };
}

/** Carries a decision out: targets, then drains, then terminations. */
export async function act(clients: ControllerClients, o: ControllerOptions, d: ControllerDecision): Promise<void> {
  if (d.targetCapacity !== undefined || d.onDemandTargetCapacity !== undefined) {
    await clients.ec2.send(
      new ModifySpotFleetRequestCommand({
        SpotFleetRequestId: o.fleetRequestId,
        TargetCapacity: d.targetCapacity,
        OnDemandTargetCapacity: d.onDemandTargetCapacity,
        // Lowering the target must not let EC2 pick instances to kill: the drain below does it.
        ExcessCapacityTerminationPolicy: "noTermination",
      }),
    );
  }
  if (d.drain.length > 0) {
    await clients.ecs.send(
      new UpdateContainerInstancesStateCommand({ cluster: o.clusterName, containerInstances: [...d.drain], status: "DRAINING" }),
    );
  }
  if (d.terminate.length > 0) await clients.ec2.send(new TerminateInstancesCommand({ InstanceIds: [...d.terminate] }));
}

/** One run: gather, decide, act. */
export async function runController(clients: ControllerClients, o: ControllerOptions, now: Date = new Date()): Promise<ControllerDecision> {
  const decision = decide(await gather(clients, o, now));
  await act(clients, o, decision);
  return decision;
}

/** Environment variables the SpotEcsCluster component sets on the function. */
export const CONTROLLER_ENV = {
  clusterName: "JOBWORKER_CAPACITY_CLUSTER",
  fleetRequestId: "JOBWORKER_CAPACITY_FLEET_REQUEST_ID",
  spotShortAlarmName: "JOBWORKER_CAPACITY_SPOT_SHORT_ALARM",
  capacityNamespace: "JOBWORKER_CAPACITY_NAMESPACE",
  /** JSON: `weights` and the `ControllerSettings` numbers. */
  settings: "JOBWORKER_CAPACITY_SETTINGS",
} as const;

const NUMBER_SETTINGS = [
  "minCapacity",
  "maxCapacity",
  "onDemandBaseCapacity",
  "maxOnDemandCapacity",
  "spareThresholdVcpus",
  "scaleInWindowMinutes",
  "maxDrainsPerRun",
] as const satisfies readonly (keyof ControllerSettings)[];

/** Reads and checks the options; a wrong value is a `ConfigError` naming the variable. */
export function optionsFromEnv(env: Readonly<Record<string, string | undefined>>): ControllerOptions {
  const text = (key: keyof typeof CONTROLLER_ENV) => {
    const value = env[CONTROLLER_ENV[key]];
    if (!value) throw new ConfigError(`${CONTROLLER_ENV[key]} is not set`, { context: { variable: CONTROLLER_ENV[key] } });
    return value;
  };
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text("settings"));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${CONTROLLER_ENV.settings} is not JSON`, { cause: err, context: { variable: CONTROLLER_ENV.settings } });
  }
  const numbers = Object.fromEntries(
    NUMBER_SETTINGS.map((key) => {
      const value = parsed[key];
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw new ConfigError(`${CONTROLLER_ENV.settings}.${key} is ${JSON.stringify(value)}; it must be a number ≥ 0`, {
          context: { variable: CONTROLLER_ENV.settings, key },
        });
      }
      return [key, value];
    }),
  ) as Record<(typeof NUMBER_SETTINGS)[number], number>;
  const weights = parsed.weights;
  if (typeof weights !== "object" || weights === null || Object.values(weights).some((w) => typeof w !== "number" || w <= 0)) {
    throw new ConfigError(`${CONTROLLER_ENV.settings}.weights must map instance types to positive weights`, {
      context: { variable: CONTROLLER_ENV.settings, key: "weights" },
    });
  }
  return {
    ...numbers,
    weights: weights as Record<string, number>,
    clusterName: text("clusterName"),
    fleetRequestId: text("fleetRequestId"),
    spotShortAlarmName: text("spotShortAlarmName"),
    capacityNamespace: text("capacityNamespace"),
  };
}
