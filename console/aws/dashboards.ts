/** The stack's CloudWatch dashboard, for a link on the page: named by `--dashboard`, else found by the cluster's name prefix. */
import { CloudWatchClient, ListDashboardsCommand } from "@aws-sdk/client-cloudwatch";
import { paginate } from "./batch";

/**
 * The dashboard whose name starts with `prefix` (the first in name order when several do), or
 * undefined when none does: no link then, never a guessed one.
 */
export async function findDashboard(cloudwatch: CloudWatchClient, prefix: string): Promise<string | undefined> {
  const entries = await paginate("cloudwatch:ListDashboards", async (NextToken) => {
    const out = await cloudwatch.send(new ListDashboardsCommand({ DashboardNamePrefix: prefix, NextToken }));
    return { items: out.DashboardEntries, next: out.NextToken };
  });
  return entries
    .flatMap((e) => (e.DashboardName ? [e.DashboardName] : []))
    .sort()
    .at(0);
}

/** CloudWatch console link to a dashboard. */
export function dashboardUrl(region: string, name: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(name)}`;
}
