/**
 * Lambda's managed runtimes and their deprecation dates, as data: the "Supported runtimes" and
 * "Deprecated runtimes" tables of the AWS Lambda Developer Guide, "Lambda runtimes"
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html), with the dates the page gave
 * in October 2026.
 *
 * On the deprecation date Lambda stops patching the runtime; from "block function create" no new
 * function may use it, from "block function update" no existing one may be changed. AWS moves the
 * block dates (it postponed most of them to 2027 in 2026): when the page changes, change this table
 * and its date. A runtime missing here is refused by `lambda-supported-runtime` until it is added.
 */

export const LAMBDA_RUNTIMES_SOURCE = {
  url: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
  /** The version of the page the dates come from (year-month). */
  asPublished: "2026-10",
} as const;

export interface LambdaRuntime {
  /** Deprecation date, `YYYY-MM-DD`: no more security patches or support. */
  readonly deprecation: string;
  /** From this date functions cannot be created with the runtime. */
  readonly blockCreate: string;
  /** From this date functions with the runtime cannot be updated. */
  readonly blockUpdate: string;
}

/** Runtime identifier → dates. Newest first within each language. */
export const LAMBDA_RUNTIMES: Readonly<Record<string, LambdaRuntime>> = {
  "nodejs24.x": { deprecation: "2028-04-30", blockCreate: "2028-06-01", blockUpdate: "2028-07-01" },
  "nodejs22.x": { deprecation: "2027-04-30", blockCreate: "2027-06-01", blockUpdate: "2027-07-01" },
  "nodejs20.x": { deprecation: "2026-04-30", blockCreate: "2027-07-29", blockUpdate: "2027-08-31" },
  "nodejs18.x": { deprecation: "2025-09-01", blockCreate: "2027-07-29", blockUpdate: "2027-08-31" },
  "nodejs16.x": { deprecation: "2024-06-12", blockCreate: "2027-07-29", blockUpdate: "2027-08-31" },
  "nodejs14.x": { deprecation: "2023-12-04", blockCreate: "2024-01-09", blockUpdate: "2027-08-31" },
  "nodejs12.x": { deprecation: "2023-03-31", blockCreate: "2023-03-31", blockUpdate: "2023-04-30" },
  "nodejs10.x": { deprecation: "2021-07-30", blockCreate: "2021-07-30", blockUpdate: "2022-02-14" },
  "python3.14": { deprecation: "2029-06-30", blockCreate: "2029-07-31", blockUpdate: "2029-08-31" },
  "python3.13": { deprecation: "2029-06-30", blockCreate: "2029-07-31", blockUpdate: "2029-08-31" },
  "python3.12": { deprecation: "2028-10-31", blockCreate: "2028-11-30", blockUpdate: "2029-01-10" },
  "python3.11": { deprecation: "2027-06-30", blockCreate: "2027-07-29", blockUpdate: "2027-08-31" },
  "python3.10": { deprecation: "2026-10-31", blockCreate: "2027-07-29", blockUpdate: "2027-08-31" },
  "python3.9": { deprecation: "2025-12-15", blockCreate: "2027-07-29", blockUpdate: "2027-08-31" },
  "python3.8": { deprecation: "2024-10-14", blockCreate: "2027-07-29", blockUpdate: "2027-08-31" },
  "python3.7": { deprecation: "2023-12-04", blockCreate: "2024-01-09", blockUpdate: "2027-08-31" },
  "python3.6": { deprecation: "2022-07-18", blockCreate: "2022-07-18", blockUpdate: "2022-08-29" },
  java25: { deprecation: "2029-06-30", blockCreate: "2029-07-31", blockUpdate: "2029-08-31" },
  java21: { deprecation: "2029-06-30", blockCreate: "2029-07-31", blockUpdate: "2029-08-31" },
  java17: { deprecation: "2027-06-30", blockCreate: "2027-07-29", blockUpdate: "2027-08-31" },
  java11: { deprecation: "2027-06-30", blockCreate: "2027-07-29", blockUpdate: "2027-08-31" },
  "java8.al2": { deprecation: "2027-06-30", blockCreate: "2027-07-29", blockUpdate: "2027-08-31" },
  java8: { deprecation: "2024-01-08", blockCreate: "2024-02-08", blockUpdate: "2027-08-31" },
  dotnet10: { deprecation: "2028-11-14", blockCreate: "2028-12-14", blockUpdate: "2029-01-15" },
  dotnet8: { deprecation: "2026-11-10", blockCreate: "2027-07-29", blockUpdate: "2027-08-31" },
  dotnet6: { deprecation: "2024-12-20", blockCreate: "2027-07-29", blockUpdate: "2027-08-31" },
  "dotnetcore3.1": { deprecation: "2023-04-03", blockCreate: "2023-04-03", blockUpdate: "2023-05-03" },
  "ruby3.4": { deprecation: "2028-03-31", blockCreate: "2028-04-30", blockUpdate: "2028-05-31" },
  "ruby3.3": { deprecation: "2027-03-31", blockCreate: "2027-07-29", blockUpdate: "2027-08-31" },
  "ruby3.2": { deprecation: "2026-03-31", blockCreate: "2027-07-29", blockUpdate: "2027-08-31" },
  "ruby2.7": { deprecation: "2023-12-07", blockCreate: "2024-01-09", blockUpdate: "2025-02-28" },
  "provided.al2023": { deprecation: "2029-06-30", blockCreate: "2029-07-31", blockUpdate: "2029-08-31" },
  "provided.al2": { deprecation: "2026-07-31", blockCreate: "2027-07-29", blockUpdate: "2027-08-31" },
  provided: { deprecation: "2024-01-08", blockCreate: "2024-02-08", blockUpdate: "2027-08-31" },
  "go1.x": { deprecation: "2024-01-08", blockCreate: "2024-02-08", blockUpdate: "2027-08-31" },
};

/** `nodejs22.x` → `nodejs`; `provided.al2023` → `provided`; `java8.al2` → `java`. */
export function runtimeFamily(identifier: string): string {
  return /^[a-z]+/.exec(identifier)?.[0] ?? identifier;
}

export type RuntimeStatus =
  | { readonly status: "supported"; readonly dates: LambdaRuntime }
  | { readonly status: "deprecating"; readonly dates: LambdaRuntime; readonly daysLeft: number }
  | { readonly status: "deprecated"; readonly dates: LambdaRuntime }
  | { readonly status: "unknown" };

const DAY_MS = 86_400_000;

/** Whole days from `from` to `to` (`YYYY-MM-DD`, UTC). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/**
 * Where a runtime stands on `asOf`: deprecated from its deprecation date on; deprecating within
 * `warnDaysBefore` days before it; else supported.
 */
export function runtimeStatus(identifier: string, asOf: string, warnDaysBefore: number, table = LAMBDA_RUNTIMES): RuntimeStatus {
  const dates = Object.prototype.hasOwnProperty.call(table, identifier) ? table[identifier] : undefined;
  if (!dates) return { status: "unknown" };
  const daysLeft = daysBetween(asOf, dates.deprecation);
  if (daysLeft <= 0) return { status: "deprecated", dates };
  if (daysLeft <= warnDaysBefore) return { status: "deprecating", dates, daysLeft };
  return { status: "supported", dates };
}

/** The runtime of the same language that stays supported longest, to suggest as the move. */
export function newestOfFamily(identifier: string, table = LAMBDA_RUNTIMES): string | undefined {
  const family = runtimeFamily(identifier);
  return Object.entries(table)
    .filter(([id]) => runtimeFamily(id) === family)
    .sort(([, a], [, b]) => b.deprecation.localeCompare(a.deprecation))[0]?.[0];
}
