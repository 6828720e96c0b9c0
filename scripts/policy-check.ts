/**
 * The offline policy check: `npm run policy:check [-- --stack prod] [--config file] [--policy-config file]`.
 *
 * Runs the program (`index.ts`) under Pulumi mocks with a stack's configuration, hands every
 * registered resource to every resource policy (its inputs) and all of them to the stack policies
 * (inputs plus the mocks' computed outputs), prints the violations grouped by resource the way
 * `pulumi preview --policy-pack policy` does, and exits
 *   0  no mandatory violation (advisory ones are printed),
 *   1  at least one mandatory violation,
 *   2  the check could not run (bad arguments, or the program itself failed, e.g. invalid config).
 * It needs no cloud credentials and no Pulumi CLI. It sees what the program sends, not what AWS
 * will compute after deploy (see the README, "Policies").
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import type { PolicyPackConfig } from "@pulumi/policy";
import { evaluatePolicies, hasMandatory, type ResourceSnapshot, type Violation } from "../policy/evaluate";
import { DEFAULT_ENFORCEMENT_LEVEL, POLICY_PACK_NAME, policies } from "../policy/policies";
import { controlIdsOf } from "../policy/support";
import { ROOT, runProgram, type RecordedResource } from "../test/support/pulumi";

export interface CheckOptions {
  /** Stack name: reads `Pulumi.<stack>.yaml` unless `configFile` is given. @default "prod" */
  readonly stack: string;
  /** A stack configuration file in `Pulumi.<stack>.yaml` format, instead of the stack's own. */
  readonly configFile?: string;
  /** Policy pack config (the `--policy-pack-config` JSON). @default policy/config.json when present */
  readonly policyConfigFile?: string;
}

class UsageError extends Error {
  override name = "UsageError";
}

export function parseArgs(argv: readonly string[]): CheckOptions {
  let stack = "prod";
  let configFile: string | undefined;
  let policyConfigFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (!["--stack", "--config", "--policy-config"].includes(flag)) {
      throw new UsageError(
        `unknown argument \`${flag}\`: use --stack <name>, --config <stack config file>, --policy-config <policy pack config JSON>`,
      );
    }
    if (value === undefined || value.startsWith("--")) throw new UsageError(`\`${flag}\` needs a value`);
    if (flag === "--stack") stack = value;
    if (flag === "--config") configFile = value;
    if (flag === "--policy-config") policyConfigFile = value;
    i++;
  }
  return { stack, configFile, policyConfigFile };
}

function readStackConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path))
    throw new UsageError(`stack config file \`${path}\` does not exist: pass --stack <name> for Pulumi.<name>.yaml or --config <file>`);
  const doc = parseYaml(readFileSync(path, "utf8")) as { config?: Record<string, unknown> } | null;
  return doc?.config ?? {};
}

function readPolicyConfig(path: string | undefined): PolicyPackConfig {
  const file = path ?? join(ROOT, "policy", "config.json");
  if (!existsSync(file)) {
    if (path !== undefined) throw new UsageError(`policy config file \`${path}\` does not exist`);
    return {};
  }
  return JSON.parse(readFileSync(file, "utf8")) as PolicyPackConfig;
}

/** A recorded mock registration as the analyzer would see it: the id is part of a resource's outputs. */
export function toSnapshot(r: RecordedResource, stack: string): ResourceSnapshot {
  return {
    type: r.type,
    name: r.name,
    urn: r.urn ?? `urn:pulumi:${stack}::jobworker::${r.type}::${r.name}`,
    inputs: r.inputs,
    outputs: { id: r.id, ...r.state },
    parent: r.parent,
    propertyDependencies: r.propertyDependencies,
  };
}

/** The AWS controls a finding follows (`ECS.17, CKV_AWS_335`), or `jobworker` for the pack's own rules. */
export function controlsLabel(description: string): string {
  const ids = controlIdsOf(description);
  return ids.length > 0 ? ids.join(", ") : POLICY_PACK_NAME;
}

/** The report, grouped by resource like `pulumi preview`'s "Policies" section; each finding names its controls. */
export function formatReport(violations: readonly Violation[], meta: { stack: string; resources: number; version: string }): string {
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const advisory = violations.length - mandatory;
  const mark = mandatory > 0 ? "❌" : advisory > 0 ? "⚠️ " : "✅";
  const lines = [
    "Policies:",
    `    ${mark} ${POLICY_PACK_NAME}@v${meta.version} (local: policy, offline check of stack ${meta.stack}: ${meta.resources} resources, ${policies.length} policies)`,
  ];
  const groups = new Map<string, Violation[]>();
  for (const v of violations) {
    const key = v.resource ? `${v.resource.type}: ${v.resource.name}` : "stack";
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  for (const [resource, list] of groups) {
    lines.push(`        ${resource}`);
    for (const v of list) {
      lines.push(
        `          - [${v.enforcementLevel}]  ${v.policyName}  [${controlsLabel(v.description)}]`,
        `            ${v.description}`,
        `            ${v.message}`,
      );
    }
  }
  lines.push(`    ${mandatory} mandatory, ${advisory} advisory violation(s)`);
  return lines.join("\n");
}

export async function check(options: CheckOptions): Promise<{ violations: Violation[]; report: string }> {
  const configPath = options.configFile ? resolve(options.configFile) : join(ROOT, `Pulumi.${options.stack}.yaml`);
  const stackConfig = readStackConfigFile(configPath);
  const policyConfig = readPolicyConfig(options.policyConfigFile);
  const program = await runProgram(stackConfig, { stack: options.stack });
  const snapshots = program.resources.map((r) => toSnapshot(r, options.stack));
  const violations = await evaluatePolicies(policies, snapshots, policyConfig, { packDefault: DEFAULT_ENFORCEMENT_LEVEL });
  const version = (JSON.parse(readFileSync(join(ROOT, "policy", "package.json"), "utf8")) as { version: string }).version;
  return { violations, report: formatReport(violations, { stack: options.stack, resources: snapshots.length, version }) };
}

async function main(): Promise<number> {
  // A program error inside an `apply` surfaces as an unhandled rejection, not from `runProgram`.
  const failed = (err: unknown) => {
    console.error(`policy check could not run: the program failed: ${(err as Error)?.message ?? String(err)}`);
    process.exit(2);
  };
  process.on("unhandledRejection", failed);
  let options: CheckOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`policy check: ${(err as Error).message}`);
    return 2;
  }
  try {
    const { violations, report } = await check(options);
    console.log(report);
    return hasMandatory(violations) ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`policy check: ${err.message}`);
    } else {
      console.error(`policy check could not run: the program failed: ${(err as Error).message}`);
    }
    return 2;
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(2);
    },
  );
}
