/**
 * The AWS clients `jobworker smoke` works through, created once at the edge (`console/smoke/index.ts`)
 * from the standard SDK settings (region, credentials chain, `AWS_ENDPOINT_URL`) and passed in, so
 * tests hand in clients pointed at moto server.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ECSClient } from "@aws-sdk/client-ecs";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { ClientSettings } from "../aws/clients";

export interface SmokeClients {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly cloudwatch: CloudWatchClient;
  readonly ecs: ECSClient;
}

export interface SmokeClientSettings extends ClientSettings {
  /** Path-style S3 addressing, what emulators on loopback need. @default false */
  readonly forcePathStyle?: boolean;
}

export function createSmokeClients(settings: SmokeClientSettings = {}): SmokeClients {
  const config = {
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.credentials ? { credentials: settings.credentials } : {}),
    maxAttempts: settings.maxAttempts ?? 3,
  };
  return {
    s3: new S3Client({ ...config, forcePathStyle: settings.forcePathStyle ?? false }),
    sqs: new SQSClient(config),
    cloudwatch: new CloudWatchClient(config),
    ecs: new ECSClient(config),
  };
}

export function destroySmokeClients(clients: SmokeClients): void {
  clients.s3.destroy();
  clients.sqs.destroy();
  clients.cloudwatch.destroy();
  clients.ecs.destroy();
}
