/**
 * The `jobworker` command.
 *
 *   jobworker run <worker>       run one worker kind against the queue and settings in the environment
 *   jobworker kinds              list the worker kinds this build holds (an image: its own kind)
 *   jobworker status [...]       worker services at a glance (the ops console's CLI)
 *   jobworker console [...]      the ops console (web)
 *
 * Exit codes: 0 after a graceful stop, 2 for usage and configuration errors, 1 otherwise.
 */
import { WORKER_ENV } from "../../catalog/contract";
import { ConfigError } from "../errors";
import { loadWorkerKind, loadWorkerKinds } from "../kinds";
import { runWorker } from "../runtime/run";

export const USAGE = `usage: jobworker <command>

  run [<worker>]   run a worker kind (default: $JOBWORKER_WORKER); settings come from the environment:
                     JOBWORKER_QUEUE_URL (required), JOBWORKER_OUTPUTS (JSON slot → binding),
                     JOBWORKER_CONCURRENCY, JOBWORKER_MAX_PROCESSING_SECONDS, JOBWORKER_SHUTDOWN_SECONDS,
                     JOBWORKER_SCRATCH_DIR, JOBWORKER_LOG_LEVEL, and the standard AWS SDK variables
                     (AWS_REGION, AWS_ENDPOINT_URL, credentials)
  kinds            list the worker kinds this build holds (an image holds only its own)
  status [...]     worker services at a glance (ops console)
  console [...]    the ops console
  help             this text
`;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Loads the console module; injectable for tests. @default require("../../console") */
  readonly loadConsole?: () => unknown;
}

const defaultIo: CliIo = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** Lazily loads `console/index.ts` (the console engineer's module); absent from worker images. */
function loadConsoleModule(io: CliIo, command: "status" | "console"): (argv: string[]) => Promise<number | void> {
  const exportName = command === "status" ? "runStatus" : "runConsole";
  let mod: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = io.loadConsole ? io.loadConsole() : require("../../console");
  } catch (err) {
    throw new ConfigError(`\`jobworker ${command}\` needs the ops console (console/index.ts), which is not installed here: run it from a checkout of the repository (${(err as Error).message.split("\n")[0]})`, {
      cause: err,
      context: { command },
    });
  }
  const fn = (mod as Record<string, unknown> | undefined)?.[exportName];
  if (typeof fn !== "function") throw new ConfigError(`the ops console module does not export \`${exportName}(argv)\``, { context: { command } });
  return fn as (argv: string[]) => Promise<number | void>;
}

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
      case "console": {
        const code = await loadConsoleModule(io, command)([...rest]);
        return typeof code === "number" ? code : 0;
      }
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
    io.stderr(`jobworker: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  }
}
