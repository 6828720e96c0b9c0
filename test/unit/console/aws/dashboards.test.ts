import assert from "node:assert/strict";
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { dashboardUrl, findDashboard } from "../../../../console/aws/dashboards";
import { stubClient } from "./stub-client";

describe("console/aws/dashboards", () => {
  it("finds the first dashboard, in name order, whose name starts with the prefix, over every page", async () => {
    const { client, sent } = stubClient<CloudWatchClient>((call) =>
      call.input.NextToken === undefined
        ? { DashboardEntries: [{ DashboardName: "main-z" }], NextToken: "n" }
        : { DashboardEntries: [{ DashboardName: "main-overview" }] },
    );
    assert.equal(await findDashboard(client, "main"), "main-overview");
    assert.deepEqual(
      sent.map((c) => [c.name, c.input.DashboardNamePrefix]),
      [
        ["ListDashboardsCommand", "main"],
        ["ListDashboardsCommand", "main"],
      ],
    );
  });

  it("finds none when no dashboard has the prefix: no link", async () => {
    const { client } = stubClient<CloudWatchClient>(() => ({ DashboardEntries: [] }));
    assert.equal(await findDashboard(client, "main"), undefined);
  });

  it("links to the dashboard in the CloudWatch console of its region", () => {
    assert.equal(
      dashboardUrl("eu-west-1", "jobworker prod"),
      "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/jobworker%20prod",
    );
  });
});
