export * from "./args";
export * from "./component";
export * from "./errors";
export * from "./validation";
export * from "./vpc-spec";
