export * from "./args";
export * from "./policies";
export * from "./code";
export { BacklogPublisher } from "./component";
