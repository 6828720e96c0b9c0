/** ECR repository policies: images are scanned when pushed, and a tag names one image forever. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forType } from "../support";
import { TYPES, type EcrRepositoryProps } from "../types";

export const ecrScanOnPush: ResourceValidationPolicy = {
  name: "ecr-repository-scan-on-push",
  description: "Checks whether every ECR repository scans images on push.",
  enforcementLevel: "advisory",
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
  description: "Checks whether every ECR repository has immutable image tags.",
  enforcementLevel: "advisory",
  validateResource: forType<EcrRepositoryProps>(TYPES.ecrRepository, (props, args, report) => {
    if (!IMMUTABLE.includes(props.imageTagMutability ?? "MUTABLE")) {
      report(
        `ECR repository \`${props.name ?? args.name}\` must have immutable tags: set \`imageTagMutability\` to "IMMUTABLE" (found "${props.imageTagMutability ?? "MUTABLE"}").`,
      );
    }
  }),
};
