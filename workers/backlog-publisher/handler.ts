/**
 * Lambda entry point of the backlog publisher. A schedule invokes it once a minute; each invocation
 * publishes every `intervalSeconds` for `windowSeconds` (6 passes at 0, 10, …, 50 s by default), so
 * the metrics carry a point every 10 s while no process stays up between invocations.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SQSClient } from "@aws-sdk/client-sqs";
import { runPublisher, settingsFromEnv } from "./publisher";

/** What the handler uses of the Lambda context. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

/** Time kept free before the function's timeout for the last pass to finish. */
const FINISH_MARGIN_MS = 10_000;

export async function handler(_event: unknown, context: InvocationContext): Promise<{ passes: number; failedPasses: number }> {
  const settings = settingsFromEnv(process.env);
  // SDK clients read region, credentials and AWS_ENDPOINT_URL from the standard configuration.
  const clients = { sqs: new SQSClient({}), cloudwatch: new CloudWatchClient({}), ecs: settings.capacity ? new ECSClient({}) : undefined };
  const start = Date.now();
  const deadline = Math.min(start + settings.windowSeconds * 1000, start + context.getRemainingTimeInMillis() - FINISH_MARGIN_MS);
  let failedPasses = 0;
  try {
    const passes = await runPublisher(clients, {
      ...settings,
      intervalMs: settings.intervalSeconds * 1000,
      deadline,
      onPass: ({ result, error }) => {
        if (error) {
          failedPasses++;
          console.error(JSON.stringify({ msg: "backlog pass failed", error: error.message, name: error.name }));
        } else if (result && result.failed.length > 0) {
          console.warn(
            JSON.stringify({
              msg: "queues not read",
              queues: result.failed.map((f) => ({ queueUrl: f.queueUrl, error: f.error.message })),
            }),
          );
        }
      },
    });
    return { passes, failedPasses };
  } finally {
    clients.sqs.destroy();
    clients.cloudwatch.destroy();
    clients.ecs?.destroy();
  }
}
