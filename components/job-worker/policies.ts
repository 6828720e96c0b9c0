/**
 * IAM, bucket, queue and key policy documents of a JobWorker, as pure functions of plain values.
 * The component resolves ARNs (`pulumi.all`) and hands the results to these functions; tests parse
 * the JSON they produce.
 */
import type { SecretRef } from "../../catalog/contract";
import {
  denyInsecureTransport,
  policyDocument,
  serviceTrustPolicy,
  type IdentityPolicy,
  type IdentityStatement,
  type ResourcePolicy,
  type ResourceStatement,
  type TrustPolicy,
} from "../iam";

export type { IdentityPolicy, ResourcePolicy, TrustPolicy } from "../iam";

/** Where policies are evaluated: account, region and partition. */
export interface AwsScope {
  readonly accountId: string;
  readonly region: string;
  /** @default "aws" */
  readonly partition?: string;
}

/** A place the worker writes to: a bucket and key prefix (an `s3` binding or a chained worker's input). */
export interface WriteTarget {
  readonly bucketArn: string;
  readonly prefix: string;
  /** SSE-KMS key the objects are written with. */
  readonly kmsKeyArn?: string;
  /** Objects are written with `bucket-owner-full-control` (needs s3:PutObjectAcl). */
  readonly bucketOwnerFullControl?: boolean;
}

/**
 * Account, region and partition of an ARN (`arn:<partition>:<service>:<region>:<account>:…`). The
 * component reads them off its queue's ARN rather than invoking getCallerIdentity/getRegion per
 * worker: same answer, no extra calls (which dominate construction time with hundreds of workers).
 */
export function scopeOfArn(arn: string): AwsScope {
  const [prefix, partition, , region, accountId] = arn.split(":");
  if (prefix !== "arn" || !partition || !region || !/^\d{12}$/.test(accountId ?? "")) {
    throw new Error(`\`${arn}\` is not a regional ARN with an account id`);
  }
  return { partition, region, accountId };
}

const part = (s: AwsScope) => s.partition ?? "aws";

/** The IAM resource ARN a secret reference reads; Secrets Manager ARNs end in a random 6-character suffix. */
export function secretArn(ref: SecretRef, scope: AwsScope): { service: "ssm" | "secretsmanager"; arn: string } {
  if (ref.startsWith("ssm:")) {
    const path = ref.slice("ssm:".length);
    return { service: "ssm", arn: `arn:${part(scope)}:ssm:${scope.region}:${scope.accountId}:parameter${path}` };
  }
  if (ref.startsWith("secretsmanager:")) {
    const id = ref.slice("secretsmanager:".length);
    if (id.startsWith("arn:")) return { service: "secretsmanager", arn: id };
    return { service: "secretsmanager", arn: `arn:${part(scope)}:secretsmanager:${scope.region}:${scope.accountId}:secret:${id}-??????` };
  }
  throw new Error(`secret reference \`${ref}\` is neither ssm: nor secretsmanager: (validation should have rejected it)`);
}

/** `valueFrom` of an ECS container secret: the parameter's ARN, or the secret's ARN (partial without suffix). */
export function ecsSecretValueFrom(ref: SecretRef, scope: AwsScope): string {
  const { service, arn } = secretArn(ref, scope);
  return service === "secretsmanager" ? arn.replace(/-\?{6}$/, "") : arn;
}

function secretReadStatements(sid: string, refs: readonly SecretRef[], scope: AwsScope): IdentityStatement[] {
  const arns = refs.map((r) => secretArn(r, scope));
  const ssm = [...new Set(arns.filter((a) => a.service === "ssm").map((a) => a.arn))].sort();
  const sm = [...new Set(arns.filter((a) => a.service === "secretsmanager").map((a) => a.arn))].sort();
  const out: IdentityStatement[] = [];
  if (ssm.length > 0)
    out.push({ Sid: `${sid}Parameters`, Effect: "Allow", Action: ["ssm:GetParameters", "ssm:GetParameter"], Resource: ssm });
  if (sm.length > 0) out.push({ Sid: `${sid}SecretValues`, Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: sm });
  return out;
}

/** Trust policy for a role ECS tasks assume, only from this account's ECS (no `Resource`: the role is the resource). */
export function ecsTasksAssumeRolePolicy(scope: AwsScope): TrustPolicy {
  return serviceTrustPolicy("ecs-tasks.amazonaws.com", {
    StringEquals: { "aws:SourceAccount": scope.accountId },
    ArnLike: { "aws:SourceArn": `arn:${part(scope)}:ecs:${scope.region}:${scope.accountId}:*` },
  });
}

export interface TaskRoleInputs {
  readonly scope: AwsScope;
  readonly inputBucketArn: string;
  /** The worker's key prefix in its input bucket ("" for the whole bucket). */
  readonly inputPrefix: string;
  /** The worker's key suffix filter ("" for none): IAM wildcards may sit mid-ARN, so reads stop at the filter. @default "" */
  readonly inputSuffix?: string;
  readonly queueArn: string;
  /**
   * The worker's dead-letter queue: the runtime sends malformed messages and permanent failures
   * there itself, with the reason as a message attribute (workers/runtime/queue-info.ts).
   */
  readonly deadLetterQueueArn: string;
  /** Customer managed key of the queue, when the queue uses one. */
  readonly queueKmsKeyArn?: string;
  readonly clusterName: string;
  readonly outputs: readonly WriteTarget[];
  /** Secrets the runtime resolves itself (connector credentials of the output bindings). */
  readonly runtimeSecrets: readonly SecretRef[];
}

/**
 * The task role: read its own input, consume its own queue, protect its own task from scale-in, write
 * to its declared outputs and read its connectors' secrets. Nothing else.
 */
export function taskRolePolicy(i: TaskRoleInputs): IdentityPolicy {
  const statements: IdentityStatement[] = [
    {
      Sid: "ReadOwnInput",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `${i.inputBucketArn}/${i.inputPrefix}*${i.inputSuffix ?? ""}`,
    },
    {
      Sid: "ConsumeOwnQueue",
      Effect: "Allow",
      Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
      Resource: i.queueArn,
    },
    // On shutdown the runtime hands an unfinished message back as a copy, so interruptions charge no receive.
    { Sid: "HandBackToOwnQueue", Effect: "Allow", Action: "sqs:SendMessage", Resource: i.queueArn },
    { Sid: "SendToOwnDeadLetterQueue", Effect: "Allow", Action: "sqs:SendMessage", Resource: i.deadLetterQueueArn },
    {
      Sid: "OwnTaskScaleInProtection",
      Effect: "Allow",
      Action: ["ecs:UpdateTaskProtection", "ecs:GetTaskProtection"],
      Resource: `arn:${part(i.scope)}:ecs:${i.scope.region}:${i.scope.accountId}:task/${i.clusterName}/*`,
    },
  ];
  if (i.queueKmsKeyArn) {
    // Decrypt to receive; GenerateDataKey to send to the dead-letter queue and hand back to the queue (same key).
    statements.push({ Sid: "UseOwnQueueKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: i.queueKmsKeyArn });
  }
  const puts = [...new Set(i.outputs.map((o) => `${o.bucketArn}/${o.prefix}*`))].sort();
  // PutObject covers the multipart calls but aborting one, which a failed upload does to leave no parts behind.
  if (puts.length > 0)
    statements.push({ Sid: "WriteDeclaredOutputs", Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload"], Resource: puts });
  const acls = [...new Set(i.outputs.filter((o) => o.bucketOwnerFullControl).map((o) => `${o.bucketArn}/${o.prefix}*`))].sort();
  if (acls.length > 0) statements.push({ Sid: "GrantBucketOwnerFullControl", Effect: "Allow", Action: "s3:PutObjectAcl", Resource: acls });
  const keys = [...new Set(i.outputs.flatMap((o) => (o.kmsKeyArn ? [o.kmsKeyArn] : [])))].sort();
  if (keys.length > 0)
    statements.push({ Sid: "EncryptDeclaredOutputs", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: keys });
  statements.push(...secretReadStatements("ReadConnector", i.runtimeSecrets, i.scope));
  return policyDocument(...statements);
}

/**
 * The execution role (used by the ECS agent, not the worker): pull its own image and read the
 * secrets its container references. Logs go through the instance's fluentd, so no CloudWatch Logs
 * permissions are needed here.
 */
export function executionRolePolicy(i: { scope: AwsScope; repositoryArn?: string; secrets: readonly SecretRef[] }): IdentityPolicy {
  const statements: IdentityStatement[] = [];
  if (i.repositoryArn) {
    // GetAuthorizationToken has no resource-level permissions (IAM service authorization reference).
    statements.push({ Sid: "EcrAuth", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" });
    statements.push({
      Sid: "PullOwnImage",
      Effect: "Allow",
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
      Resource: i.repositoryArn,
    });
  }
  statements.push(...secretReadStatements("ReadContainer", i.secrets, i.scope));
  if (statements.length === 0) {
    // An IAM policy needs one statement; this one grants nothing usable (an image URI from a public registry, no secrets).
    statements.push({ Sid: "Nothing", Effect: "Deny", Action: "*", Resource: "*" });
  }
  return policyDocument(...statements);
}

/** Bucket policy: deny any request not over TLS. */
export function tlsOnlyBucketPolicy(bucketArn: string): ResourcePolicy {
  return policyDocument(denyInsecureTransport("s3", [bucketArn, `${bucketArn}/*`]));
}

/** Queue policy of a queue nobody sends to from outside (the dead-letter queue): no plain-HTTP access. */
export function tlsOnlyQueuePolicy(queueArn: string): ResourcePolicy {
  return policyDocument(denyInsecureTransport("sqs", queueArn));
}

/** Queue policy: only S3, only from the input bucket in this account, may send; no plain-HTTP access. */
export function queuePolicy(i: { queueArn: string; bucketArn: string; accountId: string }): ResourcePolicy {
  return policyDocument<ResourceStatement>(
    {
      Sid: "S3InputBucketNotifications",
      Effect: "Allow",
      Principal: { Service: "s3.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: i.queueArn,
      Condition: { ArnEquals: { "aws:SourceArn": i.bucketArn }, StringEquals: { "aws:SourceAccount": i.accountId } },
    },
    denyInsecureTransport("sqs", i.queueArn),
  );
}

/**
 * Key policy of a customer managed queue key: the account administers it (IAM policies then grant
 * use), and S3 may use it to send notifications from this account. (S3 cannot use `alias/aws/sqs`,
 * whose policy no one can change.)
 */
export function queueKeyPolicy(i: { scope: AwsScope; bucketArn: string }): ResourcePolicy {
  // `Resource: "*"` in a key policy means this key (AWS KMS Developer Guide, "Key policies").
  return policyDocument<ResourceStatement>(
    {
      Sid: "AccountAdministers",
      Effect: "Allow",
      Principal: { AWS: `arn:${part(i.scope)}:iam::${i.scope.accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "S3SendsNotifications",
      Effect: "Allow",
      Principal: { Service: "s3.amazonaws.com" },
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": i.scope.accountId }, ArnLike: { "aws:SourceArn": i.bucketArn } },
    },
  );
}
