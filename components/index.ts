/** Public API of the components package. */
export * from "./instance-types";
export * from "./spot-ecs-cluster";
export * from "./network";
export * from "./job-worker";
export * from "./shared-input-bucket";
export { createSecureBucket } from "./secure-bucket";
export * from "./backlog-publisher";
export * from "./alerts";
export * from "./pulumi-stack-traces";
/** The worker kind a `JobWorker` runs (`JobWorkerArgs.definition`), from the catalog's contract. */
export type { WorkerDefinition } from "../catalog/contract";
export * from "./log-archive";
