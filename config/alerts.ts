/**
 * `jobworker:alerts`: where the stack's alerts go and the thresholds of its alarms, typed and checked
 * when the program starts. Every error names the key (`jobworker:alerts.subscriptions[0].endpoint`),
 * the value and the fix. A prod stack whose topic has no subscriber is a warning naming the key:
 * alarms would fire into a topic nobody reads.
 *
 * ```yaml
 * jobworker:alerts:
 *   subscriptions:
 *     - { protocol: email, endpoint: oncall@example.com }
 *     - { protocol: https, endpoint: https://events.pagerduty.com/integration/<key>/enqueue }
 *   chatbot: { slack: { workspaceId: T0123, channelId: C0123 } }
 *   logAlarms: { errorLines: 10, failedDeliveries: 0 }
 *   alarms: { fleetBelowTargetMinutes: 15, spotInterruptionsPerHour: 10, taskPendingMinutes: 10, publisherStalledMinutes: 5 }
 * ```
 */
import { z } from "zod";
import type { AlertTopicArgs } from "../components/alerts/args";
import { SUBSCRIPTION_ENDPOINTS } from "../components/alerts/args";
import type { LogAlarmThresholds } from "../components/alerts/log-alerts";
import type { PlatformAlarmSettings } from "../components/alerts/platform-alarms";
import type { ConfigReader } from "./cluster";
import { configKey, StackConfigError } from "./errors";
import { issueToError } from "./zod-issues";

export const ALERTS_KEY = "alerts";

const count = (unit: string) =>
  z
    .number({ error: `expected a whole number of ${unit}` })
    .int(`expected a whole number of ${unit}`)
    .min(0, `expected 0 or more ${unit}`);
const minutes = z
  .number({ error: "expected a whole number of minutes" })
  .int("expected a whole number of minutes")
  .min(1, "expected at least 1 minute")
  .max(1440, "expected at most 1440 minutes (a day)");

const subscriptionSchema = z
  .strictObject({
    protocol: z.enum(["email", "https", "sqs", "lambda"], { error: "expected one of email, https, sqs, lambda" }),
    endpoint: z.string(),
  })
  .superRefine((s, ctx) => {
    const rule = SUBSCRIPTION_ENDPOINTS[s.protocol];
    if (!rule.pattern.test(s.endpoint))
      ctx.addIssue({ code: "custom", path: ["endpoint"], message: `expected ${rule.expected} for a ${s.protocol} subscription` });
  });

/** Log alarm thresholds: alarm when a worker logs more than this many lines in 5 minutes. */
export const logAlarmsSchema = z.strictObject({ errorLines: count("lines").optional(), failedDeliveries: count("deliveries").optional() });

export const alertsSchema = z.strictObject({
  subscriptions: z.array(subscriptionSchema).default([]),
  chatbot: z
    .strictObject({
      slack: z
        .strictObject({
          workspaceId: z.string().regex(/^[A-Z0-9]+$/, "expected a Slack workspace id like T0123ABCD"),
          channelId: z.string().regex(/^[A-Z0-9]+$/, "expected a Slack channel id like C0123ABCD"),
        })
        .optional(),
      teams: z
        .strictObject({
          teamId: z.string().uuid("expected the team's id (a UUID)"),
          channelId: z.string().min(1),
          tenantId: z.string().uuid("expected the tenant's id (a UUID)"),
        })
        .optional(),
    })
    .optional(),
  /** A customer managed key for the topic (its policy must let CloudWatch and EventBridge use it). */
  kmsKeyArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/, "expected a KMS key ARN")
    .optional(),
  logAlarms: logAlarmsSchema.optional(),
  alarms: z
    .strictObject({
      fleetBelowTargetMinutes: minutes.optional(),
      spotInterruptionsPerHour: count("warnings").optional(),
      taskPendingMinutes: minutes.optional(),
      publisherStalledMinutes: minutes.optional(),
    })
    .optional(),
});

export interface AlertsConfig {
  readonly topic: AlertTopicArgs;
  readonly logAlarms: Partial<LogAlarmThresholds>;
  readonly alarms: Partial<PlatformAlarmSettings>;
  /** Problems that do not stop the program (`pulumi.log.warn` them). */
  readonly warnings: readonly string[];
}

/** Stacks whose alerts must reach someone. */
export const PAGING_STACKS: readonly string[] = ["prod"];

/** Parses `jobworker:alerts` (absent = no subscriptions, default thresholds); throws `StackConfigError`. */
export function parseAlertsConfig(namespace: string, stack: string, raw: unknown): AlertsConfig {
  const parsed = alertsSchema.safeParse(raw ?? {});
  if (!parsed.success) throw issueToError(namespace, ALERTS_KEY, raw, parsed.error.issues[0], "docs/alerts.md");
  const a = parsed.data;
  const chatbot = a.chatbot?.slack || a.chatbot?.teams ? a.chatbot : undefined;
  const warnings: string[] = [];
  if (PAGING_STACKS.includes(stack) && a.subscriptions.length === 0 && chatbot === undefined) {
    warnings.push(
      `stack config \`${configKey(namespace, ALERTS_KEY, ["subscriptions"])}\`: the ${stack} stack's alert topic has no subscriber, so its alarms notify nobody; add e.g. \`- { protocol: email, endpoint: oncall@example.com }\` (docs/alerts.md).`,
    );
  }
  return {
    topic: { subscriptions: a.subscriptions, chatbot, kmsKeyArn: a.kmsKeyArn },
    logAlarms: a.logAlarms ?? {},
    alarms: a.alarms ?? {},
    warnings,
  };
}

/** Reads `jobworker:alerts` from the stack configuration. */
export function loadAlertsConfig(cfg: ConfigReader, stack: string): AlertsConfig {
  const raw = cfg.get(ALERTS_KEY);
  if (raw === undefined) return parseAlertsConfig(cfg.name, stack, undefined);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new StackConfigError(
      configKey(cfg.name, ALERTS_KEY),
      `expected an object of alert settings (structured YAML in the stack file)`,
      { cause: err },
    );
  }
  return parseAlertsConfig(cfg.name, stack, value);
}
