/**
 * The execution role of a daemon that takes secrets: the ECS agent reads exactly the referenced
 * secrets and, since a task with an execution role ships its awslogs output with that role's
 * credentials, writes the daemon's log streams in the cluster's container log group.
 */
import type { SecretRef } from "../../catalog/secret-ref";
import { policyDocument, type IdentityPolicy, type IdentityStatement } from "../iam";
import { secretArn, type AwsScope } from "../job-worker/policies";

export function daemonExecutionRolePolicy(i: { scope: AwsScope; secrets: readonly SecretRef[]; logGroupArn: string }): IdentityPolicy {
  const arns = i.secrets.map((r) => secretArn(r, i.scope));
  const ssm = [...new Set(arns.filter((a) => a.service === "ssm").map((a) => a.arn))].sort();
  const sm = [...new Set(arns.filter((a) => a.service === "secretsmanager").map((a) => a.arn))].sort();
  const statements: IdentityStatement[] = [];
  if (ssm.length > 0) statements.push({ Sid: "ReadDaemonParameters", Effect: "Allow", Action: "ssm:GetParameters", Resource: ssm });
  if (sm.length > 0)
    statements.push({ Sid: "ReadDaemonSecretValues", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: sm });
  statements.push({
    Sid: "WriteDaemonLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: `${i.logGroupArn}:*`,
  });
  return policyDocument(...statements);
}
