import assert from "node:assert/strict";
import { formatAge, renderStatus, renderTable } from "../../../console/table";
import type { Snapshot, WorkerRow } from "../../../console/types";

const row = (worker: string, change: Partial<WorkerRow> = {}): WorkerRow => ({
  worker,
  serviceName: `jw-${worker}`,
  serviceArn: "",
  serviceStatus: "ACTIVE",
  desired: 2,
  running: 2,
  pending: 0,
  taskDefinition: "jw:1",
  queueSource: "task-definition",
  queue: { url: "", name: "", arn: "", visible: 12, inFlight: 1, delayed: 0 },
  dlqDepth: 0,
  alarms: [],
  scaling: "steady",
  recentFailures: 0,
  attention: [],
  ...change,
});

describe("console/table", () => {
  it("aligns columns (numbers right), marks rows needing attention with ! and shows - for unknowns", () => {
    const text = renderTable([
      row("a", { scaling: "scaling out", alarms: [{ name: "a-backlog-1", state: "ALARM", role: "scale-out" }] }),
      row("orders-webhook", {
        dlqDepth: 3,
        attention: ["DLQ holds 3 message(s)"],
        alarms: [
          { name: "x-dlq", state: "ALARM", role: "notify" },
          { name: "x-idle", state: "ALARM", role: "scale-in" },
        ],
      }),
      row("no-queue", { queue: undefined, dlqDepth: undefined, queueSource: "none", scaling: "idle", serviceStatus: "DRAINING" }),
    ]);
    assert.equal(
      text,
      [
        "   WORKER          SERVICE            STATUS         DESIRED  RUNNING  PENDING  VISIBLE  IN-FLIGHT  DLQ  OLDEST  ALARMS  ATTENTION",
        "   a               jw-a               scaling out          2        2        0       12          1    0       -  -",
        "!  orders-webhook  jw-orders-webhook  steady               2        2        0       12          1    3       -  x-dlq   DLQ holds 3 message(s)",
        "   no-queue        jw-no-queue        DRAINING idle        2        2        0        -          -    -       -  -",
      ].join("\n"),
    );
  });

  const ages: [number | undefined, string][] = [
    [undefined, "-"],
    [0, "0s"],
    [119, "119s"],
    [420, "7m"],
    [7200, "2.0h"],
  ];
  for (const [seconds, shown] of ages) it(`formats an age of ${seconds} s as ${shown}`, () => assert.equal(formatAge(seconds), shown));

  it("shows a fleet's on-demand part next to its Spot capacity when the fallback (or a base) is on", () => {
    const snapshot = (fleet: Snapshot["clusterPanel"]["fleets"][number]): Snapshot => ({
      cluster: "jw",
      region: "ap-northeast-1",
      generatedAt: "2026-01-01T00:00:00.000Z",
      dataAsOf: "2026-01-01T00:00:00.000Z",
      stale: [],
      unavailable: false,
      workers: [],
      clusterPanel: {
        cluster: "jw",
        instances: [],
        active: 2,
        draining: 0,
        fleets: [fleet],
        instanceTypes: {},
        stale: [],
        capacity: { cpu: { registered: 0, reserved: 0 }, memory: { registered: 0, reserved: 0 } },
      },
      errors: [],
    });
    const spotOnly = renderStatus(snapshot({ id: "sfr-1", state: "active", targetVcpus: 64, fulfilledVcpus: 48 }));
    assert.match(spotOnly, /fleet sfr-1 48\/64 vCPU(?! \(on-demand)/);
    const fallback = renderStatus(
      snapshot({ id: "sfr-1", state: "active", targetVcpus: 96, fulfilledVcpus: 64, onDemandTargetVcpus: 32, onDemandFulfilledVcpus: 16 }),
    );
    assert.match(fallback, /fleet sfr-1 64\/96 vCPU \(on-demand 16\/32\)/);
  });
});
