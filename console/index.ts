/**
 * The ops console's public API: `jobworker status`, `jobworker console` and `jobworker smoke` dispatch
 * here with the arguments after the subcommand. `statusCommand`, `startConsoleServer` and
 * `smokeCommand` take their clients and streams, for tests and other programs.
 */
import { ListClustersCommand } from "@aws-sdk/client-ecs";
import { ConsoleClients, createClients, destroyClients } from "./aws/clients";
import { Collector } from "./collect";
import { UsageError } from "./errors";
import { CONSOLE_USAGE, parseConsoleArgs, parseStatusArgs, STATUS_USAGE } from "./options";
import { startConsoleServer } from "./server";
import { renderStatus } from "./table";

export { Collector } from "./collect";
export { Actions, parseActionRequest } from "./actions";
export { createClients } from "./aws/clients";
export type { ConsoleClients } from "./aws/clients";
export { startConsoleServer, validateServerOptions } from "./server";
export type { ConsoleServerOptions, RunningConsole } from "./server";
export { renderStatus, renderTable } from "./table";
export type * from "./types";
export { runSmoke, smokeCommand } from "./smoke";
export type { SmokeCommandDeps, SmokeEvent, SmokeIo, SmokeResult } from "./smoke";

export interface Io {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: NodeJS.ProcessEnv;
}

/** `--cluster`, else JOBWORKER_CLUSTER, else the account's only cluster. */
export async function resolveCluster(clients: ConsoleClients, cluster: string | undefined): Promise<string> {
  if (cluster) return cluster;
  const out = await clients.ecs.send(new ListClustersCommand({}));
  const arns = out.clusterArns ?? [];
  if (arns.length === 1 && !out.nextToken) return (arns[0] as string).split("/").pop() as string;
  throw new UsageError(
    `\`--cluster\` is required: this account has ${arns.length === 0 ? "no ECS clusters" : `several clusters (${arns.map((a) => a.split("/").pop()).join(", ")})`} in this region; pass --cluster <name> or set JOBWORKER_CLUSTER`,
  );
}

/** The region the clients resolved (flag, AWS_REGION, profile); a clear usage error when there is none. */
export async function resolveRegion(clients: ConsoleClients): Promise<string> {
  try {
    return await clients.ecs.config.region();
  } catch (err) {
    throw new UsageError("no AWS region: pass `--region <region>` or set AWS_REGION (or a region in the AWS profile)", { cause: err });
  }
}

/** `jobworker status` with its clients and streams passed in; resolves to the exit code. */
export async function statusCommand(argv: readonly string[], clients: ConsoleClients, io: Io): Promise<number> {
  try {
    const options = parseStatusArgs(argv, io.env);
    if (options.help) {
      io.stdout.write(STATUS_USAGE);
      return 0;
    }
    const region = await resolveRegion(clients);
    const cluster = await resolveCluster(clients, options.cluster);
    const snapshot = await new Collector(clients, {
      cluster,
      region,
      fleetIds: options.fleetIds,
      ...(options.dashboard ? { dashboard: options.dashboard } : {}),
    }).snapshot();
    io.stdout.write(options.json ? `${JSON.stringify(snapshot, null, 2)}\n` : renderStatus(snapshot));
    for (const e of snapshot.errors) if (options.json) io.stderr.write(`error: ${e.source}: ${e.message}\n`);
    return snapshot.errors.length > 0 ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`jobworker status: ${err.message}\n\n${STATUS_USAGE}`);
      return 2;
    }
    throw err;
  }
}

/** `jobworker status [flags]`: prints the table (or `--json`); resolves to the exit code. */
export async function runStatus(argv: string[]): Promise<number> {
  const region = parseRegionFlag(argv);
  const clients = createClients(region ? { region } : {});
  try {
    return await statusCommand(argv, clients, { stdout: process.stdout, stderr: process.stderr, env: process.env });
  } finally {
    destroyClients(clients);
  }
}

/**
 * `jobworker console [flags]`: serves the console until SIGINT or SIGTERM. A bad flag prints the
 * usage and rejects with a `UsageError` (the CLI exits 2).
 */
export async function runConsole(argv: string[]): Promise<void> {
  let options;
  try {
    options = parseConsoleArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) process.stderr.write(CONSOLE_USAGE);
    throw err;
  }
  if (options.help) {
    process.stdout.write(CONSOLE_USAGE);
    return;
  }
  const clients = createClients(options.region ? { region: options.region } : {});
  try {
    const region = await resolveRegion(clients);
    const cluster = await resolveCluster(clients, options.cluster);
    const running = await startConsoleServer(clients, {
      cluster,
      region,
      host: options.host,
      port: options.port,
      allowActions: options.allowActions,
      refreshSeconds: options.refreshSeconds,
      fleetIds: options.fleetIds,
      ...(options.token ? { token: options.token } : {}),
      ...(options.logGroup ? { logGroup: options.logGroup } : {}),
      ...(options.dashboard ? { dashboard: options.dashboard } : {}),
    });
    const link = options.token ? `${running.url}?token=${encodeURIComponent(options.token)}` : running.url;
    process.stdout.write(
      `jobworker console for cluster ${cluster} (${region}), ${options.allowActions ? "ACTIONS ENABLED" : "read-only"}: ${link}\n`,
    );
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    await running.close();
  } finally {
    destroyClients(clients);
  }
}

function parseRegionFlag(argv: readonly string[]): string | undefined {
  const i = argv.indexOf("--region");
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith("--region="))?.slice("--region=".length);
}
