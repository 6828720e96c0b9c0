import assert from "node:assert/strict";
import { iamPolicyDocumentValid } from "../../../policy/rules/iam";
import { TYPES } from "../../../policy/types";
import { carriers, iamDocuments, policyTable, resource, UNKNOWN_STRING, violations, withStatement } from "../fixtures";

const d = iamDocuments();
const ROLE = /^IAM role `feed-normalize-task-role`: /;
const role = (path: string) => new RegExp(`${ROLE.source}\`assumeRolePolicy\\.${path.replace(/[.[\]]/g, "\\$&")}\` `);
const rolePolicy = (path: string) =>
  new RegExp(`^IAM role policy \`feed-normalize-task-policy\`: \`policy\\.${path.replace(/[.[\]]/g, "\\$&")}\` `);

describe("policy iam-policy-document-valid", () => {
  describe("passes what IAM accepts", () => {
    policyTable(iamPolicyDocumentValid, [
      {
        title: "every kind of document as the components render it",
        resources: [
          carriers.role(),
          carriers.rolePolicy(),
          carriers.bucketPolicy(),
          carriers.queuePolicy(),
          carriers.key(),
          carriers.repositoryPolicy(),
        ],
        expected: [],
      },
      {
        title: "a document given as an object, not JSON text",
        resources: [resource(TYPES.rolePolicy, "p", { policy: d.identity })],
        expected: [],
      },
      {
        title: "a resource policy's Sid with spaces and dashes (its service allows them, as AWS's default key policy does)",
        resources: [carriers.bucketPolicy(withStatement(d.bucket, 0, { Sid: "Enable IAM User Permissions - TLS only" }))],
        expected: [],
      },
      {
        title: "a key without a policy (AWS's default key policy)",
        resources: [resource(TYPES.kmsKey, "k", { description: "default policy" })],
        expected: [],
      },
      {
        title: "tag keys and placeholders match as patterns; set operators and IfExists",
        resources: [
          carriers.rolePolicy(
            withStatement(d.identity, 0, {
              Condition: {
                "ForAnyValue:StringLikeIfExists": { "aws:ResourceTag/team": "feeds", "s3:ExistingObjectTag/owner": ["a", "b"] },
                "ForAllValues:StringEquals": { "aws:TagKeys": ["team"] },
                Null: { "aws:PrincipalTag/cost-center": "false" },
              },
            }),
          ),
        ],
        expected: [],
      },
      {
        title: "wildcards in actions and ARNs that match the catalogue",
        resources: [
          carriers.rolePolicy(
            withStatement(d.identity, 0, {
              Action: ["s3:Get*", "s3:List?ucket"],
              Resource: ["arn:aws:s3:::feed-*", "arn:aws:sqs:*:*:jw-*"],
            }),
          ),
        ],
        expected: [],
      },
      {
        title: "an inline policy of a role is an identity policy",
        resources: [carriers.role(d.trust, { inlinePolicies: [{ name: "inline", policy: JSON.stringify(d.identity) }] })],
        expected: [],
      },
    ]);
  });

  describe("refuses each kind of mistake, naming the resource, the field and the fix", () => {
    policyTable(iamPolicyDocumentValid, [
      {
        title: "a Resource in a trust policy (IAM: Has prohibited field Resource)",
        resources: [carriers.role(withStatement(d.trust, 0, { Resource: "*" }))],
        expected: [
          /^IAM role `feed-normalize-task-role`: `assumeRolePolicy\.Statement\[0\]\.Resource` is not allowed in a trust policy \(IAM refuses the role: "MalformedPolicyDocument: Has prohibited field Resource"\): remove it; the role itself is the resource\.$/,
        ],
      },
      {
        title: "a Principal in an identity policy",
        resources: [carriers.rolePolicy(withStatement(d.identity, 1, { Principal: { AWS: "123456789012" } }))],
        expected: [new RegExp(`${rolePolicy("Statement[1].Principal").source}is not allowed in an identity policy .*: remove it`)],
      },
      {
        title: "a resource policy statement without a Principal",
        resources: [carriers.bucketPolicy(withStatement(d.bucket, 0, { Principal: undefined }))],
        expected: [
          /^S3 bucket policy `feed-normalize-input-tls-only`: `policy\.Statement\[0\]` has no `Principal`: a bucket policy names whom it applies to; add one/,
        ],
      },
      {
        title: "an action the service does not have",
        resources: [carriers.rolePolicy(withStatement(d.identity, 1, { Action: ["sqs:ReceiveMessage", "sqs:Teleport"] }))],
        expected: [
          new RegExp(
            `${rolePolicy("Statement[1].Action[1]").source}is \`sqs:Teleport\`, which is not an action of \`sqs\` \\(IAM service authorization reference\\): IAM would accept it and grant nothing\\.$`,
          ),
        ],
      },
      {
        title: "a misspelled action, with the nearest real one",
        resources: [carriers.rolePolicy(withStatement(d.identity, 0, { Action: "s3:GetObjekt" }))],
        expected: [/`policy\.Statement\[0\]\.Action` is `s3:GetObjekt`, which is not an action of `s3` .* Did you mean `s3:GetObject`\?$/],
      },
      {
        title: "an action of a service that does not exist",
        resources: [carriers.rolePolicy(withStatement(d.identity, 0, { Action: "s4:GetObject" }))],
        expected: [
          /`policy\.Statement\[0\]\.Action` is `s4:GetObject`, whose service `s4` is not in IAM's catalogue of services\. Did you mean `s3`\?$/,
        ],
      },
      {
        title: "a wildcard that matches no action",
        resources: [carriers.rolePolicy(withStatement(d.identity, 0, { Action: "s3:Frobnicate*" }))],
        expected: [
          /`policy\.Statement\[0\]\.Action` is `s3:Frobnicate\*`, a wildcard that matches no action of `s3` .*: fix the pattern\.$/,
        ],
      },
      {
        title: "a condition key that does not exist",
        resources: [
          carriers.queuePolicy(withStatement(d.queue, 0, { Condition: { StringEquals: { "aws:SourceAcount": "123456789012" } } })),
        ],
        expected: [
          /^SQS queue policy `feed-normalize-queue-policy`: `policy\.Statement\[0\]\.Condition\.StringEquals\.aws:SourceAcount` is `aws:SourceAcount`, which is not a global condition key in IAM's catalogue\. Did you mean `aws:SourceAccount`\?$/,
        ],
      },
      {
        title: "a service condition key that does not exist",
        resources: [carriers.rolePolicy(withStatement(d.identity, 0, { Condition: { StringLike: { "s3:prefixes": "uploads/*" } } }))],
        expected: [
          /`policy\.Statement\[0\]\.Condition\.StringLike\.s3:prefixes` is `s3:prefixes`, which is not a global condition key nor one of `s3`'s in IAM's catalogue\. Did you mean `s3:prefix`\?$/,
        ],
      },
      {
        title: "a condition operator that does not exist",
        resources: [
          carriers.queuePolicy(withStatement(d.queue, 0, { Condition: { StringEqual: { "aws:SourceAccount": "123456789012" } } })),
        ],
        expected: [/`policy\.Statement\[0\]\.Condition\.StringEqual` is not an IAM condition operator .* Did you mean `StringEquals`\?$/],
      },
      {
        title: "IfExists on Null",
        resources: [carriers.queuePolicy(withStatement(d.queue, 0, { Condition: { NullIfExists: { "aws:SourceArn": "false" } } }))],
        expected: [/`policy\.Statement\[0\]\.Condition\.NullIfExists` is not an IAM condition operator: `Null` takes no `IfExists`/],
      },
      {
        title: "a malformed ARN",
        resources: [carriers.rolePolicy(withStatement(d.identity, 1, { Resource: "arn:aws:sqs:feed-normalize" }))],
        expected: [
          /`policy\.Statement\[1\]\.Resource` is `arn:aws:sqs:feed-normalize`, an ARN with 4 of its 6 colon-separated parts: write `arn:<partition>:<service>:<region>:<account>:<resource>`/,
        ],
      },
      {
        title: "a name where an ARN belongs",
        resources: [carriers.rolePolicy(withStatement(d.identity, 1, { Resource: "feed-normalize" }))],
        expected: [/`policy\.Statement\[1\]\.Resource` is `feed-normalize`, neither `\*` nor an ARN/],
      },
      {
        title: "an ARN of the wrong shape for its service (S3 buckets have no region or account)",
        resources: [
          carriers.rolePolicy(
            withStatement(d.identity, 0, { Resource: "arn:aws:s3:ap-northeast-1:123456789012:feed-normalize-input/uploads/*" }),
          ),
        ],
        expected: [
          /`policy\.Statement\[0\]\.Resource` is `arn:aws:s3:ap-northeast-1:123456789012:feed-normalize-input\/uploads\/\*`, which has the shape of no `s3` resource type in IAM's catalogue: the nearest are `arn:\$\{Partition\}:s3:::/,
        ],
      },
      {
        title: "an ARN of the wrong shape for its service (ECS tasks are `task/`)",
        resources: [
          carriers.rolePolicy(
            withStatement(d.identity, 0, {
              Action: "ecs:UpdateTaskProtection",
              Resource: "arn:aws:ecs:ap-northeast-1:123456789012:tasks/jobworker/*",
            }),
          ),
        ],
        expected: [
          /is `arn:aws:ecs:ap-northeast-1:123456789012:tasks\/jobworker\/\*`, which has the shape of no `ecs` resource type .* `arn:\$\{Partition\}:ecs:\$\{Region\}:\$\{Account\}:task\/\$\{ClusterName\}\/\$\{TaskId\}`/,
        ],
      },
      {
        title: "an ARN of a service that does not exist",
        resources: [
          carriers.rolePolicy(withStatement(d.identity, 1, { Resource: "arn:aws:sqx:ap-northeast-1:123456789012:feed-normalize" })),
        ],
        expected: [
          /is `arn:aws:sqx:ap-northeast-1:123456789012:feed-normalize`, whose service `sqx` is not in IAM's catalogue of services\. Did you mean `sqs`\?$/,
        ],
      },
      {
        title: "a bad Version",
        resources: [carriers.role(withStatement(d.trust, 0, {}, { Version: "2008-10-17" }))],
        expected: [
          /^IAM role `feed-normalize-task-role`: `assumeRolePolicy\.Version` is "2008-10-17": use "2012-10-17", the current policy language\.$/,
        ],
      },
      {
        title: "no Version",
        resources: [carriers.rolePolicy(withStatement(d.identity, 0, {}, { Version: undefined }))],
        expected: [/`policy\.Version` is missing: add "Version": "2012-10-17"/],
      },
      {
        title: "a bad Effect",
        resources: [carriers.role(withStatement(d.trust, 0, { Effect: "allow" }))],
        expected: [new RegExp(`${role("Statement[0].Effect").source}is "allow": use "Allow" or "Deny" \\(case-sensitive\\)\\.$`)],
      },
      {
        title: "both Action and NotAction",
        resources: [carriers.rolePolicy(withStatement(d.identity, 0, { NotAction: "s3:PutObject" }))],
        expected: [/`policy\.Statement\[0\]` has both `Action` and `NotAction`: keep one/],
      },
      {
        title: "neither Action nor NotAction",
        resources: [carriers.rolePolicy(withStatement(d.identity, 0, { Action: undefined }))],
        expected: [/`policy\.Statement\[0\]` has neither `Action` nor `NotAction`/],
      },
      {
        title: "a duplicate Sid",
        resources: [carriers.rolePolicy(withStatement(d.identity, 2, { Sid: "ReadOwnInput" }))],
        expected: [
          /`policy\.Statement\[2\]\.Sid` is "ReadOwnInput", the `Sid` of Statement\[0\] too: a `Sid` must be unique within the policy; rename one\.$/,
        ],
      },
      {
        title: "a Sid with characters IAM does not allow",
        resources: [carriers.rolePolicy(withStatement(d.identity, 0, { Sid: "read-own-input" }))],
        expected: [/`policy\.Statement\[0\]\.Sid` is "read-own-input": IAM allows only letters and digits in a `Sid`\.$/],
      },
      {
        title: "a Sid that is not a string",
        resources: [carriers.bucketPolicy(withStatement(d.bucket, 0, { Sid: 7 }))],
        expected: [/`policy\.Statement\[0\]\.Sid` is 7: a `Sid` is a string\.$/],
      },
      {
        title: "an unknown statement element",
        resources: [carriers.rolePolicy(withStatement(d.identity, 0, { Actions: "s3:GetObject" }))],
        expected: [
          /`policy\.Statement\[0\]\.Actions` is not a statement element: IAM refuses unknown elements; .* Did you mean `Action`\?$/,
        ],
      },
      {
        title: "an unknown top-level element",
        resources: [carriers.rolePolicy(withStatement(d.identity, 0, {}, { Statment: [] }))],
        expected: [/`policy\.Statment` is not a policy element: .* Did you mean `Statement`\?$/],
      },
      {
        title: "an identity statement without a Resource",
        resources: [carriers.rolePolicy(withStatement(d.identity, 0, { Resource: undefined }))],
        expected: [/`policy\.Statement\[0\]` has no `Resource` \(IAM refuses it: "Policy statement must contain resources"\)/],
      },
      {
        title: "a trust policy without a Principal",
        resources: [carriers.role(withStatement(d.trust, 0, { Principal: undefined }))],
        expected: [
          new RegExp(
            `${ROLE.source}\`assumeRolePolicy\\.Statement\\[0\\]\` has no \`Principal\`: a trust policy names who may assume the role`,
          ),
        ],
      },
      {
        title: "a wildcard inside a principal",
        resources: [carriers.key(withStatement(d.key, 0, { Principal: { AWS: "arn:aws:iam::123456789012:role/ops-*" } }))],
        expected: [
          /^KMS key `feed-normalize-queue-key`: `policy\.Statement\[0\]\.Principal\.AWS` is `arn:aws:iam::123456789012:role\/ops-\*`: IAM allows no wildcard inside a principal/,
        ],
      },
      {
        title: "a bucket policy that names another service's resource",
        resources: [
          carriers.bucketPolicy(withStatement(d.bucket, 0, { Resource: "arn:aws:sqs:ap-northeast-1:123456789012:feed-normalize" })),
        ],
        expected: [
          /`policy\.Statement\[0\]\.Resource` is `arn:aws:sqs:ap-northeast-1:123456789012:feed-normalize`, a `sqs` ARN: a bucket policy names only `s3` resources; grant this in a policy of the `sqs` resource or of the caller\.$/,
        ],
      },
      {
        title: "a document that is not JSON",
        resources: [resource(TYPES.rolePolicy, "feed-normalize-task-policy", { policy: '{"Version": "2012-10-17",' })],
        expected: [/^IAM role policy `feed-normalize-task-policy`: `policy` is not valid JSON \(.*\): render it with `JSON\.stringify`/],
      },
      {
        title: "a mistake in a role's inline policy",
        resources: [
          carriers.role(d.trust, {
            inlinePolicies: [{ name: "inline", policy: JSON.stringify(withStatement(d.identity, 0, { Action: "s3:GetObjekt" })) }],
          }),
        ],
        expected: [new RegExp(`${ROLE.source}\`inlinePolicies\\[0\\]\\.policy\\.Statement\\[0\\]\\.Action\` is \`s3:GetObjekt\``)],
      },
      {
        title: "a Lambda permission for an action Lambda does not have",
        resources: [
          resource(TYPES.lambdaPermission, "backlog-invoke", { action: "lambda:InvokeFunctions", principal: "events.amazonaws.com" }),
        ],
        expected: [
          /^Lambda permission `backlog-invoke`: `action` is `lambda:InvokeFunctions`, which is not an action of `lambda` .* Did you mean `lambda:InvokeFunction`\?$/,
        ],
      },
    ]);
  });

  it("leaves a document unknown at preview to the engine: can't run (advisory), never a finding", async () => {
    const found = await violations(iamPolicyDocumentValid, [
      resource(TYPES.rolePolicy, "feed-normalize-task-policy", { role: "r", policy: UNKNOWN_STRING }),
    ]);
    assert.deepEqual(
      found.map((v) => [v.enforcementLevel, v.resource?.name]),
      [["advisory", "feed-normalize-task-policy"]],
    );
    assert.match(
      found[0].message,
      /^can't run policy 'iam-policy-document-valid' during preview: string value at \.policy can't be known during preview$/,
    );
  });
});
