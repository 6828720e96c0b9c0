/**
 * `jobworker run <worker>`: assembles a worker process from its environment — settings, logger, AWS
 * clients, connectors, encoders — runs the queue loop, and stops it gracefully on SIGTERM/SIGINT.
 */
import type { Logger } from "pino";
import { WORKER_ENV } from "../../catalog/contract";
import { createConnector } from "../connectors";
import { loadProtobufEncoder, type ProtobufEncoder } from "../connectors/protobuf";
import type { Connector } from "../connectors/types";
import { createSecretResolver, SecretRedactor } from "../secrets";
import { createAwsClients, type AwsClients } from "./clients";
import type { WorkerEventListener } from "./events";
import { createLogger } from "./logger";
import { loadSettings, type RuntimeSettings } from "./settings";
import type { WorkerKind } from "./types";
import { Worker } from "./worker";

export interface RunWorkerOptions {
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default clients from the standard SDK environment */
  readonly clients?: AwsClients;
  /**
   * @default pino JSON to stdout at the configured level, with every resolved secret value redacted
   * (a logger given here is used as is: redact it yourself, e.g. `createLogger({ redactor })`)
   */
  readonly logger?: Logger;
  /** Learns every secret value resolved; the default logger, the dead-letter reasons and startup errors leave them out. @default a new one */
  readonly redactor?: SecretRedactor;
  /** Stop gracefully on SIGTERM and SIGINT. @default true */
  readonly handleSignals?: boolean;
  readonly onEvent?: WorkerEventListener;
}

/**
 * Builds the connectors and encoders of every bound slot; a bad binding or secret fails here, before any
 * job, with an error naming `JOBWORKER_OUTPUTS.<slot>.<field>`. Every secret resolved is added to `redactor`.
 */
export async function createOutputs(
  settings: RuntimeSettings,
  clients: AwsClients,
  logger: Logger,
  redactor?: SecretRedactor,
): Promise<{ connectors: Record<string, Connector>; encoders: Record<string, ProtobufEncoder> }> {
  const secrets = createSecretResolver({
    ssm: clients.ssm,
    secretsManager: clients.secretsManager,
    redactor,
    ttlMs: settings.secretTtlSeconds === undefined ? undefined : settings.secretTtlSeconds * 1000,
  });
  const connectors: Record<string, Connector> = {};
  const encoders: Record<string, ProtobufEncoder> = {};
  for (const [slot, binding] of Object.entries(settings.outputs)) {
    connectors[slot] = await createConnector(binding, {
      s3: clients.s3,
      logger: logger.child({ slot }),
      secrets,
      field: `${WORKER_ENV.outputs}.${slot}`,
      scratchDir: settings.scratchDir,
    });
    if (binding.format !== undefined)
      encoders[slot] = await loadProtobufEncoder(binding.format, { field: `JOBWORKER_OUTPUTS.${slot}.format` });
  }
  return { connectors, encoders };
}

/**
 * Runs `kind` until SIGTERM/SIGINT (or `stop` on the returned worker) and resolves with the process
 * exit code: 0 after a graceful stop. Configuration errors reject with `ConfigError`.
 */
export async function runWorker(kind: WorkerKind, options: RunWorkerOptions = {}): Promise<{ worker: Worker; done: Promise<number> }> {
  const env = options.env ?? process.env;
  const settings = loadSettings(env, kind.definition);
  const redactor = options.redactor ?? new SecretRedactor();
  const logger = options.logger ?? createLogger({ level: settings.logLevel, worker: settings.worker, redactor });
  const clients = options.clients ?? createAwsClients({ logger });
  // The CLI writes a startup error whole (message, stack, causes): never with a secret in it.
  const { connectors, encoders } = await createOutputs(settings, clients, logger, redactor).catch((err: unknown) => {
    throw redactor.redactError(err);
  });
  const worker = new Worker({
    kind,
    settings,
    s3: clients.s3,
    sqs: clients.sqs,
    connectors,
    encoders,
    logger,
    onEvent: options.onEvent,
    redactor,
  });

  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, "signal received");
    void worker.stop(signal);
  };
  if (options.handleSignals ?? true) {
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  }
  try {
    await worker.start();
  } catch (err) {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    throw redactor.redactError(err);
  }
  const done = worker.stopped().then(() => {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    return 0;
  });
  return { worker, done };
}
