import { kmsKeyRotation } from "../../../policy/rules/kms";
import { TYPES } from "../../../policy/types";
import { policyTable, resource } from "../fixtures";

const key = (inputs: Record<string, unknown> = {}) =>
  resource(TYPES.kmsKey, "orders-webhook-queue-key", { enableKeyRotation: true, ...inputs });

describe("policy kms-key-rotation", () => {
  policyTable(kmsKeyRotation, [
    { title: "rotation on passes", resources: [key()], expected: [] },
    {
      title: "rotation off",
      resources: [key({ enableKeyRotation: false })],
      expected: [/^KMS key `orders-webhook-queue-key` must rotate: set `enableKeyRotation: true`/],
    },
    { title: "rotation unset", resources: [key({ enableKeyRotation: undefined })], expected: [/must rotate/] },
    {
      title: "an asymmetric signing key cannot rotate and passes",
      resources: [key({ enableKeyRotation: undefined, customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" })],
      expected: [],
    },
  ]);
});
