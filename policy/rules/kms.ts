/** KMS customer managed keys rotate their key material every year (Security Hub KMS.4, CKV_AWS_7). */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forType } from "../support";
import { TYPES } from "../types";

type Props = Record<string, unknown>;

export const kmsKeyRotation: ResourceValidationPolicy = {
  name: "kms-key-rotation",
  description:
    "Checks whether every symmetric encryption KMS key has automatic rotation on (`enableKeyRotation`) (Security Hub KMS.4, CKV_AWS_7); asymmetric and HMAC keys cannot rotate.",
  enforcementLevel: "mandatory",
  validateResource: forType<Props>(TYPES.kmsKey, (props, args, report) => {
    const spec = props.customerMasterKeySpec ?? props.keySpec ?? "SYMMETRIC_DEFAULT";
    const usage = props.keyUsage ?? "ENCRYPT_DECRYPT";
    if (spec !== "SYMMETRIC_DEFAULT" || usage !== "ENCRYPT_DECRYPT") return;
    if (props.enableKeyRotation !== true) {
      report(`KMS key \`${args.name}\` must rotate: set \`enableKeyRotation: true\`.`);
    }
  }),
};
