/**
 * Renders the prod stack's CloudWatch dashboard definition (`components/alerts/dashboard.ts`, with
 * the workers of `Pulumi.prod.yaml`) as a picture for the README: an HTML page that lays each widget
 * out on CloudWatch's 24-column grid with its title and the metrics it plots (no data: the picture
 * shows what is watched, not values), screenshotted by headless Chromium.
 *
 *   node_modules/.bin/node -r ts-node/register/transpile-only scripts/render-dashboard.ts [out.png]
 *
 * The HTML rendering is a pure function (`dashboardHtml`), so a test can read it without a browser.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { dashboardBody, type DashboardBody, type MetricLine } from "../components/alerts/dashboard";
import { orderWorkers, parseWorkersConfig } from "../config/workers";

const ROOT = join(__dirname, "..");
/** Pixels per grid column and per grid row (CloudWatch's widgets are 24 columns wide). */
const COLUMN_PX = 60;
const ROW_PX = 44;

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

function metricLabel(l: MetricLine): string {
  const [namespace, name, ...rest] = l;
  const options = rest.at(-1) as Record<string, unknown>;
  const stat = String(options.stat ?? "");
  return `${escape(String(options.label ?? name))} <span class="src">${escape(String(namespace))} ${escape(String(name))} · ${escape(stat)}</span>`;
}

/** The page: one absolutely placed box per widget. */
export function dashboardHtml(body: DashboardBody, title: string): string {
  const height = Math.max(...body.widgets.map((w) => w.y + w.height)) * ROW_PX;
  const boxes = body.widgets.map((w) => {
    const style = `left:${w.x * COLUMN_PX}px;top:${w.y * ROW_PX}px;width:${w.width * COLUMN_PX - 8}px;height:${w.height * ROW_PX - 8}px`;
    if (w.type === "text")
      return `<div class="w text" style="${style}">${escape(w.properties.markdown.replace(/^# /, "")).replace(/\n/g, "<br>")}</div>`;
    const lines = w.properties.metrics.map((l, i) => `<li><i class="c${i}"></i>${metricLabel(l)}</li>`).join("");
    return `<div class="w" style="${style}"><b>${escape(w.properties.title)}</b><div class="plot"></div><ul>${lines}</ul></div>`;
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title><style>
body{margin:0;padding:12px;background:#f2f3f3;font:12px/1.35 system-ui,sans-serif;color:#16191f}
.grid{position:relative;width:${24 * COLUMN_PX}px;height:${height}px}
.w{position:absolute;box-sizing:border-box;background:#fff;border:1px solid #d5dbdb;border-radius:4px;padding:6px 8px;overflow:hidden}
.w b{display:block;font-size:12px;margin-bottom:4px}
.text{font-size:14px;background:#fafafa}
.plot{height:42%;border-left:1px solid #aab7b8;border-bottom:1px solid #aab7b8;margin:2px 0 6px;background:repeating-linear-gradient(#fff 0 15px,#f4f4f4 15px 16px)}
ul{margin:0;padding:0;list-style:none}li{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.src{color:#687078;font-size:10px}
i{display:inline-block;width:10px;height:3px;margin:0 5px 3px 0}
.c0{background:#1f77b4}.c1{background:#ff7f0e}.c2{background:#2ca02c}.c3{background:#d62728}
</style></head><body><div class="grid">${boxes.join("\n")}</div></body></html>`;
}

/** The prod stack's dashboard body, with placeholder names where AWS assigns them at deploy. */
export function prodDashboard(): DashboardBody {
  const config = (parseYaml(readFileSync(join(ROOT, "Pulumi.prod.yaml"), "utf8")) as { config: Record<string, unknown> }).config;
  const workers = parseWorkersConfig(config["jobworker:workers"]);
  return dashboardBody({
    region: String(config["aws:region"]),
    clusterName: "jobworker-cluster",
    fleetRequestId: "sfr-…",
    stackNamespace: "jobworker/prod",
    backlogPublisherFunctionName: "backlog-publisher-function",
    workers: orderWorkers(workers).map((name) => ({
      name,
      serviceName: `${name}-service`,
      queueName: `jw-prod-${name}-…`,
      deadLetterQueueName: `jw-prod-${name}-dlq-…`,
    })),
  });
}

if (require.main === module) {
  const out = process.argv[2] ?? join(ROOT, "docs", "alerts-dashboard.png");
  const body = prodDashboard();
  const dir = mkdtempSync(join(tmpdir(), "jobworker-dashboard-"));
  try {
    const page = join(dir, "dashboard.html");
    writeFileSync(page, dashboardHtml(body, "jobworker prod dashboard"));
    const height = Math.max(...body.widgets.map((w) => w.y + w.height)) * ROW_PX + 24;
    execFileSync(
      "/usr/bin/chromium",
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        `--window-size=${24 * COLUMN_PX + 24},${height}`,
        `--screenshot=${out}`,
        `file://${page}`,
      ],
      { stdio: "inherit", timeout: 60_000 },
    );
    console.log(`wrote ${out}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
