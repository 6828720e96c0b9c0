/** Public API of the components package. */
export * from "./instance-types";
export * from "./spot-ecs-cluster";
export * from "./network";
export * from "./job-worker";
export * from "./shared-input-bucket";
export { createSecureBucket } from "./secure-bucket";
export * from "./backlog-publisher";
export * from "./pulumi-stack-traces";
