/**
 * The worker kinds this repository ships, as plain definitions. Each one has its handler in
 * `workers/kinds/<name>/handler.ts`; the stack configuration (`jobworker:workers`) decides which
 * kinds a stack runs, their resource limits and where their output slots deliver.
 */
import type { WorkerDefinition } from "./contract";

/** Partner CSV upload → validated, normalised NDJSON records, chained to the next stage through S3. */
export const feedNormalize: WorkerDefinition = {
  name: "feed-normalize",
  description: "Partner CSV feed → normalised NDJSON records for the next stage",
  concurrency: 4,
  maxProcessingSeconds: 300,
  outputs: {
    records: { description: "NDJSON, one record per line", accepts: ["worker", "s3"] },
  },
};

/** NDJSON records → Protocol Buffers (length-delimited) delivered to a partner over SFTP. */
export const partnerProtobufSftp: WorkerDefinition = {
  name: "partner-protobuf-sftp",
  description: "NDJSON records → length-delimited Protocol Buffers → partner SFTP",
  concurrency: 2,
  maxProcessingSeconds: 600,
  outputs: {
    partner: { description: "protobuf records file", accepts: ["sftp", "ftp", "s3"] },
  },
};

/** CSV or NDJSON orders → JSON record batches POSTed to a REST API. */
export const ordersWebhook: WorkerDefinition = {
  name: "orders-webhook",
  description: "Orders file → JSON record batches POSTed to a REST API",
  concurrency: 4,
  maxProcessingSeconds: 120,
  outputs: {
    api: { description: "REST endpoint receiving order records", accepts: ["rest"] },
  },
};

/** Every kind, by name. */
export const workerKinds: Readonly<Record<string, WorkerDefinition>> = Object.fromEntries(
  [feedNormalize, partnerProtobufSftp, ordersWebhook].map((d) => [d.name, d]),
);
