export * from "./args";
export * from "./component";
export * from "./errors";
export * from "./fleet-types";
