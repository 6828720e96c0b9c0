/**
 * IAM policy building blocks the components share: the statement shape, and the statement every
 * resource policy of ours carries that refuses plain-HTTP requests.
 */

/** One IAM policy statement, as plain data. */
export type PolicyStatement = {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: unknown;
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
};

/**
 * Denies every request to `resource` that is not over TLS (`aws:SecureTransport` false), for all of
 * the service's actions: S3 buckets (give the bucket and `bucket/*`) and SQS queues.
 */
export function denyInsecureTransport(service: "s3" | "sqs", resource: string | string[]): PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: `${service}:*`,
    Resource: resource,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}
