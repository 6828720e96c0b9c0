import { ecrImmutableTags, ecrLifecyclePolicy, ecrScanOnPush } from "../../../policy/rules/ecr";
import { TYPES } from "../../../policy/types";
import { policyTable, resource } from "../fixtures";

const repository = (inputs: Record<string, unknown> = {}) =>
  resource(TYPES.ecrRepository, "feed-normalize-repo", {
    name: "jobworker/feed-normalize",
    imageTagMutability: "IMMUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    ...inputs,
  });

describe("policy ecr-repository-scan-on-push", () => {
  policyTable(ecrScanOnPush, [
    { title: "scanOnPush true passes", resources: [repository()], expected: [] },
    {
      title: "scanOnPush false",
      resources: [repository({ imageScanningConfiguration: { scanOnPush: false } })],
      expected: [/^ECR repository `jobworker\/feed-normalize` must scan on push: set `imageScanningConfiguration.scanOnPush` to true/],
    },
    {
      title: "no scanning configuration",
      resources: [repository({ imageScanningConfiguration: undefined })],
      expected: [/must scan on push/],
    },
  ]);
});

describe("policy ecr-repository-immutable-tags", () => {
  policyTable(ecrImmutableTags, [
    { title: "IMMUTABLE passes", resources: [repository()], expected: [] },
    { title: "IMMUTABLE_WITH_EXCLUSION passes", resources: [repository({ imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" })], expected: [] },
    {
      title: "MUTABLE",
      resources: [repository({ imageTagMutability: "MUTABLE" })],
      expected: [
        /^ECR repository `jobworker\/feed-normalize` must have immutable tags: set `imageTagMutability` to "IMMUTABLE" \(found "MUTABLE"\)\.$/,
      ],
    },
    {
      title: "unset (AWS defaults to MUTABLE)",
      resources: [repository({ imageTagMutability: undefined })],
      expected: [/\(found "MUTABLE"\)/],
    },
  ]);
});

describe("policy ecr-repository-lifecycle-policy", () => {
  const lifecycle = resource(TYPES.ecrLifecyclePolicy, "feed-normalize-repo-lifecycle", {
    repository: "jobworker/feed-normalize",
    policy: "{}",
  });
  policyTable(ecrLifecyclePolicy, [
    { title: "a lifecycle policy on the repository passes", resources: [repository(), lifecycle], expected: [] },
    {
      title: "none",
      resources: [repository()],
      expected: [/^ECR repository `jobworker\/feed-normalize` has no lifecycle policy: add an `aws.ecr.LifecyclePolicy`/],
    },
    {
      title: "a lifecycle policy on another repository",
      resources: [repository(), { ...lifecycle, inputs: { repository: "other" }, outputs: { ...lifecycle.outputs, repository: "other" } }],
      expected: [/has no lifecycle policy/],
    },
  ]);
});
