/**
 * Every policy of the jobworker pack, as a list. `index.ts` hands this list to `PolicyPack` (which
 * starts the analyzer server); tests and the offline check (`npm run policy:check`) import it instead.
 * Levels here are the defaults; a pack config (`policy/config.json`, `--policy-pack-config`) overrides them.
 */
import type { Policies } from "@pulumi/policy";
import { ecrImmutableTags, ecrScanOnPush } from "./rules/ecr";
import { launchTemplateImdsv2, spotFleetDiversified, spotFleetNoMaxPrice } from "./rules/ec2";
import {
  containerNonRootUser,
  containerReadOnlyRootFilesystem,
  containerResourceLimits,
  noPlaintextSecretEnv,
  noPrivilegedContainers,
} from "./rules/ecs-containers";
import { iamPolicyDocumentValid } from "./rules/iam";
import { lambdaSupportedRuntime } from "./rules/lambda";
import { bucketEncrypted, bucketPublicAccessBlocked } from "./rules/s3";
import { queueConsumerScaling, serviceScalableTarget } from "./rules/scaling";
import { queueEncrypted, workerQueueRedrive } from "./rules/sqs";

export {
  bucketEncrypted,
  bucketPublicAccessBlocked,
  containerNonRootUser,
  containerReadOnlyRootFilesystem,
  containerResourceLimits,
  ecrImmutableTags,
  ecrScanOnPush,
  iamPolicyDocumentValid,
  lambdaSupportedRuntime,
  launchTemplateImdsv2,
  noPlaintextSecretEnv,
  noPrivilegedContainers,
  queueConsumerScaling,
  queueEncrypted,
  serviceScalableTarget,
  spotFleetDiversified,
  spotFleetNoMaxPrice,
  workerQueueRedrive,
};

/** The pack's name, as `pulumi preview` prints it. */
export const POLICY_PACK_NAME = "jobworker";

/** Level for a policy that states none (every policy here states one). */
export const DEFAULT_ENFORCEMENT_LEVEL = "advisory" as const;

export const policies: Policies = [
  // mandatory
  containerResourceLimits,
  noPrivilegedContainers,
  noPlaintextSecretEnv,
  bucketPublicAccessBlocked,
  bucketEncrypted,
  queueEncrypted,
  workerQueueRedrive,
  launchTemplateImdsv2,
  spotFleetNoMaxPrice,
  spotFleetDiversified,
  queueConsumerScaling,
  iamPolicyDocumentValid,
  lambdaSupportedRuntime,
  // advisory
  containerNonRootUser,
  containerReadOnlyRootFilesystem,
  ecrScanOnPush,
  ecrImmutableTags,
  serviceScalableTarget,
];
