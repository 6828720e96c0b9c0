/**
 * `jobworker smoke`: a post-deploy check that follows one sample through a worker, from upload to
 * delivered output, against a real account or moto. `smokeCommand` takes its clients, streams, clock
 * and outputs reader (tests); `runSmoke` is the CLI's entry with the real ones.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { PreflightError, UsageError } from "../errors";
import { createSmokeClients, destroySmokeClients, type SmokeClients } from "./clients";
import { parseSmokeArgs, SMOKE_USAGE } from "./options";
import { renderSmokeEvent, renderSmokeEventJson } from "./report";
import { type Clock, runSmokeCheck, systemClock } from "./run";
import { loadSample, SAMPLES_ROOT } from "./sample";
import { chooseWorker, type OutputsReader, pulumiStackOutput, readStackOutputs, regionOf } from "./stack-outputs";

export { SMOKE_USAGE, parseSmokeArgs } from "./options";
export { runSmokeCheck, systemClock } from "./run";
export type { Clock } from "./run";
export type { SmokeEvent, SmokeResult } from "./events";
export { createSmokeClients } from "./clients";
export type { SmokeClients } from "./clients";

export interface SmokeIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

export interface SmokeCommandDeps {
  /** The clients for the region the check runs in; destroyed when it ends. */
  readonly createClients: (region: string) => SmokeClients;
  readonly outputsReader: OutputsReader;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Aborts the check (SIGINT); it still cleans up. */
  readonly signal?: AbortSignal;
  /** @default workers/kinds */
  readonly samplesRoot?: string;
}

/** `jobworker smoke` with everything passed in; resolves to the exit code (0 passed, 1 a step failed, 2 could not run). */
export async function smokeCommand(argv: readonly string[], io: SmokeIo, deps: SmokeCommandDeps): Promise<number> {
  let json = false;
  let clients: SmokeClients | undefined;
  try {
    const options = parseSmokeArgs(argv);
    json = options.json;
    if (options.help) {
      io.stdout.write(SMOKE_USAGE);
      return 0;
    }
    const stack = await readStackOutputs(options.outputs, deps.outputsReader);
    const worker = chooseWorker(stack, options.worker);
    const region = options.region ?? regionOf(worker);
    const clock = deps.clock ?? systemClock;
    const sample = await loadSample(
      worker,
      options.file,
      new Date(clock.now()),
      randomBytes(3).toString("hex"),
      deps.samplesRoot ?? SAMPLES_ROOT,
    );
    clients = deps.createClients(region);
    const render = json ? renderSmokeEventJson : renderSmokeEvent;
    const result = await runSmokeCheck(
      { stack, worker, sample, region, timeoutSeconds: options.timeoutSeconds, intervalSeconds: options.intervalSeconds },
      { clients, clock, onEvent: (e) => io.stdout.write(render(e)), ...(deps.signal ? { signal: deps.signal } : {}) },
    );
    return result.passed ? 0 : 1;
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof PreflightError)) throw err;
    io.stderr.write(
      `jobworker smoke: ${err instanceof PreflightError ? "could not run: " : ""}${err.message}\n${err instanceof UsageError ? `\n${SMOKE_USAGE}` : ""}`,
    );
    if (json) io.stdout.write(`${JSON.stringify({ type: "result", passed: false, exitCode: 2, error: err.message })}\n`);
    return 2;
  } finally {
    if (clients) destroySmokeClients(clients);
  }
}

/** `jobworker smoke [flags]` with the process's streams, the SDK's settings and the Pulumi CLI. */
export async function runSmoke(argv: string[]): Promise<number> {
  const env = process.env;
  const interrupt = new AbortController();
  const stop = (signal: NodeJS.Signals) => interrupt.abort(new Error(`${signal}: interrupted`));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  try {
    return await smokeCommand(
      argv,
      { stdout: process.stdout, stderr: process.stderr },
      {
        // The SDK reads credentials and AWS_ENDPOINT_URL itself; path-style addressing for emulators on loopback.
        createClients: (region) => createSmokeClients({ region, forcePathStyle: env.AWS_S3_FORCE_PATH_STYLE === "true" }),
        outputsReader: {
          readFile: (path) => readFile(path, "utf8"),
          readStdin: () => readAll(process.stdin),
          pulumiStackOutput: (stack) => pulumiStackOutput(stack, env),
        },
        signal: interrupt.signal,
      },
    );
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}
