/**
 * Every policy of the jobworker pack, as a list. `index.ts` hands this list to `PolicyPack` (which
 * starts the analyzer server); tests and the offline check (`npm run policy:check`) import it instead.
 * Levels here are the defaults; a pack config (`policy/config.json`, `--policy-pack-config`) overrides them.
 */
import type { Policies } from "@pulumi/policy";
import { alarmHasAction, logGroupRetention } from "./rules/cloudwatch";
import { ecrImmutableTags, ecrLifecyclePolicy, ecrScanOnPush } from "./rules/ecr";
import { launchTemplateImdsv2, spotFleetDiversified, spotFleetNoMaxPrice } from "./rules/ec2";
import { ebsEncrypted, instanceImdsv2, metadataHopLimit, noPublicIp } from "./rules/ec2-instances";
import {
  containerNonRootUser,
  containerReadOnlyRootFilesystem,
  containerResourceLimits,
  noPlaintextSecretEnv,
  noPrivilegedContainers,
} from "./rules/ecs-containers";
import {
  ecsContainerLogConfiguration,
  ecsImagePinned,
  ecsNoAddedCapabilities,
  ecsNoCredentialValues,
  ecsNoHostNamespaces,
} from "./rules/ecs-task";
import { iamPolicyDocumentValid } from "./rules/iam";
import { iamNoAdminManagedPolicies, iamNoWildcardActions, iamNoWildcardResourceWrite } from "./rules/iam-permissions";
import { iamTaskRoleConfusedDeputy, iamTrustNoWildcardPrincipal } from "./rules/iam-trust";
import { kmsKeyRotation } from "./rules/kms";
import { lambdaSupportedRuntime } from "./rules/lambda";
import { lambdaNoPublicInvoke } from "./rules/lambda-access";
import { bucketEncrypted, bucketPublicAccessBlocked } from "./rules/s3";
import { s3BucketLifecycle, s3BucketNoCrossAccount, s3BucketPolicyNotPublic, s3BucketTlsOnly, s3BucketVersioning } from "./rules/s3-access";
import { queueConsumerScaling, serviceScalableTarget } from "./rules/scaling";
import { securityGroupIngress } from "./rules/security-groups";
import { queueEncrypted, workerQueueRedrive } from "./rules/sqs";
import { sqsQueuePolicyNotPublic, sqsQueueTlsOnly, sqsServiceSenderRestricted } from "./rules/sqs-access";

export {
  alarmHasAction,
  bucketEncrypted,
  bucketPublicAccessBlocked,
  containerNonRootUser,
  containerReadOnlyRootFilesystem,
  containerResourceLimits,
  ebsEncrypted,
  ecrImmutableTags,
  ecrLifecyclePolicy,
  ecrScanOnPush,
  ecsContainerLogConfiguration,
  ecsImagePinned,
  ecsNoAddedCapabilities,
  ecsNoCredentialValues,
  ecsNoHostNamespaces,
  iamNoAdminManagedPolicies,
  iamNoWildcardActions,
  iamNoWildcardResourceWrite,
  iamPolicyDocumentValid,
  iamTaskRoleConfusedDeputy,
  iamTrustNoWildcardPrincipal,
  instanceImdsv2,
  kmsKeyRotation,
  lambdaNoPublicInvoke,
  lambdaSupportedRuntime,
  launchTemplateImdsv2,
  logGroupRetention,
  metadataHopLimit,
  noPlaintextSecretEnv,
  noPrivilegedContainers,
  noPublicIp,
  queueConsumerScaling,
  queueEncrypted,
  s3BucketLifecycle,
  s3BucketNoCrossAccount,
  s3BucketPolicyNotPublic,
  s3BucketTlsOnly,
  s3BucketVersioning,
  securityGroupIngress,
  serviceScalableTarget,
  spotFleetDiversified,
  spotFleetNoMaxPrice,
  sqsQueuePolicyNotPublic,
  sqsQueueTlsOnly,
  sqsServiceSenderRestricted,
  workerQueueRedrive,
};

/** The pack's name, as `pulumi preview` prints it. */
export const POLICY_PACK_NAME = "jobworker";

/** Level for a policy that states none (every policy here states one). */
export const DEFAULT_ENFORCEMENT_LEVEL = "advisory" as const;

export const policies: Policies = [
  // ECS containers and tasks (mandatory)
  containerResourceLimits,
  noPrivilegedContainers,
  noPlaintextSecretEnv,
  ecsNoCredentialValues,
  containerNonRootUser,
  containerReadOnlyRootFilesystem,
  ecsNoHostNamespaces,
  ecsNoAddedCapabilities,
  ecsContainerLogConfiguration,
  ecsImagePinned,
  // S3
  bucketPublicAccessBlocked,
  bucketEncrypted,
  s3BucketTlsOnly,
  s3BucketPolicyNotPublic,
  s3BucketNoCrossAccount,
  // SQS
  queueEncrypted,
  workerQueueRedrive,
  sqsQueueTlsOnly,
  sqsQueuePolicyNotPublic,
  sqsServiceSenderRestricted,
  // EC2
  launchTemplateImdsv2,
  instanceImdsv2,
  metadataHopLimit,
  ebsEncrypted,
  noPublicIp,
  securityGroupIngress,
  spotFleetNoMaxPrice,
  spotFleetDiversified,
  // scaling
  queueConsumerScaling,
  // IAM
  iamPolicyDocumentValid,
  iamNoWildcardActions,
  iamNoWildcardResourceWrite,
  iamNoAdminManagedPolicies,
  iamTrustNoWildcardPrincipal,
  iamTaskRoleConfusedDeputy,
  // CloudWatch, Lambda, KMS, ECR
  alarmHasAction,
  logGroupRetention,
  lambdaSupportedRuntime,
  lambdaNoPublicInvoke,
  kmsKeyRotation,
  ecrScanOnPush,
  ecrImmutableTags,
  ecrLifecyclePolicy,
  // advisory
  s3BucketVersioning,
  s3BucketLifecycle,
  serviceScalableTarget,
];
