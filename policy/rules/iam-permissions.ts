/**
 * What identity policies grant (Security Hub IAM.1/IAM.21, Checkov CKV_AWS_1/63/111/355/274): no
 * `*` or `service:*` actions, no `Resource: "*"` on write or permissions-management actions that can
 * be scoped to a resource (decided from IAM's catalogue, policy/iam/access.ts), and no AWS-managed
 * administrator or `*FullAccess` policy attached.
 */
import type { PolicyConfigSchema, ResourceValidation, ResourceValidationPolicy } from "@pulumi/policy";
import { statementLabel, statementsOf, type ReadStatement } from "../documents";
import { actionsMatching } from "../iam";
import { configWithDefaults, forType, matchesPattern } from "../support";
import { TYPES } from "../types";
import { carriedDocuments, catalogue } from "./iam";

type Props = Record<string, unknown>;

/** Resource types that carry identity policies, and their label in messages. */
const IDENTITY_CARRIERS: readonly [type: string, label: string][] = [
  [TYPES.role, "IAM role"],
  [TYPES.rolePolicy, "IAM role policy"],
  [TYPES.userPolicy, "IAM user policy"],
  [TYPES.groupPolicy, "IAM group policy"],
  [TYPES.managedPolicy, "IAM policy"],
];

function where(label: string, props: Props, name: string): string {
  return `${label} \`${typeof props.name === "string" && props.name !== "" ? props.name : name}\``;
}

/** One validation per identity carrier, calling `check` for every Allow statement of every identity document. */
function eachAllow(
  check: (s: ReadStatement, field: string, where: string, report: (m: string) => void, props: Props) => void | Promise<void>,
): ResourceValidation[] {
  return IDENTITY_CARRIERS.map(([type, label]) =>
    forType<Props>(type, async (props, args, report) => {
      for (const doc of carriedDocuments(type, props)) {
        if (doc.kind.kind !== "identity") continue;
        for (const s of statementsOf(doc.value)) {
          if (s.effect === "Allow") await check(s, doc.field, where(label, props, args.name), report, props);
        }
      }
    }),
  );
}

export const iamNoWildcardActions: ResourceValidationPolicy = {
  name: "iam-no-wildcard-actions",
  description:
    "Checks whether no identity policy allows `*`, a whole service (`s3:*`) or `NotAction` (Security Hub IAM.1, IAM.21, CKV_AWS_1, CKV_AWS_63).",
  enforcementLevel: "mandatory",
  validateResource: eachAllow((s, field, at, report) => {
    for (const action of s.actions) {
      if (action === "*" || /^[a-z0-9-]+:\*$/i.test(action)) {
        report(
          `${at}: \`${field}\` ${statementLabel(s)} allows \`${action}\`: list the actions the holder calls (e.g. \`s3:GetObject\`), never a whole service.`,
        );
      }
    }
    if (s.notActions.length > 0) {
      report(
        `${at}: \`${field}\` ${statementLabel(s)} allows with \`NotAction\` (every other action): list the allowed actions in \`Action\`.`,
      );
    }
  }),
};

export const iamNoWildcardResourceWrite: ResourceValidationPolicy = {
  name: "iam-no-wildcard-resource-write",
  description:
    "Checks whether no identity policy allows a write or permissions-management action on `Resource: \"*\"` when IAM's catalogue says the action can be scoped to a resource and the statement does not scope it by one of the action's own condition keys (Security Hub KMS.1, KMS.2 for `kms:Decrypt`; CKV_AWS_111, CKV_AWS_355).",
  enforcementLevel: "mandatory",
  validateResource: eachAllow(async (s, field, at, report) => {
    if (!s.resources.includes("*")) return;
    const scoped: string[] = [];
    for (const action of s.actions) {
      if (action === "*") continue; // iam-no-wildcard-actions reports it
      const matched = await actionsMatching(action, catalogue);
      // An action scoped by one of its own condition keys (`cloudwatch:namespace` on PutMetricData) is constrained.
      const constrained = (keys: readonly string[]) => keys.some((k) => s.conditionKeys.includes(k));
      scoped.push(...matched.filter((a) => a.writes && a.resourceLevel && !constrained(a.conditionKeys)).map((a) => a.action));
    }
    if (scoped.length > 0) {
      const shown = scoped.slice(0, 5).join("`, `") + (scoped.length > 5 ? `\` and ${scoped.length - 5} more` : "`");
      report(
        `${at}: \`${field}\` ${statementLabel(s)} allows \`${shown} on \`Resource: "*"\`: these write or manage permissions and support resource-level permissions, so name the ARNs they act on.`,
      );
    }
  }),
};

const ATTACHMENTS = [
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
] as const;

const adminSchema: PolicyConfigSchema = {
  properties: {
    forbiddenPolicyNames: {
      type: "array",
      items: { type: "string" },
      default: ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "*FullAccess"],
      description: "AWS-managed policy names (`*` wildcards) never attached.",
    },
    allowedPolicyArns: { type: "array", items: { type: "string" }, default: [], description: "Exceptions, by ARN." },
  },
};

/** `arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role` → `AmazonEC2ContainerServiceforEC2Role`; undefined when not AWS-managed. */
function awsManagedName(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn)?.[1];
}

export const iamNoAdminManagedPolicies: ResourceValidationPolicy = {
  name: "iam-no-admin-managed-policies",
  description:
    "Checks whether no role, user or group has the AWS-managed AdministratorAccess, PowerUserAccess or a `*FullAccess` policy attached (CKV_AWS_274).",
  enforcementLevel: "mandatory",
  configSchema: adminSchema,
  validateResource: [
    ...ATTACHMENTS.map((type) =>
      forType<Props>(type, (props, args, report) => {
        const config = configWithDefaults<{ forbiddenPolicyNames: string[]; allowedPolicyArns: string[] }>(adminSchema, args);
        judge(props.policyArn, "policyArn", `policy attachment \`${args.name}\``, config, report);
      }),
    ),
    forType<Props>(TYPES.role, (props, args, report) => {
      const config = configWithDefaults<{ forbiddenPolicyNames: string[]; allowedPolicyArns: string[] }>(adminSchema, args);
      const arns = Array.isArray(props.managedPolicyArns) ? props.managedPolicyArns : [];
      arns.forEach((arn, i) => judge(arn, `managedPolicyArns[${i}]`, where("IAM role", props, args.name), config, report));
    }),
  ],
};

function judge(
  arn: unknown,
  field: string,
  at: string,
  config: { forbiddenPolicyNames: string[]; allowedPolicyArns: string[] },
  report: (m: string) => void,
): void {
  if (typeof arn !== "string" || config.allowedPolicyArns.includes(arn)) return;
  const name = awsManagedName(arn);
  if (name !== undefined && config.forbiddenPolicyNames.some((p) => matchesPattern(name, p))) {
    report(
      `${at}: \`${field}\` attaches the AWS-managed \`${name}\`, which grants far more than a workload needs: attach a policy listing the actions and resources it uses.`,
    );
  }
}
