/**
 * Pulumi mocks that record every registered resource with its inputs, so tests assert the graph by
 * reading what a `pulumi up` would send. Set mocks and config BEFORE importing the program or a
 * component module; `settle()` awaits every outstanding registration before asserting.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { parse as parseYaml } from "yaml";

export const ACCOUNT_ID = "123456789012";
export const REGION = "ap-northeast-1";
export const ROOT = resolve(__dirname, "..", "..");

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  readonly id: string;
  readonly state: Record<string, any>;
  /** The URN the mocks assigned, the parent's URN and each input's dependencies (URNs); set once registered. */
  readonly urn?: string;
  readonly parent?: string;
  readonly propertyDependencies?: Record<string, string[]>;
  /** Resource options as sent to the engine: `ignoreChanges`, `deleteBeforeReplace`, `dependsOn` (URNs). */
  readonly ignoreChanges?: string[];
  readonly deleteBeforeReplace?: boolean;
  readonly dependencies?: string[];
}

export interface MockStack {
  readonly resources: RecordedResource[];
  readonly calls: pulumi.runtime.MockCallArgs[];
  /** Every resource of a type token, e.g. `aws:ecs/service:Service`. */
  ofType(type: string): RecordedResource[];
  /** Exactly one resource of the type (optionally whose name contains `nameIncludes`); throws otherwise. */
  one(type: string, nameIncludes?: string): RecordedResource;
  /** Waits for every outstanding registration and invoke. */
  settle(): Promise<void>;
}

/** A copy of `value` with object keys sorted, so equal inputs serialise equally. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortedKeys((value as Record<string, unknown>)[k])]),
  );
}

/** Outputs a real provider would compute, so that dependent inputs look like AWS's. */
function computedState(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
  const arn = (svc: string, resource: string) => `arn:aws:${svc}:${REGION}:${ACCOUNT_ID}:${resource}`;
  switch (type) {
    case "aws:s3/bucket:Bucket":
    case "aws:s3/bucketV2:BucketV2": {
      const bucket = inputs.bucket ?? `${name}-bucket`;
      return { bucket, arn: `arn:aws:s3:::${bucket}`, bucketRegionalDomainName: `${bucket}.s3.${REGION}.amazonaws.com`, region: REGION };
    }
    case "aws:sqs/queue:Queue": {
      // `namePrefix` gets a 26-character unique suffix, as the provider adds.
      const queueName = inputs.name ?? (inputs.namePrefix ? `${inputs.namePrefix}20250101000000000000000001` : `${name}-queue`);
      return { name: queueName, arn: arn("sqs", queueName), url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/${queueName}` };
    }
    case "aws:ecs/cluster:Cluster":
      return { name: inputs.name ?? name, arn: arn("ecs", `cluster/${inputs.name ?? name}`) };
    case "aws:ecs/service:Service":
      return { name: inputs.name ?? `${name}-svc`, id: arn("ecs", `service/${name}`), arn: arn("ecs", `service/${name}`) };
    case "aws:ecs/taskDefinition:TaskDefinition":
      return { arn: arn("ecs", `task-definition/${inputs.family ?? name}:1`), revision: 1 };
    case "aws:iam/role:Role":
      return { name: inputs.name ?? name, arn: `arn:aws:iam::${ACCOUNT_ID}:role/${inputs.name ?? name}` };
    case "aws:iam/instanceProfile:InstanceProfile":
      return { name: inputs.name ?? name, arn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/${inputs.name ?? name}` };
    case "aws:ecr/repository:Repository":
      return {
        name: inputs.name ?? name,
        arn: arn("ecr", `repository/${name}`),
        repositoryUrl: `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com/${inputs.name ?? name}`,
      };
    case "aws:ec2/launchTemplate:LaunchTemplate":
      return { arn: arn("ec2", `launch-template/lt-${name}`), latestVersion: 1, defaultVersion: 1 };
    case "aws:kms/key:Key":
      return { arn: arn("kms", `key/${name}`), keyId: `${name}-key-id` };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { name: inputs.name ?? name, arn: arn("logs", `log-group:${inputs.name ?? name}`) };
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return { name: inputs.name ?? name, arn: arn("cloudwatch", `alarm:${inputs.name ?? name}`) };
    case "aws:appautoscaling/policy:Policy":
      return { arn: arn("autoscaling", `scalingPolicy:${name}`) };
    case "docker-build:index:Image": {
      // The digest follows the build's inputs (its tag carries the content hash), as a registry's
      // follows the content: a changed image shows as a changed task definition. Registry
      // credentials are not part of what is built.
      const { registries: _credentials, ...build } = inputs;
      const digest = `sha256:${createHash("sha256")
        .update(JSON.stringify(sortedKeys(build)))
        .digest("hex")}`;
      return { digest, ref: `${String(inputs.tags?.[0] ?? name).split(":")[0]}@${digest}`, contextHash: "mock-context-hash" };
    }
    case "awsx:ec2:Vpc": {
      // A remote component: under mocks it is this one resource, none of its children. Its outputs
      // as awsx returns them: one private and one public subnet per zone, in zone order; the
      // endpoints as plain objects with their ids (resource references in a real deployment).
      const zones: string[] = inputs.availabilityZoneNames ?? [];
      const subnetIds = (type: string) => zones.map((az) => `subnet-${name}-${type}-${az}`);
      return {
        vpcId: `vpc-${name}`,
        privateSubnetIds: subnetIds("private"),
        publicSubnetIds: subnetIds("public"),
        vpcEndpoints: (inputs.vpcEndpointSpecs ?? []).map((_: unknown, i: number) => ({ id: `vpce-${name}-${i}` })),
      };
    }
    case "aws:lambda/function:Function":
      return { arn: arn("lambda", `function:${name}`), name: inputs.name ?? name };
    case "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream":
      return { arn: arn("firehose", `deliverystream/${inputs.name ?? name}`), name: inputs.name ?? name };
    default:
      return { arn: arn(type.split(":")[1]?.split("/")[0] ?? "unknown", name) };
  }
}

function invokeResult(args: pulumi.runtime.MockCallArgs): Record<string, any> {
  switch (args.token) {
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/test`, userId: "AIDTEST", id: ACCOUNT_ID };
    case "aws:index/getRegion:getRegion":
      return { name: REGION, region: REGION, id: REGION, endpoint: `ec2.${REGION}.amazonaws.com` };
    case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
      return {
        ...args.inputs,
        userName: "AWS",
        password: "mock-ecr-password",
        authorizationToken: "mock",
        proxyEndpoint: `https://${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com`,
      };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
    case "aws:ssm/getParameter:getParameter":
      return { ...args.inputs, value: "ami-0123456789abcdef0", type: "String", arn: `arn:aws:ssm:${REGION}::parameter${args.inputs.name}` };
    default:
      return args.inputs;
  }
}

/** Installs recording mocks (and optionally stack config) for this process. */
export function startMocks(
  options: { config?: Record<string, unknown>; project?: string; stack?: string; preview?: boolean } = {},
): MockStack {
  const resources: RecordedResource[] = [];
  const calls: pulumi.runtime.MockCallArgs[] = [];
  // setMocks is async but its body is synchronous: the mocks are in place when it returns.
  void pulumi.runtime.setMocks(
    {
      newResource(args) {
        const id = `${args.name}-id`;
        const state = { ...args.inputs, ...computedState(args.type, args.name, args.inputs) };
        resources.push({ type: args.type, name: args.name, inputs: args.inputs, id, state });
        return { id, state };
      },
      call(args) {
        calls.push(args);
        return invokeResult(args);
      },
    },
    options.project ?? "jobworker",
    options.stack ?? "test",
    options.preview ?? false,
  );
  recordRegistrations(resources);
  if (options.config) setStackConfig(options.config, options.project ?? "jobworker");
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  return {
    resources,
    calls,
    ofType,
    one(type, nameIncludes) {
      const found = ofType(type).filter((r) => nameIncludes === undefined || r.name.includes(nameIncludes));
      if (found.length !== 1) {
        throw new Error(
          `expected exactly one ${type}${nameIncludes ? ` named *${nameIncludes}*` : ""}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`,
        );
      }
      return found[0];
    },
    async settle() {
      // Outstanding registrations chain on rpcDone; wait until it stops changing.
      const settings = require("@pulumi/pulumi/runtime/settings");
      for (let i = 0; i < 5; i++) {
        await settings.waitForRPCs();
        await new Promise((r) => setImmediate(r));
      }
    },
  };
}

/**
 * The mocks API hands `newResource` neither the URN nor the parent nor the property dependencies;
 * the mock monitor's `registerResource` request has them. Wrap it and copy them onto the recording
 * (the policy check groups violations by URN and stack policies follow dependencies).
 */
function recordRegistrations(resources: RecordedResource[]): void {
  const monitor = require("@pulumi/pulumi/runtime/settings").getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) =>
    register(req, (err: unknown, resp: any) => {
      const recorded = err ? undefined : resources.find((r) => r.urn === undefined && r.type === req.getType() && r.name === req.getName());
      if (recorded) {
        const propertyDependencies: Record<string, string[]> = {};
        for (const [key, deps] of req.getPropertydependenciesMap().entries()) propertyDependencies[key] = deps.getUrnsList();
        Object.assign(recorded, {
          urn: resp.getUrn(),
          parent: req.getParent() || undefined,
          propertyDependencies,
          ignoreChanges: req.getIgnorechangesList(),
          deleteBeforeReplace: req.getDeletebeforereplace(),
          dependencies: req.getDependenciesList(),
        });
      }
      callback(err, resp);
    });
}

/**
 * Sets stack configuration. Keys without a namespace get the project's (`fleet` → `jobworker:fleet`);
 * objects are JSON-encoded as the Pulumi CLI passes structured config.
 */
export function setStackConfig(config: Record<string, unknown>, project = "jobworker"): void {
  const all: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    const full = key.includes(":") ? key : `${project}:${key}`;
    all[full] = typeof value === "string" ? value : JSON.stringify(value);
  }
  pulumi.runtime.setAllConfig(all, []);
}

/** The `config:` map of a stack file such as `Pulumi.prod.yaml`. */
export function readStackConfig(stack = "prod"): Record<string, unknown> {
  const doc = parseYaml(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
  return doc.config ?? {};
}

/**
 * Runs the whole program (`index.ts`) under recording mocks with a stack's configuration. Project
 * modules are re-imported each time, so one process can run the program with several configs;
 * `reload: "index"` re-runs only `index.ts` and keeps the other modules loaded (faster: nothing is
 * transpiled again), for runs whose configuration the modules may have read at import is the same.
 * `root` runs another copy of the program (a synthetic repository, `synthetic-repo.ts`).
 */
export async function runProgram(
  config: Record<string, unknown> = readStackConfig("prod"),
  options: { stack?: string; root?: string; reload?: "modules" | "index" } = {},
): Promise<MockStack & { outputs: Record<string, unknown> }> {
  const root = options.root ?? ROOT;
  for (const key of Object.keys(require.cache)) {
    const project =
      [ROOT, root].some((r) => key.startsWith(r)) && !key.includes(`${sep}node_modules${sep}`) && !key.includes("/test/support/");
    if (project && (options.reload !== "index" || key === join(root, "index.ts"))) delete require.cache[key];
  }
  const stack = startMocks({ config, stack: options.stack ?? "prod" });
  const exported = require(join(root, "index.ts"));
  const outputs: Record<string, unknown> = {};
  await stack.settle();
  for (const [key, value] of Object.entries(exported)) {
    outputs[key] = await new Promise((r) => (pulumi.output(value) as pulumi.Output<unknown>).apply(r));
  }
  await stack.settle();
  return { ...stack, outputs };
}

/** The value of an Output (or plain value), for assertions. */
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
  return new Promise((r) => pulumi.output(output).apply((v) => r(v as T)));
}
