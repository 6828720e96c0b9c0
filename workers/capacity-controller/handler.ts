/**
 * Lambda entry point of the capacity controller. A schedule invokes it once a minute; one run reads
 * the cluster and the fleet, decides (pure, `decide.ts`) and acts. Nothing stays up between runs.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { optionsFromEnv, runController } from "./controller";
import type { ControllerDecision } from "./decide";

export async function handler(): Promise<ControllerDecision> {
  const options = optionsFromEnv(process.env);
  // SDK clients read region, credentials and AWS_ENDPOINT_URL from the standard configuration.
  const clients = { ecs: new ECSClient({}), ec2: new EC2Client({}), cloudwatch: new CloudWatchClient({}) };
  try {
    const decision = await runController(clients, options);
    console.log(JSON.stringify({ msg: "capacity controller run", ...decision }));
    return decision;
  } finally {
    clients.ecs.destroy();
    clients.ec2.destroy();
    clients.cloudwatch.destroy();
  }
}
