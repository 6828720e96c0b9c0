/**
 * How `jobworker smoke` prints its events: lines for a terminal or a CI log, each step as it happens
 * with its time since the upload, or (`--json`) one JSON object per line, the last one the result.
 */
import type { SmokeEvent } from "./events";

const MARK = { passed: "ok  ", skipped: "skip", failed: "FAIL" } as const;

function seconds(s: number): string {
  return `${s.toFixed(1).padStart(6)} s`;
}

/** Renders one event as text lines (each ending in a newline). */
export function renderSmokeEvent(e: SmokeEvent): string {
  switch (e.type) {
    case "start":
      return (
        `jobworker smoke: worker ${e.worker} (${e.source}), cluster ${e.cluster}, ${e.region}; timeout ${e.timeoutSeconds} s\n` +
        `  sample ${e.sample} → ${e.object}\n` +
        `  scale-out alarms: ${e.alarms.join(", ")}\n`
      );
    case "note":
      return `  note: ${e.message}\n`;
    case "step":
      return `[${seconds(e.elapsedSeconds)}] ${MARK[e.status]}  ${e.title.padEnd(24)}  ${e.detail}\n`;
    case "cleanup": {
      const lines = [`cleanup: ${e.deleted.length > 0 ? `deleted ${e.deleted.join(", ")}` : "nothing to delete"}\n`];
      for (const err of e.errors) lines.push(`cleanup: could not delete ${err}\n`);
      return lines.join("");
    }
    case "result": {
      const lines: string[] = [];
      if (e.decisionSeconds !== undefined) {
        const met = e.decisionSeconds <= e.decisionTargetSeconds;
        lines.push(
          `upload → scale-out decision: ${e.decisionSeconds.toFixed(1)} s (target ≤ ${e.decisionTargetSeconds} s: ${met ? "met" : "MISSED"})\n`,
        );
      } else {
        lines.push("upload → scale-out decision: not measured (the alarm's change to ALARM was not seen)\n");
      }
      if (e.failure) {
        lines.push(`FAILED at "${e.failure.title}" after ${e.elapsedSeconds.toFixed(1)} s: ${e.failure.message}\n`);
        lines.push(`  what to look at: ${e.failure.hint}\n`);
      } else {
        lines.push(`PASSED: every step happened, in ${e.elapsedSeconds.toFixed(1)} s\n`);
      }
      return lines.join("");
    }
  }
}

/** One JSON object per line; a `result` line also says `exitCode`. */
export function renderSmokeEventJson(e: SmokeEvent): string {
  return `${JSON.stringify(e.type === "result" ? { ...e, exitCode: e.passed ? 0 : 1 } : e)}\n`;
}
