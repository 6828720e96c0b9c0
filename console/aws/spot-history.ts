/**
 * Spot interruptions per fleet, from `DescribeSpotFleetRequestHistory` (event type `instanceChange`).
 * Per the EC2 API reference (EventInformation), an `instanceChange` event's `EventSubType` is
 * `launched`, `terminated` (an instance was terminated) or `termination_notified` (EC2 sent the
 * termination notice of a Spot Instance it takes back). EC2's own terminations are the notified ones;
 * a `terminated` event counts too when its description says EC2 interrupted the instance. One instance
 * usually has both events: instances are counted once. History is kept 48 hours.
 */
import { DescribeSpotFleetRequestHistoryCommand, EC2Client, HistoryRecord } from "@aws-sdk/client-ec2";
import { SpotInterruptions } from "../types";
import { paginate } from "./batch";

export const INTERRUPTION_WINDOW_HOURS = 24;
/** The history changes slowly and the call is per fleet: read at most once a minute. */
export const SPOT_HISTORY_TTL_MS = 60_000;

const INTERRUPTED_DESCRIPTION = /interrupt|capacity-not-available|price|termination notice/i;

/** Whether a history record is EC2 taking an instance back (not the fleet scaling in on request, not a launch). */
export function isInterruption(record: HistoryRecord): boolean {
  if (record.EventType !== "instanceChange") return false;
  const sub = record.EventInformation?.EventSubType;
  if (sub === "termination_notified") return true;
  return sub === "terminated" && INTERRUPTED_DESCRIPTION.test(record.EventInformation?.EventDescription ?? "");
}

/** Distinct instances interrupted at or after `since`, and the newest interruption's time. */
export function countInterruptions(
  records: readonly HistoryRecord[],
  since: Date,
  windowHours = INTERRUPTION_WINDOW_HOURS,
): SpotInterruptions {
  const newest = new Map<string, number>();
  for (const r of records) {
    const at = r.Timestamp?.getTime();
    if (at === undefined || at < since.getTime() || !isInterruption(r)) continue;
    // Without an instance id, each event is its own interruption.
    const key = r.EventInformation?.InstanceId ?? `event-${newest.size}`;
    newest.set(key, Math.max(newest.get(key) ?? 0, at));
  }
  const last = Math.max(0, ...newest.values());
  return { count: newest.size, ...(newest.size > 0 ? { last: new Date(last).toISOString() } : {}), windowHours };
}

/** A fleet's interruptions over the last `INTERRUPTION_WINDOW_HOURS`. */
export async function readSpotInterruptions(ec2: EC2Client, spotFleetRequestId: string, now: Date): Promise<SpotInterruptions> {
  const since = new Date(now.getTime() - INTERRUPTION_WINDOW_HOURS * 3_600_000);
  const records = await paginate("ec2:DescribeSpotFleetRequestHistory", async (NextToken) => {
    const out = await ec2.send(
      new DescribeSpotFleetRequestHistoryCommand({
        SpotFleetRequestId: spotFleetRequestId,
        StartTime: since,
        EventType: "instanceChange",
        MaxResults: 1000,
        NextToken,
      }),
    );
    return { items: out.HistoryRecords, next: out.NextToken };
  });
  return countInterruptions(records, since);
}
