/**
 * CloudWatch: an alarm that changes state tells someone (Security Hub CloudWatch.15) unless it is an
 * Auto Scaling action (its `alarmActions` then hold scaling policy ARNs, which count as actions), and
 * log groups expire their events (CloudWatch.16, CKV_AWS_66).
 */
import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { configWithDefaults, forType, matchesPattern } from "../support";
import { TYPES } from "../types";

type Props = Record<string, unknown>;

const alarmSchema: PolicyConfigSchema = {
  properties: {
    exemptAlarmNames: {
      type: "array",
      items: { type: "string" },
      default: [],
      description: "Alarm names or Pulumi names (`*` wildcards) that may have no action (alarms read only on a dashboard).",
    },
  },
};

export const alarmHasAction: ResourceValidationPolicy = {
  name: "cloudwatch-alarm-has-action",
  description:
    "Checks whether every CloudWatch metric alarm has its actions enabled and at least one `alarmActions` entry: a notification (SNS topic) or an Auto Scaling policy (Security Hub CloudWatch.15).",
  enforcementLevel: "mandatory",
  configSchema: alarmSchema,
  validateResource: forType<Props>(TYPES.metricAlarm, (props, args, report) => {
    const { exemptAlarmNames } = configWithDefaults<{ exemptAlarmNames: string[] }>(alarmSchema, args);
    const name = typeof props.name === "string" && props.name !== "" ? props.name : args.name;
    if (exemptAlarmNames.some((p) => matchesPattern(name, p) || matchesPattern(args.name, p))) return;
    if (props.actionsEnabled === false) {
      report(`CloudWatch alarm \`${name}\` sets \`actionsEnabled\` false: enable its actions, or delete the alarm.`);
      return;
    }
    const actions = Array.isArray(props.alarmActions) ? props.alarmActions : [];
    if (actions.length === 0) {
      report(
        `CloudWatch alarm \`${name}\` has no \`alarmActions\`: add the alerts SNS topic's ARN (or the scaling policy it drives), so a state change reaches someone.`,
      );
    }
  }),
};

const retentionSchema: PolicyConfigSchema = {
  properties: {
    minRetentionDays: {
      type: "integer",
      minimum: 1,
      default: 7,
      description: "Fewest days a log group keeps its events (Security Hub's CloudWatch.16 default is 365; CKV_AWS_338 asks 365).",
    },
  },
};

export const logGroupRetention: ResourceValidationPolicy = {
  name: "cloudwatch-log-group-retention",
  description:
    "Checks whether every CloudWatch log group sets `retentionInDays`, at least `minRetentionDays` (Security Hub CloudWatch.16, CKV_AWS_66, CKV_AWS_338).",
  enforcementLevel: "mandatory",
  configSchema: retentionSchema,
  validateResource: forType<Props>(TYPES.logGroup, (props, args, report) => {
    const { minRetentionDays } = configWithDefaults<{ minRetentionDays: number }>(retentionSchema, args);
    const name = typeof props.name === "string" && props.name !== "" ? props.name : args.name;
    const days = Number(props.retentionInDays ?? 0);
    if (days === 0) {
      report(`CloudWatch log group \`${name}\` keeps its events forever: set \`retentionInDays\` (at least ${minRetentionDays}).`);
    } else if (days < minRetentionDays) {
      report(`CloudWatch log group \`${name}\` sets \`retentionInDays\` ${days}, below ${minRetentionDays}: raise it.`);
    }
  }),
};
