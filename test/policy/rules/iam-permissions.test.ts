import { iamNoAdminManagedPolicies, iamNoWildcardActions, iamNoWildcardResourceWrite } from "../../../policy/rules/iam-permissions";
import { TYPES } from "../../../policy/types";
import { carriers, iamDocuments, policyTable, resource, withStatement } from "../fixtures";

const identity = iamDocuments().identity;

describe("policy iam-no-wildcard-actions", () => {
  policyTable(iamNoWildcardActions, [
    { title: "the worker's task policy passes", resources: [carriers.rolePolicy()], expected: [] },
    {
      title: "s3:* on a bucket",
      resources: [carriers.rolePolicy(withStatement(identity, 0, { Action: "s3:*" }))],
      expected: [
        /^IAM role policy `feed-normalize-task-policy`: `policy` `Statement\[0\]` \("ReadOwnInput"\) allows `s3:\*`: list the actions/,
      ],
    },
    {
      title: "* everywhere",
      resources: [carriers.rolePolicy(withStatement(identity, 1, { Action: "*" }))],
      expected: [/`Statement\[1\]` \("ConsumeOwnQueue"\) allows `\*`/],
    },
    {
      title: "NotAction in an Allow",
      resources: [carriers.rolePolicy(withStatement(identity, 0, { Action: undefined, NotAction: "iam:*" }))],
      expected: [/allows with `NotAction`/],
    },
    {
      title: "an inline policy of a role",
      resources: [
        carriers.role(undefined, {
          inlinePolicies: [{ name: "x", policy: JSON.stringify(withStatement(identity, 0, { Action: "sqs:*" })) }],
        }),
      ],
      expected: [/^IAM role `feed-normalize-task-role`: `inlinePolicies\[0\]\.policy` `Statement\[0\]` \("ReadOwnInput"\) allows `sqs:\*`/],
    },
    { title: "a Deny with s3:* passes (a bucket policy's TLS deny)", resources: [carriers.bucketPolicy()], expected: [] },
  ]);
});

describe("policy iam-no-wildcard-resource-write", () => {
  policyTable(iamNoWildcardResourceWrite, [
    { title: "the worker's task policy passes", resources: [carriers.rolePolicy()], expected: [] },
    {
      title: "s3:PutObject on *",
      resources: [carriers.rolePolicy(withStatement(identity, 0, { Action: ["s3:GetObject", "s3:PutObject"], Resource: "*" }))],
      expected: [/`Statement\[0\]` \("ReadOwnInput"\) allows `s3:PutObject` on `Resource: "\*"`: these write or manage permissions/],
    },
    {
      title: "iam:PassRole on * (permissions management of a role)",
      resources: [carriers.rolePolicy(withStatement(identity, 1, { Action: "iam:PassRole", Resource: "*" }))],
      expected: [/allows `iam:PassRole` on `Resource: "\*"`/],
    },
    {
      title: "a wildcard pattern expands through the catalogue",
      resources: [carriers.rolePolicy(withStatement(identity, 1, { Action: "sqs:Delete*", Resource: "*" }))],
      expected: [/allows `sqs:DeleteMessage`, `sqs:DeleteQueue` on `Resource: "\*"`/],
    },
    {
      title: "read actions on * pass",
      resources: [carriers.rolePolicy(withStatement(identity, 0, { Action: "s3:GetObject", Resource: "*" }))],
      expected: [],
    },
    {
      title: "actions without resource-level permissions on * pass (ecr:GetAuthorizationToken, sqs:ListQueues)",
      resources: [
        carriers.rolePolicy(withStatement(identity, 0, { Action: ["ecr:GetAuthorizationToken", "sqs:ListQueues"], Resource: "*" })),
      ],
      expected: [],
    },
    {
      title: "a write scoped by the action's own condition key passes (PutMetricData in one namespace)",
      resources: [
        carriers.rolePolicy(
          withStatement(identity, 0, {
            Action: "cloudwatch:PutMetricData",
            Resource: "*",
            Condition: { StringEquals: { "cloudwatch:namespace": "Jobworker/SQS" } },
          }),
        ),
      ],
      expected: [],
    },
    {
      title: "the same write without the condition",
      resources: [carriers.rolePolicy(withStatement(identity, 0, { Action: "cloudwatch:PutMetricData", Resource: "*" }))],
      expected: [/allows `cloudwatch:PutMetricData` on `Resource: "\*"`/],
    },
  ]);
});

describe("policy iam-no-admin-managed-policies", () => {
  const attachment = (policyArn: string) =>
    resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "task-admin", { role: "feed-normalize-task-role", policyArn });
  policyTable(iamNoAdminManagedPolicies, [
    {
      title: "the ECS instance role's managed policy passes",
      resources: [attachment("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")],
      expected: [],
    },
    {
      title: "AdministratorAccess",
      resources: [attachment("arn:aws:iam::aws:policy/AdministratorAccess")],
      expected: [/^policy attachment `task-admin`: `policyArn` attaches the AWS-managed `AdministratorAccess`/],
    },
    {
      title: "AmazonS3FullAccess",
      resources: [attachment("arn:aws:iam::aws:policy/AmazonS3FullAccess")],
      expected: [/`AmazonS3FullAccess`/],
    },
    {
      title: "a customer managed policy named like one passes",
      resources: [attachment("arn:aws:iam::123456789012:policy/AdministratorAccess")],
      expected: [],
    },
    {
      title: "an allow-listed ARN passes",
      resources: [attachment("arn:aws:iam::aws:policy/AmazonSSMFullAccess")],
      config: { "iam-no-admin-managed-policies": { allowedPolicyArns: ["arn:aws:iam::aws:policy/AmazonSSMFullAccess"] } },
      expected: [],
    },
    {
      title: "a role's managedPolicyArns",
      resources: [carriers.role(undefined, { managedPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"] })],
      expected: [/^IAM role `feed-normalize-task-role`: `managedPolicyArns\[0\]` attaches the AWS-managed `PowerUserAccess`/],
    },
  ]);
  void TYPES;
});
