/**
 * Arguments of the `AlertTopic` (where a stack's alerts go) and their defaults.
 */
import type * as pulumi from "@pulumi/pulumi";

/** One subscription of the topic, as SNS's `Subscribe` takes it. */
export type AlertSubscription =
  /** An address; SNS sends a confirmation mail first (the subscription is pending until it is confirmed). */
  | { readonly protocol: "email"; readonly endpoint: string }
  /** A webhook (PagerDuty, Opsgenie, …); SNS confirms it with a POST first. */
  | { readonly protocol: "https"; readonly endpoint: string }
  /** A queue ARN; the queue's policy must let `sns.amazonaws.com` send from this topic. */
  | { readonly protocol: "sqs"; readonly endpoint: string }
  /** A function ARN; the function's resource policy must let `sns.amazonaws.com` invoke it from this topic. */
  | { readonly protocol: "lambda"; readonly endpoint: string };

/** AWS Chatbot channels that post every notification of the topic. */
export interface ChatbotChannels {
  /** Slack: the workspace (team) id `T…` authorised in the Chatbot console, and the channel id `C…`. */
  readonly slack?: { readonly workspaceId: string; readonly channelId: string };
  /** Microsoft Teams: the team, channel and tenant ids authorised in the Chatbot console. */
  readonly teams?: { readonly teamId: string; readonly channelId: string; readonly tenantId: string };
}

export interface AlertTopicArgs {
  /** Who is told. @default [] (a topic nobody reads: the program warns on prod) */
  readonly subscriptions?: readonly AlertSubscription[];
  /** Slack or Teams through AWS Chatbot. @default none */
  readonly chatbot?: ChatbotChannels;
  /**
   * A customer managed key to encrypt the topic with; its policy must let `cloudwatch.amazonaws.com`
   * and `events.amazonaws.com` use it (`topicKeyPolicy` renders such a policy).
   * @default a new key with yearly rotation and that policy
   */
  readonly kmsKeyArn?: pulumi.Input<string>;
  /** @default {} */
  readonly tags?: Readonly<Record<string, string>>;
}

export class AlertTopicArgsError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`AlertTopic: \`${field}\` ${detail}`);
    this.name = "AlertTopicArgsError";
  }
}

/** The endpoint each protocol accepts (SNS refuses the rest only at deploy). */
export const SUBSCRIPTION_ENDPOINTS: Readonly<Record<AlertSubscription["protocol"], { pattern: RegExp; expected: string }>> = {
  email: { pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/, expected: "an e-mail address, e.g. oncall@example.com" },
  https: { pattern: /^https:\/\/[^\s/]+(\/\S*)?$/, expected: "an https:// URL (SNS posts the notification to it)" },
  sqs: { pattern: /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+(\.fifo)?$/, expected: "an SQS queue ARN" },
  lambda: {
    pattern: /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/,
    expected: "a Lambda function ARN",
  },
};

/** Checks every subscription's endpoint against its protocol; the error names `subscriptions[i].endpoint`. */
export function validateAlertTopicArgs(args: AlertTopicArgs): void {
  (args.subscriptions ?? []).forEach((s, i) => {
    const rule = SUBSCRIPTION_ENDPOINTS[s.protocol];
    if (!rule)
      throw new AlertTopicArgsError(`subscriptions[${i}].protocol`, `is \`${String(s.protocol)}\`; use email, https, sqs or lambda.`);
    if (!rule.pattern.test(s.endpoint)) {
      throw new AlertTopicArgsError(
        `subscriptions[${i}].endpoint`,
        `is \`${s.endpoint}\`; a ${s.protocol} subscription takes ${rule.expected}.`,
      );
    }
  });
}
