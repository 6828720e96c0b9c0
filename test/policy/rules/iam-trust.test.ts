import { iamTaskRoleConfusedDeputy, iamTrustNoWildcardPrincipal } from "../../../policy/rules/iam-trust";
import { carriers, iamDocuments, policyTable, withStatement } from "../fixtures";

const trust = iamDocuments().trust;

describe("policy iam-trust-no-wildcard-principal", () => {
  policyTable(iamTrustNoWildcardPrincipal, [
    { title: "a service principal passes", resources: [carriers.role()], expected: [] },
    {
      title: 'Principal "*"',
      resources: [carriers.role(withStatement(trust, 0, { Principal: "*" }))],
      expected: [/^IAM role `feed-normalize-task-role`: `assumeRolePolicy` `Statement\[0\]` lets any principal assume the role/],
    },
    {
      title: '{"AWS": "*"}',
      resources: [carriers.role(withStatement(trust, 0, { Principal: { AWS: "*" } }))],
      expected: [/lets any principal assume the role/],
    },
  ]);
});

describe("policy iam-task-role-confused-deputy", () => {
  policyTable(iamTaskRoleConfusedDeputy, [
    { title: "SourceAccount and SourceArn pass", resources: [carriers.role()], expected: [] },
    {
      title: "no condition",
      resources: [carriers.role(withStatement(trust, 0, { Condition: undefined }))],
      expected: [
        /^IAM role `feed-normalize-task-role`: `assumeRolePolicy` `Statement\[0\]` trusts `ecs-tasks.amazonaws.com` without `aws:SourceAccount` and `aws:SourceArn`/,
      ],
    },
    {
      title: "only the account",
      resources: [carriers.role(withStatement(trust, 0, { Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }))],
      expected: [/without `aws:SourceArn`: add/],
    },
    {
      title: "another service's role is not a task role",
      resources: [carriers.role(withStatement(trust, 0, { Principal: { Service: "ec2.amazonaws.com" }, Condition: undefined }))],
      expected: [],
    },
  ]);
});
