/**
 * What `jobworker smoke` reports, as it happens (`start`, `note`s, each `step`, `cleanup`) and at the
 * end (`result`): the text and `--json` renderings both read these.
 */
import type { StepRecord } from "./progress";

export interface CleanupReport {
  /** `s3://` URIs deleted. */
  readonly deleted: readonly string[];
  /** Deletions that failed, with why: left for the operator. */
  readonly errors: readonly string[];
}

export interface SmokeResult {
  readonly passed: boolean;
  readonly worker: string;
  readonly elapsedSeconds: number;
  /** Upload → a scale-out alarm in ALARM, by CloudWatch's state change time; absent when not seen. */
  readonly decisionSeconds?: number;
  readonly decisionTargetSeconds: number;
  readonly steps: readonly StepRecord[];
  readonly failure?: { readonly step: string; readonly title: string; readonly message: string; readonly hint: string };
  readonly cleanup: CleanupReport;
}

export type SmokeEvent =
  | {
      readonly type: "start";
      readonly worker: string;
      readonly source: string;
      readonly cluster: string;
      readonly region: string;
      readonly sample: string;
      readonly object: string;
      readonly alarms: readonly string[];
      readonly timeoutSeconds: number;
    }
  | { readonly type: "note"; readonly message: string }
  | ({ readonly type: "step" } & StepRecord)
  | ({ readonly type: "cleanup" } & CleanupReport)
  | ({ readonly type: "result" } & SmokeResult);
