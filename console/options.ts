/**
 * Command-line flags of `jobworker status` and `jobworker console`, parsed and validated by plain
 * functions. Environment fallbacks: JOBWORKER_CLUSTER, JOBWORKER_CONSOLE_TOKEN.
 */
import { parseArgs } from "node:util";
import { UsageError } from "./errors";
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_REFRESH_SECONDS } from "./server";

export interface StatusOptions {
  /** @default JOBWORKER_CLUSTER, else the only cluster in the account */
  readonly cluster?: string;
  /** @default the SDK's region resolution */
  readonly region?: string;
  /** Print the snapshot as JSON. @default false */
  readonly json: boolean;
  readonly fleetIds: readonly string[];
  /** The stack's CloudWatch dashboard, for a link. @default the first dashboard named with the cluster's name as prefix */
  readonly dashboard?: string;
  readonly help: boolean;
}

export interface ConsoleOptions extends Omit<StatusOptions, "json"> {
  readonly host: string;
  readonly port: number;
  readonly token?: string;
  readonly allowActions: boolean;
  readonly refreshSeconds: number;
  /** The cluster's container log group, for log links. */
  readonly logGroup?: string;
}

export const STATUS_USAGE = `usage: jobworker status [--cluster <name>] [--region <region>] [--fleet <spot-fleet-id>]... [--dashboard <name>] [--json]

Every worker service on the cluster: desired/running/pending tasks, queue visible/in-flight, DLQ depth,
age of the oldest message, alarms; "!" marks rows needing attention. Exit 0 when every AWS read
succeeded, 1 when some failed (the output says which), 2 on a bad flag.
`;

export const CONSOLE_USAGE = `usage: jobworker console [--cluster <name>] [--region <region>] [--fleet <id>]... [--host 127.0.0.1] [--port 8787]
                        [--token <secret>] [--allow-actions] [--refresh <seconds>] [--log-group <name>] [--dashboard <name>]

Serves the ops console. Read-only unless --allow-actions. Beyond loopback (--host 0.0.0.0) a token is
required (--token or JOBWORKER_CONSOLE_TOKEN). --log-group names the cluster's container log group for
log links (default: found in the log collector's task definition). --dashboard names the stack's
CloudWatch dashboard to link (default: the first whose name starts with the cluster's name).
`;

type FlagSpec = Readonly<Record<string, { type: "string" | "boolean"; multiple?: boolean; short?: string }>>;
type FlagValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

function parse(argv: readonly string[], extra: FlagSpec): FlagValues {
  try {
    const { values } = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        cluster: { type: "string" },
        region: { type: "string" },
        fleet: { type: "string", multiple: true },
        dashboard: { type: "string" },
        help: { type: "boolean", short: "h" },
        ...extra,
      },
    });
    return values;
  } catch (err) {
    throw new UsageError((err as Error).message, { cause: err });
  }
}

function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function dashboardOf(values: FlagValues): { dashboard?: string } {
  const dashboard = str(values.dashboard);
  return dashboard ? { dashboard } : {};
}

export function parseStatusArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): StatusOptions {
  const values = parse(argv, { json: { type: "boolean" } });
  const cluster = str(values.cluster) ?? str(env.JOBWORKER_CLUSTER);
  const region = str(values.region);
  return {
    ...(cluster ? { cluster } : {}),
    ...(region ? { region } : {}),
    json: values.json === true,
    fleetIds: (values.fleet as string[] | undefined) ?? [],
    ...dashboardOf(values),
    help: values.help === true,
  };
}

function integer(flag: string, raw: unknown, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw new UsageError(`\`--${flag}\` must be an integer, got ${JSON.stringify(raw)}`);
  return n;
}

export function parseConsoleArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ConsoleOptions {
  const values = parse(argv, {
    host: { type: "string" },
    port: { type: "string" },
    token: { type: "string" },
    "allow-actions": { type: "boolean" },
    refresh: { type: "string" },
    "log-group": { type: "string" },
  });
  const cluster = str(values.cluster) ?? str(env.JOBWORKER_CLUSTER);
  const region = str(values.region);
  const token = str(values.token) ?? str(env.JOBWORKER_CONSOLE_TOKEN);
  const logGroup = str(values["log-group"]);
  return {
    ...(cluster ? { cluster } : {}),
    ...(region ? { region } : {}),
    fleetIds: (values.fleet as string[] | undefined) ?? [],
    ...dashboardOf(values),
    help: values.help === true,
    host: str(values.host) ?? DEFAULT_HOST,
    port: integer("port", values.port, DEFAULT_PORT),
    ...(token ? { token } : {}),
    allowActions: values["allow-actions"] === true,
    refreshSeconds: integer("refresh", values.refresh, DEFAULT_REFRESH_SECONDS),
    ...(logGroup ? { logGroup } : {}),
  };
}
