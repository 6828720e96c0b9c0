import assert from "node:assert/strict";
import { LAMBDA_RUNTIMES, LAMBDA_RUNTIMES_SOURCE, runtimeStatus } from "../../../policy/lambda/runtimes";
import { asOfDate, lambdaSupportedRuntime } from "../../../policy/rules/lambda";
import { lambdaFunction, policyTable } from "../fixtures";

/** The day this table was written: results do not move with the calendar. */
const asOf = (date: string, warnDaysBefore?: number) => ({
  "lambda-supported-runtime": { asOf: date, ...(warnDaysBefore === undefined ? {} : { warnDaysBefore }) },
});
const TODAY = asOf("2026-11-29");

describe("policy lambda-supported-runtime", () => {
  policyTable(lambdaSupportedRuntime, [
    {
      title: "a supported runtime passes (the backlog publisher's nodejs24.x)",
      resources: [lambdaFunction()],
      config: TODAY,
      expected: [],
    },
    {
      title: "a deprecated runtime, still deployable",
      resources: [lambdaFunction({ runtime: "nodejs20.x" })],
      config: TODAY,
      expected: [
        /^Lambda function `backlog-function` uses runtime `nodejs20\.x`, deprecated since 2026-04-30 \(no security patches; creating functions on it is blocked from 2027-07-29, updating them blocked from 2027-08-31\): set `runtime` to a supported one such as `nodejs24\.x`\.$/,
      ],
    },
    {
      title: "a deprecated runtime past its block dates",
      resources: [lambdaFunction({ runtime: "python3.6" })],
      config: TODAY,
      expected: [
        /uses runtime `python3\.6`, deprecated since 2022-07-18 \(no security patches; creating functions on it is blocked since 2022-07-18, updating them blocked since 2022-08-29\): set `runtime` to a supported one such as `python3\.14`\.$/,
      ],
    },
    {
      title: "a runtime missing from the table names the table to update",
      resources: [lambdaFunction({ runtime: "nodejs26.x" })],
      config: TODAY,
      expected: [
        /^Lambda function `backlog-function` uses runtime `nodejs26\.x`, which is not in the runtime table \(policy\/lambda\/runtimes\.ts\): if Lambda supports it, add it with its deprecation and block dates from https:\/\/docs\.aws\.amazon\.com\/lambda\/latest\/dg\/lambda-runtimes\.html; else set `runtime` to a supported one such as `nodejs24\.x`\.$/,
      ],
    },
    {
      title: "a runtime inside the warn window (20 days before nodejs22.x's deprecation)",
      resources: [lambdaFunction({ runtime: "nodejs22.x" })],
      config: asOf("2027-04-10"),
      expected: [
        /^Lambda function `backlog-function` uses runtime `nodejs22\.x`, deprecated on 2027-04-30, in 20 day\(s\) \(within `warnDaysBefore` 30\): set `runtime` to a supported one such as `nodejs24\.x` before then\.$/,
      ],
    },
    {
      title: "the same runtime a day before the window (31 days left)",
      resources: [lambdaFunction({ runtime: "nodejs22.x" })],
      config: asOf("2027-03-30"),
      expected: [],
    },
    {
      title: "a window of 0 days reports only deprecated runtimes",
      resources: [lambdaFunction({ runtime: "nodejs22.x" })],
      config: asOf("2027-04-10", 0),
      expected: [],
    },
    {
      title: "the deprecation day itself counts as deprecated",
      resources: [lambdaFunction({ runtime: "nodejs22.x" })],
      config: asOf("2027-04-30", 0),
      expected: [/uses runtime `nodejs22\.x`, deprecated since 2027-04-30/],
    },
    {
      title: "a container image function has no managed runtime to judge",
      resources: [lambdaFunction({ runtime: undefined, packageType: "Image" })],
      config: TODAY,
      expected: [],
    },
  ]);

  it("judges `today` by the UTC date of the run", () => {
    assert.equal(asOfDate("today", new Date("2026-11-29T23:30:00Z")), "2026-11-29");
    assert.equal(asOfDate("2027-01-02"), "2027-01-02");
    assert.equal(lambdaSupportedRuntime.configSchema?.properties.asOf.default, "today");
  });
});

describe("the Lambda runtime table", () => {
  it("cites the AWS page and holds well-ordered dates for every runtime", () => {
    assert.equal(LAMBDA_RUNTIMES_SOURCE.url, "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html");
    for (const [runtime, dates] of Object.entries(LAMBDA_RUNTIMES)) {
      for (const date of Object.values(dates)) assert.match(date, /^\d{4}-\d{2}-\d{2}$/, runtime);
      assert.ok(dates.deprecation <= dates.blockCreate && dates.blockCreate <= dates.blockUpdate, `${runtime}: ${JSON.stringify(dates)}`);
    }
  });

  it("knows the runtimes this program uses and the dates the issue states", () => {
    assert.deepEqual(runtimeStatus("nodejs24.x", "2026-11-29", 30).status, "supported");
    assert.equal(LAMBDA_RUNTIMES["nodejs20.x"].deprecation, "2026-04-30");
    assert.deepEqual(runtimeStatus("toString", "2026-11-29", 30), { status: "unknown" }, "no prototype keys");
  });
});
