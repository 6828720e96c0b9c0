/**
 * The worker's input: a bucket of its own (with the notification that feeds its queue) or a route on
 * a shared bucket.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { createSecureBucket } from "../secure-bucket";
import type { InputLocation, SettledArgs } from "./args";
import type { WorkerQueues } from "./queues";

/** Where the worker reads from: its own secure bucket, or the shared bucket it routes from. */
export function createInput(
  name: string,
  a: SettledArgs,
  options: { parent: pulumi.Resource; tags: Record<string, string> },
): { location: InputLocation; ownBucket?: ReturnType<typeof createSecureBucket> } {
  if (a.input.type === "own") {
    const ownBucket = createSecureBucket(`${name}-input`, {
      parent: options.parent,
      forceDestroy: a.input.forceDestroy,
      tags: options.tags,
    });
    return {
      ownBucket,
      location: { worker: name, bucketName: ownBucket.bucket.bucket, bucketArn: ownBucket.bucket.arn, prefix: a.prefix, suffix: a.suffix },
    };
  }
  const bucket = a.input.bucket;
  return {
    location: {
      worker: name,
      bucketName: bucket.bucketName,
      bucketArn: bucket.bucketArn,
      sharedBucket: bucket,
      prefix: a.prefix,
      suffix: a.suffix,
    },
  };
}

/** S3 notifies the worker's queue of new objects under its prefix and suffix (after the queue policy lets S3 in). */
export function connectInputToQueue(
  name: string,
  a: SettledArgs,
  input: ReturnType<typeof createInput>,
  queues: WorkerQueues,
  parent: pulumi.Resource,
): void {
  if (input.ownBucket) {
    new aws.s3.BucketNotification(
      `${name}-notification`,
      {
        bucket: input.ownBucket.bucket.id,
        queues: [
          {
            id: name,
            queueArn: queues.queue.arn,
            events: ["s3:ObjectCreated:*"],
            filterPrefix: a.prefix || undefined,
            filterSuffix: a.suffix || undefined,
          },
        ],
      },
      { parent, dependsOn: [queues.queuePolicy, ...input.ownBucket.ready] },
    );
  } else if (input.location.sharedBucket) {
    input.location.sharedBucket.addRoute({
      worker: name,
      queueArn: queues.queue.arn,
      prefix: a.prefix,
      suffix: a.suffix,
      dependsOn: [queues.queuePolicy],
    });
  }
}
