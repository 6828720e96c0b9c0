/** `SharedInputBucket`: one input bucket whose prefixes route to several JobWorkers' queues. */
export { SharedInputBucket, OverlappingRoutesError } from "./component";
export type { SharedInputBucketArgs } from "./component";
