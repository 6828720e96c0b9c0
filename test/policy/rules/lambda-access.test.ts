import { lambdaNoPublicInvoke } from "../../../policy/rules/lambda-access";
import { TYPES } from "../../../policy/types";
import { policyTable, resource } from "../fixtures";

const permission = (inputs: Record<string, unknown> = {}) =>
  resource(TYPES.lambdaPermission, "backlog-publisher-invoke", {
    action: "lambda:InvokeFunction",
    function: "backlog-publisher-function",
    principal: "events.amazonaws.com",
    sourceArn: "arn:aws:events:ap-northeast-1:123456789012:rule/backlog-publisher-schedule",
    ...inputs,
  });

describe("policy lambda-no-public-invoke", () => {
  policyTable(lambdaNoPublicInvoke, [
    { title: "EventBridge from one rule passes", resources: [permission()], expected: [] },
    {
      title: "anyone",
      resources: [permission({ principal: "*", sourceArn: undefined })],
      expected: [/^Lambda permission `backlog-publisher-invoke` on `backlog-publisher-function` lets anyone invoke it/],
    },
    {
      title: "anyone in one account passes",
      resources: [permission({ principal: "*", sourceArn: undefined, sourceAccount: "123456789012" })],
      expected: [],
    },
    {
      title: "S3 from any bucket",
      resources: [permission({ principal: "s3.amazonaws.com", sourceArn: undefined })],
      expected: [/lets `s3.amazonaws.com` invoke it for any account's resources: set `sourceArn`/],
    },
    {
      title: "another account's role passes (named principal)",
      resources: [permission({ principal: "arn:aws:iam::123456789012:role/caller", sourceArn: undefined })],
      expected: [],
    },
  ]);
});
