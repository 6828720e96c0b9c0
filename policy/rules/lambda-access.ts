/**
 * Who may invoke a Lambda function (Security Hub Lambda.1, CKV_AWS_301): a permission for `*` is
 * public; a permission for an AWS service without `sourceArn` or `sourceAccount` lets that service
 * invoke it for any account's resources (the confused deputy).
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { forType } from "../support";
import { TYPES } from "../types";

type Props = Record<string, unknown>;

function set(value: unknown): boolean {
  return typeof value === "string" && value !== "";
}

export const lambdaNoPublicInvoke: ResourceValidationPolicy = {
  name: "lambda-no-public-invoke",
  description:
    "Checks whether no Lambda permission lets `*` invoke a function without `sourceAccount` or `principalOrgId`, and none lets an AWS service invoke it without `sourceArn` or `sourceAccount` (Security Hub Lambda.1, CKV_AWS_301).",
  enforcementLevel: "mandatory",
  validateResource: forType<Props>(TYPES.lambdaPermission, (props, args, report) => {
    const where = `Lambda permission \`${typeof props.statementId === "string" ? props.statementId : args.name}\` on \`${String(props.function ?? "")}\``;
    const principal = String(props.principal ?? "");
    if (principal === "*" && !set(props.sourceAccount) && !set(props.principalOrgId)) {
      report(`${where} lets anyone invoke it (\`principal\` "*"): name the principal, or set \`sourceAccount\` or \`principalOrgId\`.`);
    } else if (principal.endsWith(".amazonaws.com") && !set(props.sourceArn) && !set(props.sourceAccount)) {
      report(
        `${where} lets \`${principal}\` invoke it for any account's resources: set \`sourceArn\` (the rule, bucket or topic ARN) or \`sourceAccount\`.`,
      );
    }
  }),
};
