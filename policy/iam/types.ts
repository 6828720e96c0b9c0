/** What the IAM document checks report, and the kinds of document they judge. */

/** One problem in a policy document. */
export interface Finding {
  /** Where in the document, e.g. `Statement[0].Resource`; "" for the document itself. */
  readonly path: string;
  /** What is wrong and the fix, phrased to follow the path: "is not allowed in a trust policy: remove it." */
  readonly problem: string;
}

/**
 * Which rules a document answers to. A trust policy (a role's `assumeRolePolicy`) names who may
 * assume the role and has no `Resource`; an identity policy (attached to a user, group or role) has
 * no `Principal`; a resource policy (bucket, queue, topic, key, repository) names a `Principal`, and its
 * resources belong to its own service.
 */
export type PolicyKind =
  | { readonly kind: "trust" }
  | { readonly kind: "identity" }
  | {
      readonly kind: "resource";
      /** The service whose resource carries the policy: ARNs in `Resource` must be of it. */
      readonly service: string;
      /** What the document is called in messages ("bucket policy"). */
      readonly name: string;
      /** ECR repository policies name no `Resource` (the repository is implied). @default "required" */
      readonly resourceElement?: "required" | "optional";
    };

export const POLICY_KINDS = {
  trust: { kind: "trust" },
  identity: { kind: "identity" },
  bucket: { kind: "resource", service: "s3", name: "bucket policy" },
  queue: { kind: "resource", service: "sqs", name: "queue policy" },
  topic: { kind: "resource", service: "sns", name: "topic policy" },
  key: { kind: "resource", service: "kms", name: "key policy" },
  repository: { kind: "resource", service: "ecr", name: "repository policy", resourceElement: "optional" },
} as const satisfies Record<string, PolicyKind>;
