/** `jobworker status`: the snapshot as a plain-text table (pure; `--json` prints the snapshot itself). */
import { Snapshot, WorkerRow } from "./types";

export interface Column {
  readonly title: string;
  readonly align: "left" | "right";
  readonly value: (row: WorkerRow) => string;
}

const dash = (v: number | undefined): string => (v === undefined ? "-" : String(v));

export function formatAge(seconds: number | undefined): string {
  if (seconds === undefined) return "-";
  if (seconds < 120) return `${Math.round(seconds)}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  return `${(seconds / 3600).toFixed(1)}h`;
}

export const COLUMNS: readonly Column[] = [
  { title: "", align: "left", value: (r) => (r.attention.length ? "!" : "") },
  { title: "WORKER", align: "left", value: (r) => r.worker },
  { title: "SERVICE", align: "left", value: (r) => r.serviceName },
  { title: "STATUS", align: "left", value: (r) => (r.serviceStatus === "ACTIVE" ? r.scaling : `${r.serviceStatus} ${r.scaling}`) },
  { title: "DESIRED", align: "right", value: (r) => String(r.desired) },
  { title: "RUNNING", align: "right", value: (r) => String(r.running) },
  { title: "PENDING", align: "right", value: (r) => String(r.pending) },
  { title: "VISIBLE", align: "right", value: (r) => dash(r.queue?.visible) },
  { title: "IN-FLIGHT", align: "right", value: (r) => dash(r.queue?.inFlight) },
  { title: "DLQ", align: "right", value: (r) => dash(r.dlqDepth) },
  { title: "OLDEST", align: "right", value: (r) => formatAge(r.oldestMessageAgeSeconds) },
  // What fired, by name: notifying alarms only (scaling alarms are the STATUS column).
  {
    title: "ALARMS",
    align: "left",
    value: (r) =>
      r.alarms
        .filter((a) => a.role === "notify" && a.state === "ALARM")
        .map((a) => a.name)
        .join(",") || "-",
  },
  { title: "ATTENTION", align: "left", value: (r) => r.attention.join("; ") },
];

export function renderTable(rows: readonly WorkerRow[], columns: readonly Column[] = COLUMNS): string {
  const cells = rows.map((r) => columns.map((c) => c.value(r)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((row) => (row[i] as string).length)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => (columns[i]?.align === "right" ? v.padStart(widths[i] as number) : v.padEnd(widths[i] as number)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.title)), ...cells.map(line)].join("\n");
}

/** The whole `jobworker status` output: the table, a cluster line, and any AWS errors. */
export function renderStatus(snapshot: Snapshot): string {
  const p = snapshot.clusterPanel;
  const attention = snapshot.workers.filter((r) => r.attention.length > 0).length;
  const fleets =
    p.fleets
      .map((f) => {
        const i = f.interruptions;
        const interrupted = i ? `, ${i.count} interrupted in ${i.windowHours} h${i.last ? ` (last ${i.last})` : ""}` : "";
        const onDemand = f.onDemandTargetVcpus ? ` (on-demand ${f.onDemandFulfilledVcpus ?? 0}/${f.onDemandTargetVcpus})` : "";
        return `fleet ${f.id} ${f.fulfilledVcpus}/${f.targetVcpus} vCPU${onDemand}${interrupted}`;
      })
      .join(", ") || "no spot fleet found";
  const types =
    Object.entries(p.instanceTypes)
      .map(([t, n]) => `${t}x${n}`)
      .join(" ") || "-";
  const lines = [
    renderTable(snapshot.workers),
    "",
    snapshot.unavailable
      ? `no data: the services on ${snapshot.cluster} (${snapshot.region}) could not be read; nothing is known to be well`
      : `${snapshot.workers.length} services on ${snapshot.cluster} (${snapshot.region}), ${attention} need attention`,
    `instances: ${p.active} active, ${p.draining} draining, ${p.stale.length} stale; ${fleets}; types ${types}`,
    `capacity: CPU ${p.capacity.cpu.reserved}/${p.capacity.cpu.registered} units reserved, memory ${p.capacity.memory.reserved}/${p.capacity.memory.registered} MiB reserved`,
  ];
  if (snapshot.dashboardUrl) lines.push(`dashboard: ${snapshot.dashboardUrl}`);
  if (snapshot.stale.length > 0) lines.push(`STALE: ${snapshot.stale.length} read(s) failed; showing data from ${snapshot.dataAsOf}`);
  for (const s of p.stale) lines.push(`stale: ${s.id} (${s.ec2InstanceId ?? "no EC2 id"}): ${s.stale}`);
  for (const e of snapshot.errors) lines.push(`error: ${e.source}: ${e.throttled ? "throttled: " : ""}${e.message}`);
  return `${lines.join("\n")}\n`;
}
