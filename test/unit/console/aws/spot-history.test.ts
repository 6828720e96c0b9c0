import assert from "node:assert/strict";
import type { EC2Client, HistoryRecord } from "@aws-sdk/client-ec2";
import { countInterruptions, isInterruption, readSpotInterruptions } from "../../../../console/aws/spot-history";
import { stubClient } from "./stub-client";

const NOW = new Date("2026-05-01T12:00:00Z");
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const record = (
  subType: string,
  hours: number,
  instanceId?: string,
  description?: string,
  eventType = "instanceChange",
): HistoryRecord => ({
  EventType: eventType as HistoryRecord["EventType"],
  Timestamp: hoursAgo(hours),
  EventInformation: {
    EventSubType: subType,
    ...(instanceId ? { InstanceId: instanceId } : {}),
    ...(description ? { EventDescription: description } : {}),
  },
});

describe("console/aws/spot-history", () => {
  const cases: [string, HistoryRecord, boolean][] = [
    ["EC2's termination notice is an interruption", record("termination_notified", 1, "i-1"), true],
    [
      "a termination whose description says EC2 interrupted it is one",
      record("terminated", 1, "i-1", "Spot instance interrupted: no capacity"),
      true,
    ],
    ["a plain termination (the fleet scaled in, or a person) is not", record("terminated", 1, "i-1", '{"instanceType":"m5.large"}'), false],
    ["a launch is not", record("launched", 1, "i-1"), false],
    ["a fleet request change is not", record("termination_notified", 1, "i-1", undefined, "fleetRequestChange"), false],
  ];
  for (const [title, r, expected] of cases) it(title, () => assert.equal(isInterruption(r), expected));

  it("counts instances once (notice then termination), within the window, with the newest time", () => {
    const records = [
      record("termination_notified", 3, "i-1"),
      record("terminated", 2.9, "i-1", "Spot instance interrupted"),
      record("termination_notified", 1, "i-2"),
      record("launched", 0.5, "i-3"),
      record("termination_notified", 30, "i-4"),
    ];
    assert.deepEqual(countInterruptions(records, hoursAgo(24)), { count: 2, last: hoursAgo(1).toISOString(), windowHours: 24 });
    assert.deepEqual(countInterruptions([], hoursAgo(24)), { count: 0, windowHours: 24 });
  });

  it("asks one fleet's instance changes since 24 h ago, following NextToken", async () => {
    const { client, sent } = stubClient<EC2Client>((call) =>
      call.input.NextToken === undefined
        ? { HistoryRecords: [record("termination_notified", 5, "i-1")], NextToken: "t2" }
        : { HistoryRecords: [record("termination_notified", 2, "i-2")] },
    );
    const got = await readSpotInterruptions(client, "sfr-1", NOW);
    assert.deepEqual(
      sent.map((c) => [
        c.name,
        c.input.SpotFleetRequestId,
        c.input.EventType,
        (c.input.StartTime as Date).toISOString(),
        c.input.NextToken,
      ]),
      [
        ["DescribeSpotFleetRequestHistoryCommand", "sfr-1", "instanceChange", hoursAgo(24).toISOString(), undefined],
        ["DescribeSpotFleetRequestHistoryCommand", "sfr-1", "instanceChange", hoursAgo(24).toISOString(), "t2"],
      ],
    );
    assert.deepEqual(got, { count: 2, last: hoursAgo(2).toISOString(), windowHours: 24 });
  });
});
