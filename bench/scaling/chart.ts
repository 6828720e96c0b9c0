/**
 * The simulator's chart: billed capacity of each policy against demand over the day, as SVG, turned
 * into a PNG by headless Chromium (Debian's `chromium`, installed by scripts/setup.sh).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  /** [seconds, vCPU] */
  readonly points: ReadonlyArray<readonly [number, number]>;
  readonly dashed?: boolean;
}

const WIDTH = 1200;
const HEIGHT = 520;
const PAD = { left: 70, right: 24, top: 70, bottom: 56 };

export function chartSvg(title: string, series: readonly ChartSeries[], seconds: number): string {
  const maxY = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[1])));
  const top = Math.ceil(maxY / 50) * 50;
  const x = (t: number) => PAD.left + (t / seconds) * (WIDTH - PAD.left - PAD.right);
  const y = (v: number) => HEIGHT - PAD.bottom - (v / top) * (HEIGHT - PAD.top - PAD.bottom);
  const grid: string[] = [];
  for (let v = 0; v <= top; v += top / 5) {
    grid.push(`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`);
    grid.push(`<text x="${PAD.left - 8}" y="${y(v) + 4}" text-anchor="end">${Math.round(v)}</text>`);
  }
  for (let h = 0; h <= seconds / 3600; h += 3) {
    grid.push(`<text x="${x(h * 3600)}" y="${HEIGHT - PAD.bottom + 20}" text-anchor="middle">${String(h).padStart(2, "0")}:00</text>`);
  }
  const lines = series.map((s) => {
    const d = s.points.map((p, i) => `${i === 0 ? "M" : "L"}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join("");
    return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`;
  });
  const legend = series.map(
    (s, i) =>
      `<g transform="translate(${PAD.left + 10 + i * 270},${PAD.top - 24})"><rect width="18" height="4" y="-4" fill="${s.color}"/>` +
      `<text x="26">${escape(s.label)}</text></g>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${PAD.left}" y="22" font-size="16" font-weight="bold">${escape(title)}</text>`,
    ...grid,
    `<text transform="translate(18,${HEIGHT / 2}) rotate(-90)" text-anchor="middle">vCPU</text>`,
    ...lines,
    ...legend,
    `</svg>`,
  ].join("\n");
}

function escape(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const CHROMIUM = "/usr/bin/chromium";

/** Renders the SVG to a PNG at `out`; returns false (with the reason) when Chromium is missing or fails. */
export function renderPng(svg: string, out: string): { ok: true } | { ok: false; reason: string } {
  if (!existsSync(CHROMIUM))
    return { ok: false, reason: `${CHROMIUM} is missing: run \`bash scripts/setup.sh\` (Debian package chromium)` };
  const dir = mkdtempSync(join(tmpdir(), "jobworker-chart-"));
  try {
    const page = join(dir, "chart.html");
    writeFileSync(page, `<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    const result = spawnSync(
      CHROMIUM,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        `--user-data-dir=${join(dir, "profile")}`,
        `--window-size=${WIDTH},${HEIGHT}`,
        `--screenshot=${out}`,
        `file://${page}`,
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    if (result.status !== 0 || !existsSync(out))
      return { ok: false, reason: `chromium exited ${result.status}: ${result.stderr.slice(-400)}` };
    return { ok: true };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
