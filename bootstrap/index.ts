/** Instance boot: settings, the cloud-config renderer and the user data. Rendering only. */
export * from "./cloud-config";
export * from "./ecs-config";
export * from "./errors";
export * from "./files";
export * from "./interruption-watcher";
export * from "./settings";
export * from "./sysctl";
export * from "./user-data";
export * from "./validation";
export * from "./yaml";
