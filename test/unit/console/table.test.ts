import assert from "node:assert/strict";
import { formatAge, renderTable } from "../../../console/table";
import { WorkerRow } from "../../../console/types";

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
  attention: [],
  ...change,
});

describe("console/table", () => {
  it("aligns columns (numbers right), marks rows needing attention with ! and shows - for unknowns", () => {
    const text = renderTable([row("a"), row("orders-webhook", { dlqDepth: 3, attention: ["DLQ holds 3 message(s)"], alarms: [{ name: "x", state: "OK" }] }), row("no-queue", { queue: undefined, dlqDepth: undefined, queueSource: "none" })]);
    assert.equal(
      text,
      [
        "   WORKER          SERVICE  DESIRED  RUNNING  PENDING  VISIBLE  IN-FLIGHT  DLQ  OLDEST  ALARMS  ATTENTION",
        "   a               ACTIVE         2        2        0       12          1    0       -  -",
        "!  orders-webhook  ACTIVE         2        2        0       12          1    3       -  ok      DLQ holds 3 message(s)",
        "   no-queue        ACTIVE         2        2        0        -          -    -       -  -",
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
});
