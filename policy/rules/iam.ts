/**
 * IAM policy documents as IAM will judge them at deploy: every document a resource carries (a role's
 * trust policy and inline policies, role/user/group and managed policies, bucket, queue, topic, key and
 * repository policies) against the grammar of its kind and IAM's catalogue (policy/iam). Under mocks
 * everything is accepted; IAM refuses, for example, a trust policy with a `Resource`.
 *
 * Documents often embed ARNs of resources created in the same deployment, so at `pulumi preview`
 * they may be unknown. The rule does not guess: reading an unknown value throws the SDK's
 * `UnknownValueError`, which the engine reports as "can't run policy … during preview" (advisory),
 * and at `pulumi up` the engine runs the policy again with the document known, before the resource
 * is created. policy/evaluate.ts does the same offline.
 */
import type { ResourceValidation, ResourceValidationPolicy } from "@pulumi/policy";
import { actionProblem, checkPolicyDocument, IamCatalogue, parseDocument, POLICY_KINDS, type PolicyKind } from "../iam";
import { forType } from "../support";
import { TYPES } from "../types";

/** A document a resource carries: the property path it sits at, its value, and its kind. */
export interface CarriedDocument {
  readonly field: string;
  readonly value: unknown;
  readonly kind: PolicyKind;
}

type Props = Record<string, unknown>;

interface Carrier {
  readonly type: string;
  readonly label: string;
  readonly documents: (props: Props) => CarriedDocument[];
}

/** A resource type whose one document is its `policy` property. */
function policyField(type: string, label: string, kind: PolicyKind): Carrier {
  return { type, label, documents: (p) => [{ field: "policy", value: p.policy, kind }] };
}

/** Where each resource type keeps its documents, and what to call it in messages. */
const CARRIERS: readonly Carrier[] = [
  {
    type: TYPES.role,
    label: "IAM role",
    documents: (p) => [
      { field: "assumeRolePolicy", value: p.assumeRolePolicy, kind: POLICY_KINDS.trust },
      ...((Array.isArray(p.inlinePolicies) ? p.inlinePolicies : []) as { policy?: unknown }[]).map((inline, i) => ({
        field: `inlinePolicies[${i}].policy`,
        value: inline.policy,
        kind: POLICY_KINDS.identity,
      })),
    ],
  },
  policyField(TYPES.rolePolicy, "IAM role policy", POLICY_KINDS.identity),
  policyField(TYPES.userPolicy, "IAM user policy", POLICY_KINDS.identity),
  policyField(TYPES.groupPolicy, "IAM group policy", POLICY_KINDS.identity),
  policyField(TYPES.managedPolicy, "IAM policy", POLICY_KINDS.identity),
  policyField(TYPES.bucketPolicy, "S3 bucket policy", POLICY_KINDS.bucket),
  policyField(TYPES.queuePolicy, "SQS queue policy", POLICY_KINDS.queue),
  policyField(TYPES.queue, "SQS queue", POLICY_KINDS.queue),
  policyField(TYPES.topicPolicy, "SNS topic policy", POLICY_KINDS.topic),
  policyField(TYPES.topic, "SNS topic", POLICY_KINDS.topic),
  policyField(TYPES.kmsKey, "KMS key", POLICY_KINDS.key),
  policyField(TYPES.kmsKeyPolicy, "KMS key policy", POLICY_KINDS.key),
  policyField(TYPES.ecrRepositoryPolicy, "ECR repository policy", POLICY_KINDS.repository),
];

/** The documents a resource of `type` carries (none for other types), as the rule reads them. */
export function carriedDocuments(type: string, props: Props): CarriedDocument[] {
  return CARRIERS.find((c) => c.type === type)?.documents(props) ?? [];
}

// One catalogue per pack process: the data files load on first use and are kept for the run.
export const catalogue = new IamCatalogue();

function labelOf(label: string, props: Props, resourceName: string): string {
  const name = typeof props.name === "string" && props.name !== "" ? props.name : resourceName;
  return `${label} \`${name}\``;
}

function documentValidation(carrier: (typeof CARRIERS)[number]): ResourceValidation {
  return forType<Props>(carrier.type, async (props, args, report) => {
    const where = labelOf(carrier.label, props, args.name);
    for (const { field, value, kind } of carrier.documents(props)) {
      // An absent document is the service's default (a key's default key policy), not an error.
      if (value === undefined || value === null || value === "") continue;
      const parsed = parseDocument(value);
      if (!parsed.ok) {
        report(`${where}: \`${field}\` ${parsed.problem}`);
        continue;
      }
      for (const finding of await checkPolicyDocument(parsed.document, kind, catalogue)) {
        report(`${where}: \`${[field, finding.path].filter(Boolean).join(".")}\` ${finding.problem}`);
      }
    }
  });
}

/** A Lambda permission is one statement of the function's resource policy, given as `action` and `principal`. */
const lambdaPermissionValidation = forType<Props>(TYPES.lambdaPermission, async (props, args, report) => {
  const where = labelOf("Lambda permission", { name: props.statementId }, args.name);
  const action = props.action;
  if (typeof action !== "string") return;
  const problem = action.toLowerCase().startsWith("lambda:")
    ? await actionProblem(action, catalogue)
    : `is \`${action}\`: a Lambda permission grants a \`lambda:\` action (e.g. \`lambda:InvokeFunction\`).`;
  if (problem) report(`${where}: \`action\` ${problem}`);
});

export const iamPolicyDocumentValid: ResourceValidationPolicy = {
  name: "iam-policy-document-valid",
  description:
    "Checks whether every IAM policy document (role trust and inline policies, role, user, group and managed policies, bucket, queue, topic, key and repository policies, Lambda permissions) follows IAM's grammar for its kind and names only actions, resource ARN shapes and condition keys in IAM's catalogue (IAM Access Analyzer policy validation).",
  enforcementLevel: "mandatory",
  validateResource: [...CARRIERS.map(documentValidation), lambdaPermissionValidation],
};
