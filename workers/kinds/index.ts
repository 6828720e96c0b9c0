/**
 * The worker kinds this repository ships: catalog name → { definition, handler }. `jobworker run
 * <worker>` looks kinds up here; a test checks every catalog kind has a handler.
 */
import { ConfigError } from "../errors";
import type { WorkerKind } from "../runtime/types";
import { feedNormalizeWorker } from "./feed-normalize/handler";
import { ordersWebhookWorker } from "./orders-webhook/handler";
import { partnerProtobufSftpWorker } from "./partner-protobuf-sftp/handler";

export const workerRegistry: Readonly<Record<string, WorkerKind>> = Object.fromEntries(
  [feedNormalizeWorker, partnerProtobufSftpWorker, ordersWebhookWorker].map((k) => [k.definition.name, k]),
);

/** The kind named `name`; `ConfigError` listing the known kinds otherwise. */
export function getWorkerKind(name: string, registry: Readonly<Record<string, WorkerKind>> = workerRegistry): WorkerKind {
  const kind = registry[name];
  if (kind === undefined) {
    throw new ConfigError(`unknown worker \`${name}\`: known workers are ${Object.keys(registry).map((k) => `\`${k}\``).join(", ")}`, { context: { worker: name } });
  }
  return kind;
}

export { feedNormalizeWorker, partnerProtobufSftpWorker, ordersWebhookWorker };
