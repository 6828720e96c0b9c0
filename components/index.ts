/** Public API of the components package. */
export * from "./instance-types";
export * from "./spot-ecs-cluster";
