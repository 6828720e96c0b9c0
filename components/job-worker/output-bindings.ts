/**
 * The worker's output slots as the container sees them (`worker` bindings resolved to the next
 * worker's bucket and prefix), and the places the task role may write to.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ResolvedOutputBinding } from "../../catalog/bindings";
import type { SettledArgs } from "./args";
import type { AwsScope, WriteTarget } from "./policies";

export interface ResolvedOutputs {
  readonly bindings: pulumi.Output<Record<string, ResolvedOutputBinding>>;
  readonly writeTargets: pulumi.Output<WriteTarget[]>;
}

export function resolveOutputs(a: SettledArgs, scope: pulumi.Output<AwsScope>): ResolvedOutputs {
  const bindings: Record<string, pulumi.Input<ResolvedOutputBinding>> = {};
  const writeTargets: pulumi.Input<WriteTarget>[] = [];
  for (const [slot, output] of Object.entries(a.outputs)) {
    if (output.type === "worker") {
      const target = output.worker.input;
      bindings[slot] = target.bucketName.apply((bucket) => ({ type: "s3" as const, bucket, prefix: target.prefix }));
      writeTargets.push(target.bucketArn.apply((arn) => ({ bucketArn: arn, prefix: target.prefix })));
    } else {
      bindings[slot] = output;
      if (output.type === "s3") {
        writeTargets.push(
          scope.apply((s) => ({
            bucketArn: `arn:${s.partition ?? "aws"}:s3:::${output.bucket}`,
            prefix: output.prefix ?? "",
            kmsKeyArn: output.kmsKeyId,
            bucketOwnerFullControl: output.bucketOwnerFullControl,
          })),
        );
      }
    }
  }
  return {
    bindings: pulumi.output(bindings) as pulumi.Output<Record<string, ResolvedOutputBinding>>,
    writeTargets: pulumi.all(writeTargets),
  };
}
