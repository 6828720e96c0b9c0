/** The capacity metrics, pure: unplaced demand against ACTIVE instances' free resources, DRAINING excluded. */
import assert from "node:assert/strict";
import type { ClusterState, InstanceState, ServiceState, TaskState } from "../../../workers/capacity/cluster-state";
import { capacityMetrics, unplacedDemand, workerTasksByInstance } from "../../../workers/capacity/placement";

function instance(id: string, status: string, remainingCpu: number, remainingMiB: number): InstanceState {
  return {
    containerInstanceArn: `ci/${id}`,
    ec2InstanceId: `i-${id}`,
    status,
    registered: { cpu: 16384, memoryMiB: 65536 },
    remaining: { cpu: remainingCpu, memoryMiB: remainingMiB },
  };
}
function service(name: string, desired: number, cpu: number, memoryMiB: number, strategy: "REPLICA" | "DAEMON" = "REPLICA"): ServiceState {
  return {
    serviceName: name,
    schedulingStrategy: strategy,
    desiredCount: desired,
    runningCount: 0,
    pendingCount: 0,
    perTask: { cpu, memoryMiB },
  };
}
function task(group: string, on?: string): TaskState {
  return {
    taskArn: `t/${group}/${on}`,
    containerInstanceArn: on ? `ci/${on}` : undefined,
    group,
    lastStatus: "RUNNING",
    reserves: { cpu: 1024, memoryMiB: 2048 },
  };
}

describe("capacity metrics", () => {
  const cases: { name: string; state: ClusterState; expect: Partial<ReturnType<typeof capacityMetrics>> }[] = [
    {
      name: "every desired task placed: no shortfall, the free CPU of ACTIVE instances is spare",
      state: {
        instances: [instance("a", "ACTIVE", 8192, 32768)],
        services: [service("w", 1, 1024, 2048)],
        tasks: [task("service:w", "a")],
      },
      expect: { unplaceableTasks: 0, shortfallVcpus: 0, spareActiveVcpus: 8, spareActiveMemoryMiB: 32768, activeInstances: 1 },
    },
    {
      name: "unplaced tasks that fit on ACTIVE instances are no shortfall, and use up spare",
      state: {
        instances: [instance("a", "ACTIVE", 8192, 32768)],
        services: [service("w", 3, 2048, 4096)],
        tasks: [task("service:w", "a")],
      },
      expect: { unplaceableTasks: 0, shortfallVcpus: 0, spareActiveVcpus: 4, spareActiveMemoryMiB: 24576 },
    },
    {
      name: "room on a DRAINING instance does not count: its free CPU is neither spare nor placeable",
      state: {
        instances: [instance("a", "ACTIVE", 1024, 2048), instance("d", "DRAINING", 16384, 65536)],
        services: [service("w", 3, 2048, 4096)],
        tasks: [],
      },
      expect: {
        unplaceableTasks: 3,
        shortfallVcpus: 6,
        shortfallMemoryMiB: 12288,
        spareActiveVcpus: 1,
        drainingInstances: 1,
        activeInstances: 1,
      },
    },
    {
      name: "memory-bound tasks count as vCPUs at the cluster's MiB per vCPU (4096 here)",
      state: { instances: [instance("a", "ACTIVE", 16384, 1024)], services: [service("big", 2, 256, 16384)], tasks: [] },
      expect: { unplaceableTasks: 2, shortfallVcpus: 8, shortfallMemoryMiB: 32768, spareActiveVcpus: 16 },
    },
    {
      name: "no instance at all: every desired task is shortfall",
      state: { instances: [], services: [service("w", 2, 512, 1024)], tasks: [] },
      expect: { unplaceableTasks: 2, shortfallVcpus: 1, spareActiveVcpus: 0, activeInstances: 0 },
    },
    {
      name: "daemon services are not demand",
      state: { instances: [instance("a", "ACTIVE", 0, 0)], services: [service("logs", 5, 128, 128, "DAEMON")], tasks: [] },
      expect: { unplaceableTasks: 0, shortfallVcpus: 0 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const m = capacityMetrics(c.state);
      for (const [k, v] of Object.entries(c.expect)) assert.equal(m[k as keyof typeof m], v, k);
    });
  }

  it("counts a task without an instance (PROVISIONING) as demand, and a service's placed tasks against its desired count", () => {
    const state: ClusterState = {
      instances: [],
      services: [service("w", 2, 1024, 2048)],
      tasks: [task("service:w", "a"), task("service:w"), task("family:one-off")],
    };
    // w: desired 2, one placed → 1 missing; the one-off task without an instance → 1.
    assert.equal(unplacedDemand(state).length, 2);
  });

  it("counts worker tasks per instance, daemons' tasks left out", () => {
    const state: ClusterState = {
      instances: [instance("a", "ACTIVE", 0, 0)],
      services: [service("logs", 1, 128, 128, "DAEMON"), service("w", 1, 1024, 2048)],
      tasks: [task("service:logs", "a"), task("service:w", "a"), task("service:logs", "b")],
    };
    const byInstance = workerTasksByInstance(state);
    assert.deepEqual([...byInstance.keys()], ["ci/a"]);
    assert.deepEqual(
      byInstance.get("ci/a")!.map((t) => t.group),
      ["service:w"],
    );
  });
});
