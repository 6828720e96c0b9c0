/**
 * The `jobworker` command.
 *
 *   jobworker run <worker>       run one worker kind against the queue and settings in the environment
 *   jobworker kinds              list the worker kinds this build holds (an image: its own kind)
 *
 * `jobworker status`, `jobworker console` and `jobworker smoke` are the ops console's (package `@jobworker/console`),
 * never in a worker image: from a checkout, the root `bin/jobworker.js` sends them there.
 *
 * Exit codes: 0 after a graceful stop, 2 for usage and configuration errors, 1 otherwise.
 */
import { WORKER_ENV } from "../../catalog/contract";
import { ConfigError, JobworkerError } from "../errors";
import { loadWorkerKind, loadWorkerKinds } from "../kinds";
import { runWorker } from "../runtime/run";

export const USAGE = `usage: jobworker <command>

  run [<worker>]   run a worker kind (default: $JOBWORKER_WORKER); settings come from the environment:
                     JOBWORKER_QUEUE_URL (required), JOBWORKER_OUTPUTS (JSON slot → binding),
                     JOBWORKER_CONCURRENCY, JOBWORKER_MAX_PROCESSING_SECONDS, JOBWORKER_SHUTDOWN_SECONDS,
                     JOBWORKER_SCRATCH_DIR, JOBWORKER_LOG_LEVEL, and the standard AWS SDK variables
                     (AWS_REGION, AWS_ENDPOINT_URL, credentials; AWS_S3_FORCE_PATH_STYLE=true for an
                     emulator on loopback); tuning: docs/runtime.md
  kinds            list the worker kinds this build holds (an image holds only its own)
  help             this text

  status, console, smoke: the ops console, run from a checkout of the repository
                   (npm run jobworker -- status ...), not from a worker image
`;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const defaultIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo = defaultIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "run": {
        // The image sets JOBWORKER_WORKER, so its default command is a bare `jobworker run`.
        const name = rest.length === 1 ? rest[0]! : rest.length === 0 ? env[WORKER_ENV.worker] : undefined;
        if (name === undefined || name === "") {
          io.stderr(`jobworker run: expected one worker name (or \`${WORKER_ENV.worker}\`), got ${rest.length} arguments\n\n${USAGE}`);
          return 2;
        }
        const kind = loadWorkerKind(name);
        const { done } = await runWorker(kind);
        return await done;
      }
      case "kinds":
        for (const kind of loadWorkerKinds()) io.stdout(`${kind.definition.name}\t${kind.definition.description}\n`);
        return 0;
      case "status":
      case "console":
      case "smoke":
        // The console is a package of its own (console/): worker images do not carry it or its clients.
        io.stderr(
          `jobworker ${command}: the ops console is not part of this package; from a checkout of the repository run \`npm run jobworker -- ${command} ...\` (or \`node bin/jobworker.js ${command} ...\`)\n`,
        );
        return 2;
      case "help":
      case "--help":
      case "-h":
        io.stdout(USAGE);
        return 0;
      default:
        io.stderr(`jobworker: ${command === undefined ? "no command" : `unknown command \`${command}\``}\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr(`jobworker: configuration error: ${err.message}\n`);
      return 2;
    }
    // Our own errors already say what failed and what to check: no stack trace.
    if (err instanceof JobworkerError) {
      io.stderr(`jobworker: ${err.message}\n`);
      return 1;
    }
    io.stderr(`jobworker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
