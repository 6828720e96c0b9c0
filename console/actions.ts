/**
 * The console's actions: stop one task, stop all tasks of a service, set a service's desired count,
 * redrive a DLQ back to its source queue, deregister a stale container instance. Each is refused
 * in read-only mode (the default), needs an explicit confirmation, and is logged whatever its outcome.
 */
import {
  DeregisterContainerInstanceCommand,
  DescribeContainerInstancesCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { StartMessageMoveTaskCommand } from "@aws-sdk/client-sqs";
import { mapLimit } from "./aws/batch";
import { ConsoleClients } from "./aws/clients";
import { describeInstanceStates } from "./aws/ec2";
import { PARALLEL_CALLS } from "./aws/ecs";
import { containerInstanceInfo } from "./cluster";
import { Collector } from "./collect";
import { ActionFailedError, ActionRefusedError, NotFoundError } from "./errors";

export const ACTION_NAMES = ["stop-task", "stop-service-tasks", "set-desired-count", "redrive-dlq", "deregister-instance"] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

export type ActionRequest =
  | { readonly action: "stop-task"; readonly service: string; readonly taskArn: string }
  | { readonly action: "stop-service-tasks"; readonly service: string }
  | { readonly action: "set-desired-count"; readonly service: string; readonly desiredCount: number }
  | { readonly action: "redrive-dlq"; readonly service: string }
  | { readonly action: "deregister-instance"; readonly containerInstanceArn: string };

export interface ActionResult {
  readonly action: ActionName;
  /** One line for the UI. */
  readonly message: string;
  /** Ids of what was changed (task ARNs, the service, the move task handle). */
  readonly changed: readonly string[];
}

/** Largest desired count the console will set: a typo guard, far above any worker's autoscaling max. */
export const MAX_DESIRED_COUNT = 1000;

/** One structured log line per action. */
export type ActionLog = (entry: Readonly<Record<string, unknown>>) => void;

export const stderrLog: ActionLog = (entry) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
};

function field(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== "string" || value.trim() === "") {
    throw new ActionRefusedError(`\`${name}\` must be a non-empty string, got ${JSON.stringify(value)}`, 400, { field: name });
  }
  return value;
}

/**
 * Validates an action request body: `{ action, confirm: true, ...target }`. The confirmation is the
 * UI's dialog answered yes; a request without it (a stray script, a replayed call) is refused.
 */
export function parseActionRequest(action: string, body: unknown): ActionRequest {
  if (!(ACTION_NAMES as readonly string[]).includes(action)) {
    throw new ActionRefusedError(`unknown action \`${action}\`; expected one of ${ACTION_NAMES.join(", ")}`, 400, { action });
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ActionRefusedError(`the body of \`${action}\` must be a JSON object`, 400, { action });
  }
  const b = body as Record<string, unknown>;
  if (b.confirm !== true) {
    throw new ActionRefusedError(
      `\`confirm\` must be true to run \`${action}\` (got ${JSON.stringify(b.confirm)}); confirm the action in the console`,
      400,
      { action },
    );
  }
  switch (action as ActionName) {
    case "stop-task":
      return { action: "stop-task", service: field(b, "service"), taskArn: field(b, "taskArn") };
    case "stop-service-tasks":
      return { action: "stop-service-tasks", service: field(b, "service") };
    case "redrive-dlq":
      return { action: "redrive-dlq", service: field(b, "service") };
    case "deregister-instance":
      return { action: "deregister-instance", containerInstanceArn: field(b, "containerInstanceArn") };
    case "set-desired-count": {
      const n = b.desiredCount;
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > MAX_DESIRED_COUNT) {
        throw new ActionRefusedError(`\`desiredCount\` must be an integer from 0 to ${MAX_DESIRED_COUNT}, got ${JSON.stringify(n)}`, 400, {
          field: "desiredCount",
        });
      }
      return { action: "set-desired-count", service: field(b, "service"), desiredCount: n };
    }
  }
}

export interface ActionsOptions {
  /** Actions run only when true (`--allow-actions`). @default false */
  readonly allowActions?: boolean;
  /** @default JSON lines on stderr */
  readonly log?: ActionLog;
}

export class Actions {
  readonly allowActions: boolean;
  private readonly log: ActionLog;

  constructor(
    private readonly clients: ConsoleClients,
    private readonly collector: Collector,
    options: ActionsOptions = {},
  ) {
    this.allowActions = options.allowActions ?? false;
    this.log = options.log ?? stderrLog;
  }

  /** Runs a validated request; `requester` (e.g. the client address) goes into the log line. */
  async run(request: ActionRequest, requester: string): Promise<ActionResult> {
    const target = "service" in request ? request.service : request.containerInstanceArn;
    const base = { event: "console-action", action: request.action, target, cluster: this.collector.cluster, requester };
    if (!this.allowActions) {
      this.log({ ...base, outcome: "refused", reason: "read-only" });
      throw new ActionRefusedError(
        `read-only mode: \`${request.action}\` was refused. Restart the console with --allow-actions to enable actions.`,
        403,
        { action: request.action, target },
      );
    }
    try {
      const result = await this.dispatch(request);
      this.log({ ...base, outcome: "done", changed: result.changed });
      return result;
    } catch (err) {
      this.log({ ...base, outcome: "failed", error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
      throw err;
    }
  }

  private async dispatch(request: ActionRequest): Promise<ActionResult> {
    const { ecs, sqs } = this.clients;
    const cluster = this.collector.cluster;
    const reason = "stopped from the jobworker console";
    switch (request.action) {
      case "stop-task": {
        const tasks = await this.collector.serviceTasks(request.service);
        const task = tasks.find((t) => t.taskArn === request.taskArn || t.taskArn?.endsWith(`/${request.taskArn}`));
        if (!task?.taskArn) {
          throw new NotFoundError(`task \`${request.taskArn}\` is not a running task of service \`${request.service}\``, {
            context: { service: request.service, task: request.taskArn },
          });
        }
        await this.call("ecs:StopTask", () => ecs.send(new StopTaskCommand({ cluster, task: task.taskArn, reason })));
        return { action: request.action, message: `stopped task ${task.taskArn.split("/").pop()}`, changed: [task.taskArn] };
      }
      case "stop-service-tasks": {
        const tasks = await this.collector.serviceTasks(request.service);
        const arns = tasks.flatMap((t) => (t.taskArn ? [t.taskArn] : []));
        await mapLimit(arns, PARALLEL_CALLS, (task) =>
          this.call("ecs:StopTask", () => ecs.send(new StopTaskCommand({ cluster, task, reason }))),
        );
        return { action: request.action, message: `stopped ${arns.length} task(s) of ${request.service}`, changed: arns };
      }
      case "set-desired-count": {
        const out = await this.call("ecs:UpdateService", () =>
          ecs.send(new UpdateServiceCommand({ cluster, service: request.service, desiredCount: request.desiredCount })),
        );
        return {
          action: request.action,
          message: `desired count of ${request.service} set to ${out.service?.desiredCount ?? request.desiredCount} (autoscaling may change it again)`,
          changed: [out.service?.serviceArn ?? request.service],
        };
      }
      case "redrive-dlq": {
        const { row } = await this.collector.serviceDetail(request.service);
        if (!row.queue?.arn || !row.queue.dlqArn) {
          throw new ActionRefusedError(`service \`${request.service}\` has no queue with a dead-letter queue to redrive`, 400, {
            service: request.service,
          });
        }
        if (row.dlqDepth === 0) {
          throw new ActionRefusedError(`the DLQ of service \`${request.service}\` is empty: nothing to redrive`, 400, {
            service: request.service,
          });
        }
        const queue = row.queue;
        const out = await this.call("sqs:StartMessageMoveTask", () =>
          sqs.send(new StartMessageMoveTaskCommand({ SourceArn: queue.dlqArn, DestinationArn: queue.arn })),
        );
        return {
          action: request.action,
          message: `moving messages from ${queue.dlqArn?.split(":").pop()} back to ${queue.name}`,
          changed: [out.TaskHandle ?? queue.dlqArn ?? ""],
        };
      }
      case "deregister-instance": {
        const described = await this.call("ecs:DescribeContainerInstances", () =>
          ecs.send(new DescribeContainerInstancesCommand({ cluster, containerInstances: [request.containerInstanceArn] })),
        );
        const ci = described.containerInstances?.[0];
        if (!ci)
          throw new NotFoundError(`container instance \`${request.containerInstanceArn}\` is not registered on cluster \`${cluster}\``);
        const states = ci.ec2InstanceId ? await describeInstanceStates(this.clients.ec2, [ci.ec2InstanceId]) : new Map();
        const info = containerInstanceInfo(ci, states);
        if (!info.stale) {
          throw new ActionRefusedError(
            `container instance \`${info.id}\` is healthy (agent connected, EC2 instance running); only stale registrations are deregistered here — drain it instead`,
            400,
            { containerInstance: info.arn },
          );
        }
        await this.call("ecs:DeregisterContainerInstance", () =>
          ecs.send(new DeregisterContainerInstanceCommand({ cluster, containerInstance: info.arn, force: true })),
        );
        return { action: request.action, message: `deregistered ${info.id} (${info.stale})`, changed: [info.arn] };
      }
    }
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new ActionFailedError(`${what} failed: ${err instanceof Error ? err.message : String(err)}`, {
        cause: err,
        context: { call: what },
      });
    }
  }
}
