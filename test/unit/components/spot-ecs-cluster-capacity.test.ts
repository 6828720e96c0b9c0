/**
 * SpotEcsCluster's capacity control under Pulumi mocks: the fleet never terminates on scale-in
 * (NoTermination) and keeps `launch` rebalancing (the only strategy the installed provider has),
 * Application Auto Scaling scales out on the shortfall and never in, the capacity controller runs
 * once a minute with exactly the settings and permissions it needs, and the spot-short alarm
 * notifies and drives the on-demand fallback.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONTROLLER_SOURCES, transpileSources } from "../../../components/backlog-publisher/code";
import { CONTROLLER_ENV } from "../../../components/spot-ecs-cluster/capacity-controller";
import { shortfallScaleOutSteps } from "../../../components/spot-ecs-cluster/capacity-control-spec";
import { CONTROLLER_ENV as WORKER_CONTROLLER_ENV, optionsFromEnv } from "../../../workers/capacity-controller/controller";
import { type MockStack, ROOT, startMocks, valueOf } from "../../support/pulumi";
import { baseArgs } from "./spot-ecs-cluster.fixtures";

const SNS = "arn:aws:sns:ap-northeast-1:123456789012:oncall";

async function render(overrides: Parameters<typeof baseArgs>[0] = {}): Promise<{ stack: MockStack; cluster: any }> {
  const stack = startMocks();
  const { SpotEcsCluster } = require("../../../components/spot-ecs-cluster");
  const cluster = new SpotEcsCluster("jw", baseArgs({ alarmActions: [SNS], ...overrides }));
  await stack.settle();
  return { stack, cluster };
}

describe("SpotEcsCluster capacity control", () => {
  let stack: MockStack;
  let cluster: any;
  before(async () => ({ stack, cluster } = await render()));

  it("lowers the fleet's target without terminating (NoTermination) and rebalances with launch", () => {
    const fleet = stack.one("aws:ec2/spotFleetRequest:SpotFleetRequest").inputs;
    assert.equal(fleet.excessCapacityTerminationPolicy, "NoTermination");
    assert.deepEqual(fleet.spotMaintenanceStrategies, { capacityRebalance: { replacementStrategy: "launch" } });
  });

  it("uses only the rebalance fields the installed provider has: no termination delay exists to set", () => {
    // A field the provider lacks is dropped on a real deploy even though mocks keep it: read its types.
    const types = readFileSync(join(ROOT, "node_modules", "@pulumi", "aws", "types", "input.d.ts"), "utf8");
    const body = types.match(/interface SpotFleetRequestSpotMaintenanceStrategiesCapacityRebalance \{([^}]*)\}/)?.[1] ?? "";
    assert.deepEqual(
      [...body.matchAll(/^\s*(\w+)\??:/gm)].map((m) => m[1]),
      ["replacementStrategy"],
    );
    const fleet = readFileSync(join(ROOT, "node_modules", "@pulumi", "aws", "ec2", "spotFleetRequest.d.ts"), "utf8");
    assert.match(fleet, /excessCapacityTerminationPolicy\?: pulumi\.Input<string \| undefined>/);
    assert.match(fleet, /onDemandTargetCapacity\?: pulumi\.Input<number \| undefined>/);
  });

  it("scales out on the shortfall in steps of the largest weight, never in, on the publisher's 10-second metric", () => {
    const policy = stack.one("aws:appautoscaling/policy:Policy", "jw-shortfall").inputs;
    assert.equal(policy.policyType, "StepScaling");
    const c = policy.stepScalingPolicyConfiguration;
    assert.deepEqual([c.adjustmentType, c.cooldown, c.metricAggregationType], ["ChangeInCapacity", 180, "Maximum"]);
    assert.deepEqual(c.stepAdjustments, shortfallScaleOutSteps(32));
    assert.ok(
      c.stepAdjustments.every((s: { scalingAdjustment: number }) => s.scalingAdjustment > 0),
      "scale-out only",
    );
    const alarm = stack.one("aws:cloudwatch/metricAlarm:MetricAlarm", "jw-shortfall").inputs;
    assert.deepEqual(
      [alarm.namespace, alarm.metricName, alarm.dimensions, alarm.period, alarm.comparisonOperator, alarm.threshold],
      ["Jobworker/Capacity", "ShortfallVcpus", { ClusterName: "jw-cluster" }, 10, "GreaterThanThreshold", 0],
    );
    assert.deepEqual(alarm.alarmActions, [stack.one("aws:appautoscaling/policy:Policy", "jw-shortfall").state.arn]);
  });

  it("alarms when Spot does not fill the target for 10 minutes, and notifies", () => {
    const alarm = stack.one("aws:cloudwatch/metricAlarm:MetricAlarm", "jw-spot-short").inputs;
    assert.deepEqual([alarm.evaluationPeriods, alarm.datapointsToAlarm, alarm.threshold], [2, 2, 0]);
    const [expression, t, f] = alarm.metricQueries;
    assert.equal(expression.expression, "t - f");
    for (const [q, name] of [
      [t, "TargetCapacity"],
      [f, "FulfilledCapacity"],
    ]) {
      assert.deepEqual([q.metric.namespace, q.metric.metricName, q.metric.period], ["AWS/EC2Spot", name, 300]);
      assert.deepEqual(q.metric.dimensions, { FleetRequestId: stack.one("aws:ec2/spotFleetRequest:SpotFleetRequest").id });
    }
    assert.deepEqual([alarm.alarmActions, alarm.okActions], [[SNS], [SNS]]);
  });

  it("runs the controller once a minute, one run at a time, on nodejs24.x, with the fleet's settings", async () => {
    const fn = stack.one("aws:lambda/function:Function", "jw-controller").inputs;
    assert.deepEqual([fn.runtime, fn.handler, fn.reservedConcurrentExecutions], ["nodejs24.x", "capacity-controller/handler.handler", 1]);
    assert.equal(stack.one("aws:cloudwatch/eventRule:EventRule", "jw-controller").inputs.scheduleExpression, "rate(1 minute)");
    const env = fn.environment.variables;
    assert.deepEqual(CONTROLLER_ENV, WORKER_CONTROLLER_ENV, "the component sets what the function reads");
    const options = optionsFromEnv(env);
    assert.deepEqual(options, {
      clusterName: "jw-cluster",
      fleetRequestId: stack.one("aws:ec2/spotFleetRequest:SpotFleetRequest").id,
      spotShortAlarmName: stack.one("aws:cloudwatch/metricAlarm:MetricAlarm", "jw-spot-short").state.name,
      capacityNamespace: "Jobworker/Capacity",
      weights: { "c6i.4xlarge": 16, "m6i.2xlarge": 8, "r6id.4xlarge": 16, "x9z.8xlarge": 32 },
      minCapacity: 32,
      maxCapacity: 64,
      onDemandBaseCapacity: 0,
      maxOnDemandCapacity: 64,
      spareThresholdVcpus: 32,
      scaleInWindowMinutes: 15,
      maxDrainsPerRun: 2,
    });
    const assets = (await fn.code.assets) as Record<string, { text: Promise<string> }>;
    const expected = transpileSources(join(ROOT, "workers"), CONTROLLER_SOURCES);
    assert.deepEqual(Object.keys(assets).sort(), Object.keys(expected).sort());
    assert.deepEqual(await valueOf(cluster.capacityMetrics.clusterName), "jw-cluster");
    assert.deepEqual([cluster.capacityMetrics.namespace, cluster.capacityMetrics.periodSeconds], ["Jobworker/Capacity", 10]);
  });

  it("lets the controller resize only its fleet and terminate only this cluster's instances", () => {
    const policy = JSON.parse(stack.one("aws:iam/rolePolicy:RolePolicy", "jw-controller").inputs.policy);
    const by = (sid: string) => policy.Statement.find((s: { Sid: string }) => s.Sid === sid);
    const fleetId = stack.one("aws:ec2/spotFleetRequest:SpotFleetRequest").id;
    assert.equal(by("ReadAndResizeFleet").Resource, `arn:aws:ec2:ap-northeast-1:123456789012:spot-fleet-request/${fleetId}`);
    assert.deepEqual(by("TerminateClusterInstances").Condition, { StringEquals: { "aws:ResourceTag/jobworker:cluster": "jw" } });
    assert.equal(by("DrainContainerInstances").Resource, "arn:aws:ecs:ap-northeast-1:123456789012:container-instance/jw-cluster/*");
    const lt = stack.one("aws:ec2/launchTemplate:LaunchTemplate").inputs;
    const instanceTags = lt.tagSpecifications.find((t: { resourceType: string }) => t.resourceType === "instance").tags;
    assert.equal(instanceTags["jobworker:cluster"], "jw", "the instances carry the tag the condition reads");
  });

  it("without the on-demand fallback, the controller keeps the on-demand target at the base", async () => {
    const { stack: s } = await render({ onDemandBaseCapacity: 16, capacity: { onDemandFallback: false } });
    const options = optionsFromEnv(s.one("aws:lambda/function:Function", "jw-controller").inputs.environment.variables);
    assert.deepEqual([options.onDemandBaseCapacity, options.maxOnDemandCapacity], [16, 16]);
  });
});
