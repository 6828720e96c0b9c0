/**
 * Command-line flags of `jobworker smoke`, parsed and validated by a plain function. Every error is a
 * `UsageError` (exit 2) naming the flag, the value and the fix.
 */
import { parseArgs } from "node:util";
import { UsageError } from "../errors";

export const SMOKE_DEFAULTS = {
  /** The whole check, upload to delivered output. */
  timeoutSeconds: 600,
  /** Between two rounds of reads. */
  intervalSeconds: 2,
  /** Longest the check may be given. */
  maxTimeoutSeconds: 3600,
} as const;

/** Where the stack outputs come from. */
export type OutputsSource =
  { readonly kind: "file"; readonly path: string } | { readonly kind: "stdin" } | { readonly kind: "stack"; readonly stack: string };

export interface SmokeOptions {
  readonly outputs: OutputsSource;
  /** @default the stack's only worker */
  readonly worker?: string;
  /** @default the kind's first sample in workers/kinds/<kind>/samples/ */
  readonly file?: string;
  /** @default 600 */
  readonly timeoutSeconds: number;
  /** @default 2 */
  readonly intervalSeconds: number;
  /** @default the region of the stack's queues, else the SDK's */
  readonly region?: string;
  /** One JSON line per event on stdout. @default false */
  readonly json: boolean;
  readonly help: boolean;
}

export const SMOKE_USAGE = `usage: jobworker smoke (--outputs <file|-> | --stack <name>) [--worker <name>] [--file <path>]
                      [--timeout <seconds>] [--interval <seconds>] [--region <region>] [--json]

Drops a sample into a worker's input and follows it: object stored → message queued → scale-out alarm
in ALARM → ECS desired count > 0 → a task RUNNING → output delivered; prints each step with its time,
the upload → scale-out decision time (target ≤ 30 s), then deletes the sample and the outputs it made.

  --outputs <file|->   \`pulumi stack output --json\` of the stack, in a file or on stdin (-)
  --stack <name>       run \`pulumi stack output --json --stack <name>\` instead
  --worker <name>      the worker to check (default: the stack's only worker)
  --file <path>        the sample to upload (default: workers/kinds/<kind>/samples/, first file)
  --timeout <s>        give up after this long (default ${SMOKE_DEFAULTS.timeoutSeconds})
  --interval <s>       seconds between reads (default ${SMOKE_DEFAULTS.intervalSeconds})
  --region <region>    AWS region (default: the region of the stack's queues)
  --json               one JSON object per line: each step as it happens, then the result

Exit 0 when every step happened, 1 when one did not (the output names it and what to look at),
2 when the check could not run (bad flag, missing or unreadable outputs, the stack's resources not
found; nothing was uploaded).
`;

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function seconds(flag: string, raw: unknown, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`\`--${flag}\` is ${JSON.stringify(raw)}; give a number of seconds from ${min} to ${max}`);
  }
  return n;
}

export function parseSmokeArgs(argv: readonly string[]): SmokeOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        outputs: { type: "string" },
        stack: { type: "string" },
        worker: { type: "string" },
        file: { type: "string" },
        timeout: { type: "string" },
        interval: { type: "string" },
        region: { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message, { cause: err });
  }
  const help = values.help === true;
  const json = values.json === true;
  const outputsFlag = str(values.outputs);
  const stack = str(values.stack);
  if (help)
    return {
      outputs: { kind: "stdin" },
      timeoutSeconds: SMOKE_DEFAULTS.timeoutSeconds,
      intervalSeconds: SMOKE_DEFAULTS.intervalSeconds,
      json,
      help,
    };
  if (outputsFlag !== undefined && stack !== undefined) {
    throw new UsageError(
      `\`--outputs\` and \`--stack\` are both given (${outputsFlag}, ${stack}); pass one: a file of \`pulumi stack output --json\`, or the stack to ask Pulumi for`,
    );
  }
  if (outputsFlag === undefined && stack === undefined) {
    throw new UsageError(
      "`--outputs <file|->` or `--stack <name>` is required: the check reads the stack's outputs (`pulumi stack output --json`)",
    );
  }
  const outputs: OutputsSource =
    stack !== undefined ? { kind: "stack", stack } : outputsFlag === "-" ? { kind: "stdin" } : { kind: "file", path: outputsFlag! };
  const timeoutSeconds = seconds("timeout", values.timeout, SMOKE_DEFAULTS.timeoutSeconds, 1, SMOKE_DEFAULTS.maxTimeoutSeconds);
  const intervalSeconds = seconds("interval", values.interval, SMOKE_DEFAULTS.intervalSeconds, 0.1, 60);
  if (intervalSeconds >= timeoutSeconds) {
    throw new UsageError(`\`--interval\` (${intervalSeconds} s) must be shorter than \`--timeout\` (${timeoutSeconds} s)`);
  }
  const worker = str(values.worker);
  const file = str(values.file);
  const region = str(values.region);
  return {
    outputs,
    ...(worker ? { worker } : {}),
    ...(file ? { file } : {}),
    timeoutSeconds,
    intervalSeconds,
    ...(region ? { region } : {}),
    json,
    help,
  };
}
