/**
 * Who may assume a role: no `*` principal in a trust policy (CKV_AWS_60, CKV_AWS_61), and the roles
 * a service assumes on a caller's behalf (ECS task roles) carry the cross-service confused-deputy
 * conditions `aws:SourceAccount` and `aws:SourceArn` (IAM User Guide, "The confused deputy problem";
 * Amazon ECS Developer Guide, "Task IAM role").
 */
import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { hasConditionKey, isEveryone, statementLabel, statementsOf } from "../documents";
import { configWithDefaults, forType, knownString } from "../support";
import { TYPES } from "../types";

type Props = Record<string, unknown>;

function roleLabel(props: Props, name: string): string {
  return `IAM role \`${knownString(props, "name") ?? name}\``;
}

export const iamTrustNoWildcardPrincipal: ResourceValidationPolicy = {
  name: "iam-trust-no-wildcard-principal",
  description: 'Checks whether no role\'s trust policy lets `*` (`Principal: "*"` or `{"AWS": "*"}`) assume it (CKV_AWS_60, CKV_AWS_61).',
  enforcementLevel: "mandatory",
  validateResource: forType<Props>(TYPES.role, (props, args, report) => {
    for (const s of statementsOf(props.assumeRolePolicy)) {
      if (s.effect === "Allow" && isEveryone(s)) {
        report(
          `${roleLabel(props, args.name)}: \`assumeRolePolicy\` ${statementLabel(s)} lets any principal assume the role: name the service (\`{"Service": "ecs-tasks.amazonaws.com"}\`) or the account ARNs that may.`,
        );
      }
    }
  }),
};

const deputySchema: PolicyConfigSchema = {
  properties: {
    services: {
      type: "array",
      items: { type: "string" },
      default: ["ecs-tasks.amazonaws.com"],
      description: "Service principals whose trust statements need the confused-deputy condition keys.",
    },
    requiredKeys: {
      type: "array",
      items: { type: "string" },
      default: ["aws:SourceAccount", "aws:SourceArn"],
      description: "Condition keys every such statement must test.",
    },
  },
};

export const iamTaskRoleConfusedDeputy: ResourceValidationPolicy = {
  name: "iam-task-role-confused-deputy",
  description:
    "Checks whether every role an ECS task assumes (trusting `ecs-tasks.amazonaws.com`) restricts the service by `aws:SourceAccount` and `aws:SourceArn` (IAM Access Analyzer's cross-service confused-deputy guidance).",
  enforcementLevel: "mandatory",
  configSchema: deputySchema,
  validateResource: forType<Props>(TYPES.role, (props, args, report) => {
    const { services, requiredKeys } = configWithDefaults<{ services: string[]; requiredKeys: string[] }>(deputySchema, args);
    for (const s of statementsOf(props.assumeRolePolicy)) {
      const service = (s.principals.Service ?? []).find((p) => services.includes(p));
      if (s.effect !== "Allow" || service === undefined) continue;
      const missing = requiredKeys.filter((k) => !hasConditionKey(s, k));
      if (missing.length > 0) {
        report(
          `${roleLabel(props, args.name)}: \`assumeRolePolicy\` ${statementLabel(s)} trusts \`${service}\` without ${missing.map((k) => `\`${k}\``).join(" and ")}: add \`Condition\` {"StringEquals": {"aws:SourceAccount": "<account>"}, "ArnLike": {"aws:SourceArn": "arn:aws:ecs:<region>:<account>:*"}}.`,
        );
      }
    }
  }),
};
