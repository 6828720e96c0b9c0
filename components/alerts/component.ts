/**
 * `AlertTopic` (`jobworker:index:AlertTopic`): where a stack's alerts go. One SNS topic, encrypted
 * with a customer managed key whose policy lets CloudWatch and EventBridge use it, a topic policy
 * that lets only this account's alarms and rules publish (over TLS), the configured subscriptions,
 * and optionally AWS Chatbot channels (Slack, Teams).
 *
 * Every notifying alarm and event rule of the stack names `topicArn` in its alarm and OK actions
 * (or targets); a worker owned by another team may name that team's topic instead.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlertTopicArgs } from "./args";
import { validateAlertTopicArgs } from "./args";
import type { AlertScope } from "./policies";
import { chatbotAssumeRolePolicy, topicKeyPolicy, topicPolicy } from "./policies";

export class AlertTopic extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;
  readonly topicName: pulumi.Output<string>;
  /** The key the topic is encrypted with. */
  readonly kmsKeyArn: pulumi.Output<string>;

  constructor(name: string, args: AlertTopicArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    super("jobworker:index:AlertTopic", name, {}, opts);
    validateAlertTopicArgs(args);
    const subscriptions = args.subscriptions ?? [];
    const tags = { ...args.tags };
    const parent = { parent: this };

    const scope: pulumi.Output<AlertScope> = pulumi
      .all([
        aws.getCallerIdentityOutput({}, parent).accountId,
        aws.getRegionOutput({}, parent).region,
        aws.getPartitionOutput({}, parent).partition,
      ])
      .apply(([accountId, region, partition]) => ({ accountId, region, partition }));
    const kmsKeyArn =
      args.kmsKeyArn !== undefined
        ? pulumi.output(args.kmsKeyArn)
        : new aws.kms.Key(
            `${name}-key`,
            {
              description: "jobworker alerts: encrypts the alert topic (CloudWatch and EventBridge may use it to publish)",
              enableKeyRotation: true,
              deletionWindowInDays: 30,
              policy: scope.apply((s) => JSON.stringify(topicKeyPolicy(s))),
              tags,
            },
            parent,
          ).arn;
    const topic = new aws.sns.Topic(`${name}-topic`, { kmsMasterKeyId: kmsKeyArn, tags }, parent);
    new aws.sns.TopicPolicy(
      `${name}-topic-policy`,
      { arn: topic.arn, policy: pulumi.all([topic.arn, scope]).apply(([arn, s]) => JSON.stringify(topicPolicy(arn, s))) },
      parent,
    );
    subscriptions.forEach((s, i) => {
      new aws.sns.TopicSubscription(`${name}-${s.protocol}-${i}`, { topic: topic.arn, protocol: s.protocol, endpoint: s.endpoint }, parent);
    });
    if (args.chatbot?.slack || args.chatbot?.teams) this.createChatbot(name, args, topic.arn, scope, tags);

    this.topicArn = topic.arn;
    this.topicName = topic.name;
    this.kmsKeyArn = kmsKeyArn;
    this.registerOutputs({ topicArn: this.topicArn, topicName: this.topicName, kmsKeyArn: this.kmsKeyArn });
  }

  private createChatbot(
    name: string,
    args: AlertTopicArgs,
    topicArn: pulumi.Output<string>,
    scope: pulumi.Output<AlertScope>,
    tags: Record<string, string>,
  ): void {
    const parent = { parent: this };
    const role = new aws.iam.Role(
      `${name}-chatbot`,
      {
        description: "jobworker alerts: AWS Chatbot posts the alert topic's notifications",
        assumeRolePolicy: scope.apply((s) => JSON.stringify(chatbotAssumeRolePolicy(s.accountId))),
        tags,
      },
      parent,
    );
    // Guardrail: what a chat member may do through the channel is at most reading CloudWatch.
    const guardrail = scope.apply((s) => [`arn:${s.partition}:iam::aws:policy/CloudWatchReadOnlyAccess`]);
    const configurationName = `${pulumi.getProject()}-${pulumi.getStack()}-${name}`.slice(0, 128);
    const { slack, teams } = args.chatbot!;
    if (slack) {
      new aws.chatbot.SlackChannelConfiguration(
        `${name}-slack`,
        {
          configurationName,
          iamRoleArn: role.arn,
          slackTeamId: slack.workspaceId,
          slackChannelId: slack.channelId,
          snsTopicArns: [topicArn],
          guardrailPolicyArns: guardrail,
          tags,
        },
        parent,
      );
    }
    if (teams) {
      new aws.chatbot.TeamsChannelConfiguration(
        `${name}-teams`,
        {
          configurationName,
          iamRoleArn: role.arn,
          teamId: teams.teamId,
          channelId: teams.channelId,
          tenantId: teams.tenantId,
          snsTopicArns: [topicArn],
          guardrailPolicyArns: guardrail,
          tags,
        },
        parent,
      );
    }
  }
}
