/**
 * The stack's CloudWatch dashboard body, as a pure function of plain names (CloudWatch API
 * Reference, "Dashboard Body Structure and Syntax"): a fleet row (capacity against target and the
 * cluster's reservation, Spot interruptions, the backlog publisher), then one row per worker
 * (backlog and in flight, running tasks, DLQ depth, job duration p50/p95, failures).
 */
import { IN_FLIGHT, OLDEST_AGE, SQS_NAMESPACE, VISIBLE } from "../job-worker/scaling";
import { LOG_METRIC_DIMENSION, LOG_METRICS } from "./log-alerts";
import { CONTAINER_INSIGHTS_TASK_COUNTS, ECS_NAMESPACE, ECS_RESERVATION, JOB_METRICS } from "./metrics";
import { CONTAINER_INSIGHTS_NAMESPACE, EC2_SPOT_NAMESPACE, SPOT_FLEET_PERIOD_SECONDS, SPOT_INTERRUPTIONS_METRIC } from "./platform-alarms";

export interface DashboardInputs {
  readonly region: string;
  readonly clusterName: string;
  readonly fleetRequestId: string;
  /** Namespace of the stack's log and event metrics (`stackMetricsNamespace`). */
  readonly stackNamespace: string;
  readonly backlogPublisherFunctionName?: string;
  readonly workers: readonly {
    readonly name: string;
    readonly serviceName: string;
    readonly queueName: string;
    readonly deadLetterQueueName: string;
  }[];
}

/** One metric line of a widget: namespace, name, dimension name/value pairs, then options. */
export type MetricLine = (string | Record<string, unknown>)[];

export interface MetricWidget {
  readonly type: "metric";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: {
    readonly title: string;
    readonly region: string;
    readonly view: "timeSeries";
    readonly stacked: false;
    readonly period: number;
    readonly metrics: MetricLine[];
    readonly yAxis?: { readonly left: { readonly min: number } };
  };
}

export interface TextWidget {
  readonly type: "text";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: { readonly markdown: string };
}

export interface DashboardBody {
  readonly widgets: (MetricWidget | TextWidget)[];
}

const WIDTH = 24;
const HEIGHT = 6;

function line(namespace: string, metricName: string, dims: Record<string, string>, options: Record<string, unknown>): MetricLine {
  return [namespace, metricName, ...Object.entries(dims).flat(), options];
}

/** Lays widgets of one row out left to right over the dashboard's 24 whole columns (five widgets: 5, 5, 5, 5, 4). */
function row(y: number, region: string, period: number, widgets: { title: string; metrics: MetricLine[] }[]): MetricWidget[] {
  const base = Math.floor(WIDTH / widgets.length);
  const wider = WIDTH % widgets.length;
  let x = 0;
  return widgets.map((w, i) => {
    const width = base + (i < wider ? 1 : 0);
    const widget: MetricWidget = {
      type: "metric",
      x,
      y,
      width,
      height: HEIGHT,
      properties: { title: w.title, region, view: "timeSeries", stacked: false, period, metrics: w.metrics, yAxis: { left: { min: 0 } } },
    };
    x += width;
    return widget;
  });
}

function fleetRow(i: DashboardInputs, y: number): MetricWidget[] {
  const fleet = { FleetRequestId: i.fleetRequestId };
  const cluster = { ClusterName: i.clusterName };
  const widgets = [
    {
      title: "Fleet capacity (vCPUs): fulfilled vs target",
      metrics: [
        line(EC2_SPOT_NAMESPACE, "TargetCapacity", fleet, { stat: "Average", label: "target" }),
        line(EC2_SPOT_NAMESPACE, "FulfilledCapacity", fleet, { stat: "Average", label: "fulfilled" }),
      ],
    },
    {
      title: "Cluster reservation (%)",
      metrics: ECS_RESERVATION.map((m) => line(ECS_NAMESPACE, m, cluster, { stat: "Maximum", label: m })),
    },
    {
      title: "Spot interruption warnings (per hour)",
      metrics: [line(i.stackNamespace, SPOT_INTERRUPTIONS_METRIC, {}, { stat: "Sum", period: 3600, label: "warnings" })],
    },
  ];
  if (i.backlogPublisherFunctionName !== undefined) {
    const fn = { FunctionName: i.backlogPublisherFunctionName };
    widgets.push({
      title: "Backlog publisher: invocations and errors",
      metrics: [
        line("AWS/Lambda", "Invocations", fn, { stat: "Sum", label: "invocations" }),
        line("AWS/Lambda", "Errors", fn, { stat: "Sum", label: "errors" }),
      ],
    });
  }
  return row(y, i.region, SPOT_FLEET_PERIOD_SECONDS, widgets);
}

function workerRow(i: DashboardInputs, w: DashboardInputs["workers"][number], y: number): MetricWidget[] {
  const queue = { QueueName: w.queueName };
  const service = { ClusterName: i.clusterName, ServiceName: w.serviceName };
  const worker = { Worker: w.name };
  return row(y, i.region, 60, [
    {
      title: `${w.name}: backlog and in flight`,
      metrics: [
        line(SQS_NAMESPACE, VISIBLE, queue, { stat: "Maximum", label: "visible" }),
        line(SQS_NAMESPACE, IN_FLIGHT, queue, { stat: "Maximum", label: "in flight" }),
        line(SQS_NAMESPACE, OLDEST_AGE, queue, { stat: "Maximum", label: "oldest (s)", yAxis: "right" }),
      ],
    },
    {
      title: `${w.name}: tasks`,
      metrics: CONTAINER_INSIGHTS_TASK_COUNTS.map((m) =>
        line(CONTAINER_INSIGHTS_NAMESPACE, m, service, { stat: "Maximum", label: m.replace("TaskCount", "").toLowerCase() }),
      ),
    },
    {
      title: `${w.name}: dead-letter queue`,
      metrics: [line(SQS_NAMESPACE, VISIBLE, { QueueName: w.deadLetterQueueName }, { stat: "Maximum", label: "messages" })],
    },
    {
      title: `${w.name}: job duration (ms)`,
      metrics: ["p50", "p95"].map((stat) => line(JOB_METRICS.namespace, JOB_METRICS.duration, worker, { stat, label: stat })),
    },
    {
      title: `${w.name}: failures`,
      metrics: [
        ...(["failed", "dead-lettered"] as const).map((outcome) =>
          line(JOB_METRICS.namespace, JOB_METRICS.jobs, { ...worker, Outcome: outcome }, { stat: "Sum", label: `jobs ${outcome}` }),
        ),
        ...LOG_METRICS.map((m) =>
          line(i.stackNamespace, m.metricName, { [LOG_METRIC_DIMENSION.name]: w.name }, { stat: "Sum", label: m.metricName }),
        ),
      ],
    },
  ]);
}

export function dashboardBody(i: DashboardInputs): DashboardBody {
  const header: TextWidget = {
    type: "text",
    x: 0,
    y: 0,
    width: WIDTH,
    height: 2,
    properties: {
      markdown: `# jobworker ${i.clusterName}\nFleet, then one row per worker (${i.workers.length}). What each alarm means and the first response: docs/alerts.md.`,
    },
  };
  const widgets: (MetricWidget | TextWidget)[] = [header, ...fleetRow(i, 2)];
  i.workers.forEach((w, k) => widgets.push(...workerRow(i, w, 2 + HEIGHT * (k + 1))));
  return { widgets };
}

/** The metrics a body reads, as `namespace metricName` pairs (for tests and the picture). */
export function dashboardMetrics(body: DashboardBody): { namespace: string; metricName: string; dimensions: Record<string, string> }[] {
  return body.widgets.flatMap((w) =>
    w.type !== "metric"
      ? []
      : w.properties.metrics.map((l) => {
          const [namespace, metricName, ...rest] = l as string[];
          const dims: Record<string, string> = {};
          for (let k = 0; k + 1 < rest.length; k += 2) if (typeof rest[k + 1] === "string") dims[rest[k]] = rest[k + 1];
          return { namespace, metricName, dimensions: dims };
        }),
  );
}
