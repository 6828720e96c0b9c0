/**
 * The AWS clients the console reads and acts through. Created once at the edge (`console/index.ts`)
 * from the standard SDK settings — region, credentials chain, `AWS_ENDPOINT_URL` — and passed in
 * everywhere else, so tests hand in clients pointed at moto server.
 */
import { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { EC2Client } from "@aws-sdk/client-ec2";
import { ECSClient } from "@aws-sdk/client-ecs";
import { SQSClient } from "@aws-sdk/client-sqs";
import { AWS_CALLS_IN_FLIGHT, CallLimiter, limitCalls } from "./limiter";

export interface ConsoleClients {
  readonly ecs: ECSClient;
  readonly sqs: SQSClient;
  readonly cloudwatch: CloudWatchClient;
  readonly ec2: EC2Client;
  /** App Auto Scaling: each worker's scalable target (`maxTasks`). */
  readonly autoscaling: ApplicationAutoScalingClient;
  /** The one limit every call of these clients goes through (absent on hand-made test clients). */
  readonly limiter?: CallLimiter;
}

/** Client settings on top of the SDK's own resolution (env, shared config, instance role). */
export interface ClientSettings {
  /** @default the SDK's region resolution (`AWS_REGION`, profile) */
  readonly region?: string;
  /** @default the SDK's resolution (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`) */
  readonly endpoint?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * Attempts per call, including the first; the SDK's standard retry mode backs off on throttling.
   * @default 3
   */
  readonly maxAttempts?: number;
  /** AWS calls in flight at once, across all the clients. @default 4 (`AWS_CALLS_IN_FLIGHT`) */
  readonly callsInFlight?: number;
}

export function createClients(settings: ClientSettings = {}): ConsoleClients {
  const config = {
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    maxAttempts: settings.maxAttempts ?? 3,
  };
  const limiter = new CallLimiter(settings.callsInFlight ?? AWS_CALLS_IN_FLIGHT);
  const clients = {
    ecs: new ECSClient(config),
    sqs: new SQSClient(config),
    cloudwatch: new CloudWatchClient(config),
    ec2: new EC2Client(config),
    autoscaling: new ApplicationAutoScalingClient(config),
  };
  for (const client of Object.values(clients)) limitCalls(client, limiter);
  return { ...clients, limiter };
}

export function destroyClients(clients: ConsoleClients): void {
  clients.ecs.destroy();
  clients.sqs.destroy();
  clients.cloudwatch.destroy();
  clients.ec2.destroy();
  clients.autoscaling.destroy();
}
