export * from "./args";
export * from "./errors";
export * from "./validation";
export {
  ecsSecretValueFrom,
  ecsTasksAssumeRolePolicy,
  executionRolePolicy,
  queueKeyPolicy,
  queuePolicy,
  scopeOfArn,
  secretArn,
  taskRolePolicy,
  tlsOnlyBucketPolicy,
} from "./policies";
export type { AwsScope, TaskRoleInputs, WriteTarget } from "./policies";
export * from "./container";
export * from "./scaling";
export * from "./image";
export { imageSourceFiles, imageTag, ignoreFileOf, type ImageSourceFiles, type ImageSources } from "./image-sources";
export { JobWorker } from "./component";
