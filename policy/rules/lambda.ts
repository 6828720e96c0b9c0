/**
 * Lambda functions run a runtime AWS still supports, judged against the dated table in
 * policy/lambda/runtimes.ts.
 *
 * The warning window: one policy has one enforcement level, so it cannot add a softer second message
 * for a runtime that is about to be deprecated. A runtime within `warnDaysBefore` days of its
 * deprecation date is reported like a deprecated one, at the policy's level (mandatory by default):
 * the move happens on the team's schedule, not on the day patches stop. `warnDaysBefore: 0` reports
 * only deprecated runtimes; the pack config can also make the policy advisory.
 */
import type { PolicyConfigSchema, ResourceValidationPolicy } from "@pulumi/policy";
import { LAMBDA_RUNTIMES_SOURCE, newestOfFamily, runtimeStatus, type LambdaRuntime } from "../lambda/runtimes";
import { configWithDefaults, forType } from "../support";
import { TYPES, type LambdaFunctionProps } from "../types";

const TABLE_FILE = "policy/lambda/runtimes.ts";

const runtimeSchema: PolicyConfigSchema = {
  properties: {
    asOf: {
      type: "string",
      pattern: "^(today|\\d{4}-\\d{2}-\\d{2})$",
      default: "today",
      description: 'The date (YYYY-MM-DD, UTC) runtimes are judged on; "today" for the day of the run.',
    },
    warnDaysBefore: {
      type: "integer",
      minimum: 0,
      default: 30,
      description: "Days before a runtime's deprecation date from which it is reported as if deprecated.",
    },
  },
};

/** `asOf` as a date: the configured one, or today's (UTC). */
export function asOfDate(asOf: string, now: Date = new Date()): string {
  return asOf === "today" ? now.toISOString().slice(0, 10) : asOf;
}

function blocks(dates: LambdaRuntime, asOf: string): string {
  const create = dates.blockCreate <= asOf ? `blocked since ${dates.blockCreate}` : `blocked from ${dates.blockCreate}`;
  const update = dates.blockUpdate <= asOf ? `blocked since ${dates.blockUpdate}` : `blocked from ${dates.blockUpdate}`;
  return `creating functions on it is ${create}, updating them ${update}`;
}

function move(runtime: string): string {
  const newest = newestOfFamily(runtime);
  return newest !== undefined && newest !== runtime
    ? `set \`runtime\` to a supported one such as \`${newest}\``
    : "set `runtime` to a supported one";
}

export const lambdaSupportedRuntime: ResourceValidationPolicy = {
  name: "lambda-supported-runtime",
  description: `Checks whether every Lambda function uses a runtime that AWS has not deprecated and will not deprecate within \`warnDaysBefore\` days, per the dated table in ${TABLE_FILE} (from the AWS Lambda "Lambda runtimes" page) (Security Hub Lambda.2, CKV_AWS_363).`,
  enforcementLevel: "mandatory",
  configSchema: runtimeSchema,
  validateResource: forType<LambdaFunctionProps>(TYPES.lambdaFunction, (props, args, report) => {
    const runtime = props.runtime;
    // A container image function brings its own runtime; Lambda does not deprecate it.
    if (props.packageType === "Image" || runtime === undefined || runtime === "") return;
    const config = configWithDefaults<{ asOf: string; warnDaysBefore: number }>(runtimeSchema, args);
    const asOf = asOfDate(config.asOf);
    const where = `Lambda function \`${props.name ?? args.name}\``;
    const status = runtimeStatus(runtime, asOf, config.warnDaysBefore);
    switch (status.status) {
      case "supported":
        return;
      case "unknown":
        report(
          `${where} uses runtime \`${runtime}\`, which is not in the runtime table (${TABLE_FILE}): if Lambda supports it, add it with its deprecation and block dates from ${LAMBDA_RUNTIMES_SOURCE.url}; else ${move(runtime)}.`,
        );
        return;
      case "deprecated":
        report(
          `${where} uses runtime \`${runtime}\`, deprecated since ${status.dates.deprecation} (no security patches; ${blocks(status.dates, asOf)}): ${move(runtime)}.`,
        );
        return;
      case "deprecating":
        report(
          `${where} uses runtime \`${runtime}\`, deprecated on ${status.dates.deprecation}, in ${status.daysLeft} day(s) (within \`warnDaysBefore\` ${config.warnDaysBefore}): ${move(runtime)} before then.`,
        );
        return;
    }
  }),
};
