/**
 * The worker's container definition, as a pure function of plain values (the component resolves
 * Outputs first). The container runs `jobworker run <worker>`: the image's entrypoint is `jobworker`.
 */
import { WORKER_ENV } from "../../catalog/contract";
import type { ResolvedOutputBinding, SecretRef } from "../../catalog/contract";
import type { AwsScope } from "./policies";
import { ecsSecretValueFrom } from "./policies";

/** Name of the task's scratch volume. */
export const SCRATCH_VOLUME = "scratch";

/**
 * Docker log options for the fluentd driver. `fluentd-async` makes the driver connect in the
 * background (a down fluentd never blocks container start); `mode: non-blocking` with a bounded
 * buffer means a slow fluentd drops log lines instead of blocking the worker's stdout writes; the
 * write timeout bounds a stuck connection, so container stop is never held up by logging.
 * (Docker docs: "Fluentd logging driver", "Configure logging drivers: delivery mode".)
 */
export function fluentdLogOptions(address: string, tag: string): Record<string, string> {
  return {
    "fluentd-address": address,
    "fluentd-async": "true",
    "fluentd-write-timeout": "5s",
    "fluentd-sub-second-precision": "true",
    mode: "non-blocking",
    "max-buffer-size": "4m",
    tag,
  };
}

export interface ContainerInputs {
  readonly worker: string;
  /** The worker kind the runtime loads (`jobworker run <kind>`). */
  readonly kind: string;
  readonly image: string;
  readonly cpu: number;
  readonly memory: number;
  readonly queueUrl: string;
  readonly outputs: Readonly<Record<string, ResolvedOutputBinding>>;
  readonly concurrency: number;
  readonly maxProcessingSeconds: number;
  readonly stopTimeoutSeconds: number;
  readonly shutdownSeconds: number;
  readonly scratchDir: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, SecretRef>>;
  readonly user: string;
  readonly readonlyRootFilesystem: boolean;
  readonly fluentdAddress: string;
  readonly scope: AwsScope;
  /** pino level. @default "info" */
  readonly logLevel?: string;
}

/** The container definitions of a worker's task definition (one container). */
export function containerDefinitions(i: ContainerInputs): Record<string, unknown>[] {
  const runtimeEnv: Record<string, string> = {
    [WORKER_ENV.worker]: i.kind,
    [WORKER_ENV.queueUrl]: i.queueUrl,
    [WORKER_ENV.outputs]: JSON.stringify(i.outputs),
    [WORKER_ENV.concurrency]: String(i.concurrency),
    [WORKER_ENV.maxProcessingSeconds]: String(i.maxProcessingSeconds),
    [WORKER_ENV.shutdownSeconds]: String(i.shutdownSeconds),
    [WORKER_ENV.scratchDir]: i.scratchDir,
    [WORKER_ENV.logLevel]: i.logLevel ?? "info",
    // Node and libraries write temporary files under TMPDIR; the root filesystem is read-only.
    TMPDIR: i.scratchDir,
    // The SDK for JavaScript v3 takes its region from the environment (it does not ask instance
    // metadata), and ECS does not set it for EC2-launched tasks.
    AWS_REGION: i.scope.region,
    AWS_DEFAULT_REGION: i.scope.region,
  };
  const environment = Object.entries({ ...i.environment, ...runtimeEnv })
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ name, value }));
  const secrets = Object.entries(i.secrets)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, ref]) => ({ name, valueFrom: ecsSecretValueFrom(ref, i.scope) }));
  return [
    {
      name: i.worker,
      image: i.image,
      essential: true,
      command: ["run", i.kind],
      cpu: i.cpu,
      memory: i.memory,
      user: i.user,
      readonlyRootFilesystem: i.readonlyRootFilesystem,
      stopTimeout: i.stopTimeoutSeconds,
      // tini as PID 1 forwards SIGTERM to the worker (Node as PID 1 ignores it) and reaps zombies.
      linuxParameters: { initProcessEnabled: true },
      environment,
      secrets,
      mountPoints: [{ sourceVolume: SCRATCH_VOLUME, containerPath: i.scratchDir, readOnly: false }],
      logConfiguration: { logDriver: "fluentd", options: fluentdLogOptions(i.fluentdAddress, `jobworker.${i.worker}`) },
    },
  ];
}
