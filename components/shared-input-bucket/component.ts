/**
 * `SharedInputBucket`: one bucket several workers read from, each under its own prefix/suffix.
 * S3 keeps ONE notification configuration per bucket, so the routes of all workers are collected
 * here and written by a single `BucketNotification` when the program calls `seal()`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { BucketRoute, SharedBucketRef } from "../job-worker/args";
import { createSecureBucket } from "../secure-bucket";
import { filtersOverlap } from "../job-worker/validation";

export interface SharedInputBucketArgs {
  /** Delete objects when the bucket is destroyed. @default false */
  readonly forceDestroy?: boolean;
  /** @default {} */
  readonly tags?: Record<string, string>;
}

/** An overlapping pair of routes on one shared bucket (S3 would reject the configuration at deploy). */
export class OverlappingRoutesError extends Error {
  constructor(
    readonly bucket: string,
    readonly first: BucketRoute,
    readonly second: BucketRoute,
  ) {
    super(
      `shared bucket \`${bucket}\`: the filters of \`${first.worker}\` (prefix \`${first.prefix ?? ""}\`, suffix \`${first.suffix ?? ""}\`) and ` +
        `\`${second.worker}\` (prefix \`${second.prefix ?? ""}\`, suffix \`${second.suffix ?? ""}\`) overlap: S3 rejects overlapping notification ` +
        "filters on one bucket. Give each worker a prefix that is not a prefix of the other's (or suffixes that cannot both match).",
    );
    this.name = "OverlappingRoutesError";
  }
}

export class SharedInputBucket extends pulumi.ComponentResource implements SharedBucketRef {
  readonly name: string;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  /** The notification configuration, once sealed. */
  notification?: aws.s3.BucketNotification;
  private readonly routes: (BucketRoute & { dependsOn: pulumi.Input<pulumi.Resource>[] })[] = [];
  private readonly bucket: aws.s3.Bucket;
  private readonly ready: pulumi.Resource[];

  constructor(name: string, args: SharedInputBucketArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("jobworker:index:SharedInputBucket", name, {}, opts);
    this.name = name;
    const { bucket, ready } = createSecureBucket(`${name}-bucket`, { parent: this, forceDestroy: args.forceDestroy, tags: args.tags });
    this.bucket = bucket;
    this.ready = ready;
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }

  /** Adds a worker's route; throws `OverlappingRoutesError` at once when it overlaps another. */
  addRoute(route: BucketRoute): void {
    if (this.notification) throw new Error(`shared bucket \`${this.name}\` is sealed; add every worker before calling seal()`);
    for (const existing of this.routes) {
      if (filtersOverlap(existing, route)) throw new OverlappingRoutesError(this.name, existing, route);
    }
    this.routes.push({ ...route, dependsOn: route.dependsOn ?? [] });
  }

  /** Writes the bucket's notification configuration with every route added so far. */
  seal(): aws.s3.BucketNotification {
    if (this.notification) return this.notification;
    const routes = [...this.routes].sort((a, b) => a.worker.localeCompare(b.worker));
    this.notification = new aws.s3.BucketNotification(
      `${this.name}-notification`,
      {
        bucket: this.bucket.id,
        queues: routes.map((r) => ({
          id: r.worker,
          queueArn: r.queueArn,
          events: ["s3:ObjectCreated:*"],
          filterPrefix: r.prefix || undefined,
          filterSuffix: r.suffix || undefined,
        })),
      },
      { parent: this, dependsOn: [...this.ready, ...routes.flatMap((r) => r.dependsOn)] },
    );
    return this.notification;
  }
}
