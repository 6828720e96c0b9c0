/**
 * The console's command line: `jobworker status|console|smoke [flags]`, reached through the package's
 * bin (`jobworker-console`), the checkout's root `bin/jobworker.js`, or directly:
 *   node -r ts-node/register/transpile-only console/cli.ts status --json
 *   node -r ts-node/register/transpile-only console/cli.ts console --allow-actions
 *   node -r ts-node/register/transpile-only console/cli.ts smoke --stack staging
 */
import { UsageError } from "./errors";
import { runConsole, runSmoke, runStatus } from "./index";

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "status") return runStatus(rest);
  if (command === "smoke") return runSmoke(rest);
  if (command === "console") {
    try {
      await runConsole(rest);
      return 0;
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      process.stderr.write(`jobworker console: ${err.message}\n`);
      return 2;
    }
  }
  process.stderr.write("usage: jobworker status|console|smoke [flags] (--help for the flags)\n");
  return 2;
}

// Exit once stdout is flushed: to a pipe, a large `status --json` is written asynchronously, and an
// immediate process.exit cut it at the pipe's buffer size (64 KiB).
const exitAfterFlush = (code: number): void => {
  process.stdout.write("", () => process.exit(code));
};

main(process.argv.slice(2)).then(
  (code) => exitAfterFlush(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
