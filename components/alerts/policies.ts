/**
 * The alert topic's resource policy and its key's policy, as pure functions of the account.
 *
 * Publishers are AWS services acting for this account only: CloudWatch (alarm actions) and
 * EventBridge (rule targets), each bound to this account's alarms or rules by the confused-deputy
 * keys `aws:SourceAccount` and `aws:SourceArn` (SNS Developer Guide, "Amazon SNS security best
 * practices"; CloudWatch User Guide, "Confused deputy prevention"). The topic is encrypted with a
 * customer managed key, and a service that publishes to an encrypted topic needs
 * `kms:GenerateDataKey*` and `kms:Decrypt` on the key (SNS Developer Guide, "Enable compatibility
 * between event sources from AWS services and encrypted topics"): AWS's managed `alias/aws/sns` key
 * cannot grant them, so the topic has a key of its own.
 */
import type { ResourcePolicy, ResourceStatement } from "../iam";
import { policyDocument } from "../iam";

/** The AWS services that publish alerts, and the resources (ARN patterns) they publish for. */
export interface AlertScope {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
}

export const ALERT_PUBLISHERS = {
  cloudwatch: "cloudwatch.amazonaws.com",
  events: "events.amazonaws.com",
} as const;

/** `aws:SourceArn` patterns: this account's alarms and rules in this region. */
export function publisherSourceArns(s: AlertScope): { cloudwatch: string; events: string } {
  return {
    cloudwatch: `arn:${s.partition}:cloudwatch:${s.region}:${s.accountId}:alarm:*`,
    events: `arn:${s.partition}:events:${s.region}:${s.accountId}:rule/*`,
  };
}

function publisherCondition(s: AlertScope, sourceArn: string): ResourceStatement["Condition"] {
  return { StringEquals: { "aws:SourceAccount": s.accountId }, ArnLike: { "aws:SourceArn": sourceArn } };
}

/** The topic policy: CloudWatch and EventBridge may publish for this account only; nobody over plain HTTP. */
export function topicPolicy(topicArn: string, s: AlertScope): ResourcePolicy {
  const arns = publisherSourceArns(s);
  return policyDocument<ResourceStatement>(
    {
      Sid: "CloudWatchAlarmsPublish",
      Effect: "Allow",
      Principal: { Service: ALERT_PUBLISHERS.cloudwatch },
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: publisherCondition(s, arns.cloudwatch),
    },
    {
      Sid: "EventBridgeRulesPublish",
      Effect: "Allow",
      Principal: { Service: ALERT_PUBLISHERS.events },
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: publisherCondition(s, arns.events),
    },
    {
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: "sns:Publish",
      Resource: topicArn,
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  );
}

/**
 * The topic key's policy: the account administers it (IAM policies then grant use, e.g. to whoever
 * publishes test messages), and CloudWatch and EventBridge may use it for this account's alarms and
 * rules. `Resource: "*"` in a key policy means this key (AWS KMS Developer Guide, "Key policies").
 */
export function topicKeyPolicy(s: AlertScope): ResourcePolicy {
  const arns = publisherSourceArns(s);
  const use = ["kms:GenerateDataKey*", "kms:Decrypt"];
  return policyDocument<ResourceStatement>(
    {
      Sid: "AccountAdministers",
      Effect: "Allow",
      Principal: { AWS: `arn:${s.partition}:iam::${s.accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "CloudWatchAlarmsEncrypt",
      Effect: "Allow",
      Principal: { Service: ALERT_PUBLISHERS.cloudwatch },
      Action: use,
      Resource: "*",
      Condition: publisherCondition(s, arns.cloudwatch),
    },
    {
      Sid: "EventBridgeRulesEncrypt",
      Effect: "Allow",
      Principal: { Service: ALERT_PUBLISHERS.events },
      Action: use,
      Resource: "*",
      Condition: publisherCondition(s, arns.events),
    },
  );
}

/** Trust policy of the role AWS Chatbot assumes (it reads nothing: notifications only). */
export function chatbotAssumeRolePolicy(accountId: string) {
  return policyDocument({
    Effect: "Allow" as const,
    Principal: { Service: "chatbot.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceAccount": accountId } },
  });
}
