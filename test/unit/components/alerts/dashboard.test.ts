/**
 * The dashboard body (a pure function): valid JSON for CloudWatch's dashboard syntax, a fleet row,
 * one row per worker with the worker's own names, the EMF job metrics by their names.
 */
import assert from "node:assert/strict";
import { dashboardBody, dashboardMetrics, type DashboardInputs } from "../../../../components/alerts/dashboard";

const inputs: DashboardInputs = {
  region: "ap-northeast-1",
  clusterName: "jobworker-cluster-0a1b",
  fleetRequestId: "sfr-0123",
  stackNamespace: "jobworker/prod",
  backlogPublisherFunctionName: "backlog-publisher-function-9f",
  workers: [
    {
      name: "feed-normalize",
      serviceName: "feed-normalize-svc",
      queueName: "jw-prod-feed-normalize-1",
      deadLetterQueueName: "jw-prod-feed-normalize-dlq-1",
    },
    {
      name: "orders-webhook",
      serviceName: "orders-webhook-svc",
      queueName: "jw-prod-orders-webhook-1",
      deadLetterQueueName: "jw-prod-orders-webhook-dlq-1",
    },
  ],
};

describe("dashboard body", () => {
  const body = JSON.parse(JSON.stringify(dashboardBody(inputs)));

  it("round-trips as JSON and lays every widget inside the 24-column grid without overlap", () => {
    const cells = new Set<string>();
    for (const w of body.widgets) {
      assert.ok(Number.isInteger(w.x) && Number.isInteger(w.width) && w.x + w.width <= 24, JSON.stringify(w));
      for (let x = w.x; x < w.x + w.width; x++)
        for (let y = w.y; y < w.y + w.height; y++) {
          assert.ok(!cells.has(`${x},${y}`), `overlap at ${x},${y}`);
          cells.add(`${x},${y}`);
        }
    }
  });

  it("has the fleet row and five widgets per worker, titled with the worker", () => {
    const titles = body.widgets.filter((w: any) => w.type === "metric").map((w: any) => w.properties.title);
    assert.deepEqual(titles.slice(0, 4), [
      "Fleet capacity (vCPUs): fulfilled vs target",
      "Cluster reservation (%)",
      "Spot interruption warnings (per hour)",
      "Backlog publisher: invocations and errors",
    ]);
    for (const w of inputs.workers) assert.equal(titles.filter((t: string) => t.startsWith(`${w.name}:`)).length, 5);
  });

  it("reads job duration p50/p95 and failed/dead-lettered jobs from the runtime's EMF metrics, by worker", () => {
    const metrics = dashboardMetrics(body).filter((m) => m.namespace === "jobworker");
    assert.deepEqual(
      metrics.filter((m) => m.dimensions.Worker === "orders-webhook").map((m) => [m.metricName, m.dimensions.Outcome ?? ""]),
      [
        ["JobDuration", ""],
        ["JobDuration", ""],
        ["Jobs", "failed"],
        ["Jobs", "dead-lettered"],
      ],
    );
    const duration = body.widgets.find((w: any) => w.properties?.title === "orders-webhook: job duration (ms)");
    assert.deepEqual(
      duration.properties.metrics.map((l: any[]) => l.at(-1).stat),
      ["p50", "p95"],
    );
  });

  it("names each worker's own queue, DLQ and service", () => {
    const dims = dashboardMetrics(body).map((m) => m.dimensions);
    assert.ok(dims.some((d) => d.QueueName === "jw-prod-feed-normalize-dlq-1"));
    assert.ok(dims.some((d) => d.ServiceName === "orders-webhook-svc" && d.ClusterName === "jobworker-cluster-0a1b"));
  });
});

describe("dashboard picture (scripts/render-dashboard.ts)", () => {
  it("renders the prod dashboard's every widget title and metric into the page Chromium screenshots", async () => {
    const { dashboardHtml, prodDashboard } = await import("../../../../scripts/render-dashboard");
    const body = prodDashboard();
    const html = dashboardHtml(body, "t");
    for (const w of body.widgets)
      if (w.type === "metric") assert.ok(html.includes(w.properties.title.replace(/&/g, "&amp;")), w.properties.title);
    for (const m of dashboardMetrics(body)) assert.ok(html.includes(`${m.namespace} ${m.metricName}`), m.metricName);
  });
});
