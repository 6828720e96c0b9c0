/**
 * Who may use a queue (Security Hub SQS.3, CKV_AWS_168): no `*` principal without a condition tying it
 * to known callers; AWS services that send to it (S3, SNS) restricted to the sending resource and
 * account (`aws:SourceArn` and `aws:SourceAccount`, the confused-deputy keys); and a TLS-only deny on
 * every queue, dead-letter queues included (the SQS counterpart of S3.5).
 */
import type {
  PolicyConfigSchema,
  PolicyResource,
  ResourceValidation,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import {
  hasConditionKey,
  isEveryone,
  isTlsOnlyDeny,
  RESTRICTING_KEYS,
  statementLabel,
  statementsOf,
  type ReadStatement,
} from "../documents";
import { configWithDefaults, forType, labelOf, ofType, peek, refersTo } from "../support";
import { TYPES } from "../types";

type Props = Record<string, unknown>;

/** Queue policy documents: a QueuePolicy's `policy`, or the queue's own `policy`. */
function queueDocuments(
  check: (s: ReadStatement, at: string, report: (m: string) => void, args: { getConfig: <T extends object>() => T }) => void,
): ResourceValidation[] {
  return [
    forType<Props>(TYPES.queuePolicy, (props, args, report) => {
      for (const s of statementsOf(props.policy))
        check(s, `SQS queue policy \`${args.name}\`: \`policy\` ${statementLabel(s)}`, report, args);
    }),
    forType<Props>(TYPES.queue, (props, args, report) => {
      const name = typeof props.name === "string" ? props.name : args.name;
      for (const s of statementsOf(props.policy)) check(s, `SQS queue \`${name}\`: \`policy\` ${statementLabel(s)}`, report, args);
    }),
  ];
}

export const sqsQueuePolicyNotPublic: ResourceValidationPolicy = {
  name: "sqs-queue-policy-not-public",
  description:
    "Checks whether no SQS queue policy allows `*` without a condition on the caller's account, organization, source resource or VPC endpoint (Security Hub SQS.3, CKV_AWS_168).",
  enforcementLevel: "mandatory",
  validateResource: queueDocuments((s, at, report) => {
    if (s.effect === "Allow" && isEveryone(s) && !hasConditionKey(s, ...RESTRICTING_KEYS)) {
      report(
        `${at} allows any principal: name the principals, or add a condition on \`aws:SourceArn\`, \`aws:SourceAccount\` or \`aws:PrincipalOrgID\`.`,
      );
    }
  }),
};

const senderSchema: PolicyConfigSchema = {
  properties: {
    services: {
      type: "array",
      items: { type: "string" },
      default: ["s3.amazonaws.com", "sns.amazonaws.com"],
      description: "Service principals that send on behalf of a resource and must be restricted to it.",
    },
  },
};

export const sqsServiceSenderRestricted: ResourceValidationPolicy = {
  name: "sqs-service-sender-restricted",
  description:
    "Checks whether every SQS queue policy statement that allows an AWS service (S3, SNS) tests both `aws:SourceArn` and `aws:SourceAccount`, so no other account's bucket or topic can send (cross-service confused-deputy prevention).",
  enforcementLevel: "mandatory",
  configSchema: senderSchema,
  validateResource: queueDocuments((s, at, report, args) => {
    const { services } = configWithDefaults<{ services: string[] }>(senderSchema, args as never);
    const service = (s.principals.Service ?? []).find((p) => services.includes(p));
    if (s.effect !== "Allow" || service === undefined) return;
    const missing = ["aws:SourceArn", "aws:SourceAccount"].filter((k) => !hasConditionKey(s, k));
    if (missing.length > 0) {
      report(
        `${at} allows \`${service}\` without ${missing.map((k) => `\`${k}\``).join(" and ")}: add {"ArnEquals": {"aws:SourceArn": "<bucket or topic ARN>"}, "StringEquals": {"aws:SourceAccount": "<account>"}}.`,
      );
    }
  }),
};

/** The documents that apply to a queue: its own `policy` and every QueuePolicy pointing at it (by URL or dependency). */
function documentsOfQueue(queue: PolicyResource, queuePolicies: PolicyResource[]): unknown[] {
  const attached = queuePolicies.filter((p) => refersTo(p, "queueUrl", queue)).map((p) => p.props.policy);
  return [peek(queue.props, "policy"), ...attached];
}

export const sqsQueueTlsOnly: StackValidationPolicy = {
  name: "sqs-queue-tls-only",
  description:
    'Checks whether every SQS queue, dead-letter queues included, has a policy statement denying `sqs:*` to `*` when `aws:SecureTransport` is "false" (the SQS form of Security Hub S3.5).',
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const queuePolicies = ofType(args.resources, TYPES.queuePolicy);
    for (const queue of ofType(args.resources, TYPES.queue)) {
      const statements = documentsOfQueue(queue, queuePolicies).flatMap(statementsOf);
      if (!statements.some((s) => isTlsOnlyDeny(s, "sqs"))) {
        report(
          `SQS queue \`${labelOf(queue)}\` does not deny requests without TLS: add an \`aws.sqs.QueuePolicy\` with {"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}.`,
          queue.urn,
        );
      }
    }
  },
};
