/**
 * ECR repository policies: images are scanned when pushed (Security Hub ECR.1), a tag names one image
 * forever (ECR.2), and old images expire (ECR.3). Every repository a stack declares is one the
 * program creates, so all three are mandatory.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { forType, labelOf, ofType, refersTo } from "../support";
import { TYPES, type EcrRepositoryProps } from "../types";

export const ecrScanOnPush: ResourceValidationPolicy = {
  name: "ecr-repository-scan-on-push",
  description: "Checks whether every ECR repository scans images on push (Security Hub ECR.1, CKV_AWS_163).",
  enforcementLevel: "mandatory",
  validateResource: forType<EcrRepositoryProps>(TYPES.ecrRepository, (props, args, report) => {
    if (props.imageScanningConfiguration?.scanOnPush !== true) {
      report(
        `ECR repository \`${props.name ?? args.name}\` must scan on push: set \`imageScanningConfiguration.scanOnPush\` to true (or configure registry-level enhanced scanning and disable this policy).`,
      );
    }
  }),
};

const IMMUTABLE = ["IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"];

export const ecrImmutableTags: ResourceValidationPolicy = {
  name: "ecr-repository-immutable-tags",
  description: "Checks whether every ECR repository has immutable image tags (Security Hub ECR.2, CKV_AWS_51).",
  enforcementLevel: "mandatory",
  validateResource: forType<EcrRepositoryProps>(TYPES.ecrRepository, (props, args, report) => {
    if (!IMMUTABLE.includes(props.imageTagMutability ?? "MUTABLE")) {
      report(
        `ECR repository \`${props.name ?? args.name}\` must have immutable tags: set \`imageTagMutability\` to "IMMUTABLE" (found "${props.imageTagMutability ?? "MUTABLE"}").`,
      );
    }
  }),
};

export const ecrLifecyclePolicy: StackValidationPolicy = {
  name: "ecr-repository-lifecycle-policy",
  description: "Checks whether every ECR repository has a lifecycle policy (an `aws.ecr.LifecyclePolicy` on it) (Security Hub ECR.3).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const policies = ofType(args.resources, TYPES.ecrLifecyclePolicy);
    for (const repository of ofType(args.resources, TYPES.ecrRepository)) {
      if (!policies.some((p) => refersTo(p, "repository", repository))) {
        report(
          `ECR repository \`${labelOf(repository)}\` has no lifecycle policy: add an \`aws.ecr.LifecyclePolicy\` with \`repository\` set to it, expiring all but the newest images.`,
          repository.urn,
        );
      }
    }
  },
};
