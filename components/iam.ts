/**
 * IAM policy building blocks the components share: the statement shapes IAM accepts for each kind of
 * document, and the statement every resource policy of ours carries that refuses plain-HTTP requests.
 *
 * The kinds differ in what a statement names (IAM User Guide, "Policies and permissions"): a role's
 * trust policy names who may assume it and has no `Resource` (IAM refuses the role: "Has prohibited
 * field Resource"); an identity policy applies to whoever holds it and has no `Principal`; a resource
 * policy (bucket, queue, key) names both. The policy pack checks the rendered documents against the
 * same rules (`iam-policy-document-valid`).
 */

/** Who a statement applies to: everyone (`"*"`), or principals by type. */
export type Principal =
  | "*"
  | {
      readonly AWS?: string | readonly string[];
      readonly Service?: string | readonly string[];
      readonly Federated?: string | readonly string[];
      readonly CanonicalUser?: string | readonly string[];
    };

/** Condition operator → condition key → value(s). */
export type Condition = Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;

interface StatementBase {
  /** Letters and digits only, unique within the document. */
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | readonly string[];
  readonly Condition?: Condition;
}

/** A statement of a role's trust policy: a principal, no resource. */
export interface TrustStatement extends StatementBase {
  readonly Principal: Principal;
  readonly Resource?: never;
}

/** A statement of an identity policy (inline or managed, attached to a role): resources, no principal. */
export interface IdentityStatement extends StatementBase {
  readonly Principal?: never;
  readonly Resource: string | readonly string[];
}

/** A statement of a resource policy (bucket, queue, key): a principal and the resource. */
export interface ResourceStatement extends StatementBase {
  readonly Principal: Principal;
  readonly Resource: string | readonly string[];
}

/** A policy document of one kind. */
export interface PolicyDocument<S extends TrustStatement | IdentityStatement | ResourceStatement> {
  readonly Version: "2012-10-17";
  readonly Statement: readonly S[];
}

export type TrustPolicy = PolicyDocument<TrustStatement>;
export type IdentityPolicy = PolicyDocument<IdentityStatement>;
export type ResourcePolicy = PolicyDocument<ResourceStatement>;

/** A document of the policy language version every policy here uses. */
export function policyDocument<S extends TrustStatement | IdentityStatement | ResourceStatement>(...Statement: S[]): PolicyDocument<S> {
  return { Version: "2012-10-17", Statement };
}

/** Trust policy letting one AWS service assume a role, optionally only on conditions (confused-deputy keys). */
export function serviceTrustPolicy(service: string, condition?: Condition): TrustPolicy {
  return policyDocument<TrustStatement>({
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
    ...(condition ? { Condition: condition } : {}),
  });
}

/**
 * Denies every request to `resource` that is not over TLS (`aws:SecureTransport` false), for all of
 * the service's actions: S3 buckets (give the bucket and `bucket/*`) and SQS queues.
 */
export function denyInsecureTransport(service: "s3" | "sqs", resource: string | readonly string[]): ResourceStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: `${service}:*`,
    Resource: resource,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}
