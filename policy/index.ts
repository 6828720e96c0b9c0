/**
 * The CrossGuard policy pack: `pulumi preview --policy-pack policy`. Constructing a PolicyPack starts
 * the analyzer's gRPC server, so nothing but the Pulumi CLI loads this file; tests and the offline
 * check import `./policies` instead.
 */
import { PolicyPack } from "@pulumi/policy";
import { DEFAULT_ENFORCEMENT_LEVEL, POLICY_PACK_NAME, policies } from "./policies";

new PolicyPack(POLICY_PACK_NAME, {
  description:
    "jobworker: container limits, secrets by reference, encrypted and private storage, IMDSv2, a diversified no-max-price Spot Fleet, queue-driven scaling, IAM documents IAM accepts, and supported Lambda runtimes.",
  enforcementLevel: DEFAULT_ENFORCEMENT_LEVEL,
  policies,
});
