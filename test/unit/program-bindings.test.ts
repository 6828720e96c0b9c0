/**
 * Every binding field docs/connectors.md documents, walked from the prod stack file through the whole
 * program to a worker: the config loader, the JobWorker component (the container's `JOBWORKER_OUTPUTS`
 * and the task role's grants), the runtime's settings parser and a constructed connector (built, never
 * connected). Two runs bind the prod kinds' slots so that every binding type is walked once.
 */
import assert from "node:assert/strict";
import { S3Client } from "@aws-sdk/client-s3";
import pino from "pino";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { secretFieldsOf, secretRefsOf, type OutputBinding, type OutputType, type ResolvedOutputBinding } from "../../catalog/bindings";
import { WORKER_ENV } from "../../catalog/contract";
import { workerKinds } from "../../catalog/kinds";
import { parseWorkersConfig } from "../../config/workers";
import { createConnector } from "../../workers/connectors";
import { loadSettings } from "../../workers/runtime/settings";
import type { SecretResolver } from "../../workers/secrets/resolver";
import { documentedBindings } from "../support/connectors-doc";
import { ACCOUNT_ID, type MockStack, readStackConfig, REGION, runProgram } from "../support/pulumi";

const FORMAT = { type: "protobuf", schema: "partner/v1/record.proto", messageType: "partner.v1.Record", delimited: true };

/** A valid stack value for every documented field of every delivery binding type. */
const VALUES: Record<Exclude<OutputType, "worker">, Record<string, unknown>> = {
  s3: { bucket: "partner-archive", prefix: "copies/", kmsKeyId: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, bucketOwnerFullControl: true, format: FORMAT },
  rest: { url: "https://orders.example.com/v1/orders/batch", method: "PUT", mode: "records", batchSize: 200, authHeader: "X-Api-Key", authSecret: "ssm:/jobworker/test/orders-api-key", timeoutSeconds: 20, format: FORMAT },
  sftp: {
    host: "sftp.partner.example.com",
    port: 2222,
    username: "jobworker",
    hostKeySha256: "SHA256:ttUpeVNRm/wHHpQBGL+Vx5ZZ+oiXBipsCz8aA4utKnU",
    passwordSecret: "ssm:/jobworker/test/sftp-password",
    privateKeySecret: "secretsmanager:jobworker/test/sftp-key",
    directory: "/inbound/jobworker",
    format: FORMAT,
  },
  ftp: {
    host: "ftp.partner.example.com",
    port: 2121,
    username: "jobworker",
    passwordSecret: "secretsmanager:jobworker/test/ftp-password",
    directory: "inbound/jobworker",
    secure: true,
    tlsCaSecret: "ssm:/jobworker/test/ftp-ca",
    createDirectory: true,
    format: FORMAT,
  },
};

/** Two runs of the prod program, binding the prod kinds' slots so every type is walked (slot → binding). */
const RUNS: Array<Record<string, { slot: string; binding: Record<string, unknown> }>> = [
  {
    "feed-normalize": { slot: "records", binding: { type: "s3", ...VALUES.s3 } },
    "orders-webhook": { slot: "api", binding: { type: "rest", ...VALUES.rest } },
    "partner-protobuf-sftp": { slot: "partner", binding: { type: "sftp", ...VALUES.sftp } },
  },
  {
    "feed-normalize": { slot: "records", binding: { type: "worker", worker: "partner-protobuf-sftp" } },
    "partner-protobuf-sftp": { slot: "partner", binding: { type: "ftp", ...VALUES.ftp } },
  },
];

/** The prod stack file with some slots rebound, written out and read back as YAML (as Pulumi reads it). */
function stackConfig(run: (typeof RUNS)[number]): Record<string, unknown> {
  const config = structuredClone(readStackConfig("prod")) as Record<string, any>;
  for (const [worker, { slot, binding }] of Object.entries(run)) config["jobworker:workers"][worker].outputs = { [slot]: binding };
  return (parseYaml(stringifyYaml({ config })) as { config: Record<string, unknown> }).config;
}

/** A resolver that records the references it is asked for and never looks one up. */
function recordingSecrets(): SecretResolver & { readonly asked: string[] } {
  const asked: string[] = [];
  return { asked, resolve: async (ref) => (asked.push(ref), `value of ${ref}`) };
}

describe("every documented binding field, from the stack file to a constructed connector", function () {
  this.timeout(120_000);
  const doc = documentedBindings();

  it("has a stack value for every field docs/connectors.md documents, and only those", () => {
    for (const [type, values] of Object.entries(VALUES)) assert.deepEqual(Object.keys(values).sort(), [...doc.fields[type]!].sort(), type);
    const walked = new Set(RUNS.flatMap((run) => Object.values(run).map((b) => b.binding.type as string)));
    assert.deepEqual([...walked].sort(), Object.keys(doc.fields).sort(), "every binding type is walked");
  });

  for (const [index, run] of RUNS.entries()) {
    describe(`run ${index + 1}: ${Object.values(run).map((b) => b.binding.type).join(", ")}`, () => {
      let program: MockStack;
      const config = stackConfig(run);
      const named = (type: string, name: string) => program.resources.find((r) => r.type === type && r.name === name)!;
      const environmentOf = (worker: string): Record<string, string> => {
        const [container] = JSON.parse(named("aws:ecs/taskDefinition:TaskDefinition", `${worker}-task`).inputs.containerDefinitions);
        return Object.fromEntries(container.environment.map((e: { name: string; value: string }) => [e.name, e.value]));
      };

      before(async () => {
        program = await runProgram(config);
      });

      for (const [worker, { slot, binding }] of Object.entries(run)) {
        const type = binding.type as OutputType;
        const fields = type === "worker" ? ["worker"] : doc.fields[type]!;

        it(`${worker}.${slot} (${type}): the config loader keeps every field`, () => {
          const loaded = parseWorkersConfig(config["jobworker:workers"])[worker]!.outputs[slot] as Record<string, unknown>;
          assert.deepEqual(loaded, binding);
          for (const field of fields) assert.deepEqual(loaded[field], binding[field], field);
        });

        if (type === "worker") {
          it(`${worker}.${slot} (worker): the container gets an s3 binding into the next worker's input`, () => {
            const outputs = JSON.parse(environmentOf(worker)[WORKER_ENV.outputs]!);
            const target = named("aws:s3/bucket:Bucket", `${binding.worker}-input`).state.bucket;
            assert.deepEqual(outputs[slot], { type: "s3", bucket: target, prefix: "records/" });
          });
          continue;
        }

        it(`${worker}.${slot} (${type}): JOBWORKER_OUTPUTS, the runtime's settings and the connector carry every field`, async () => {
          const env = environmentOf(worker);
          const rendered = JSON.parse(env[WORKER_ENV.outputs]!)[slot];
          const settings = loadSettings(env, workerKinds[worker]!);
          const secrets = recordingSecrets();
          const connector = await createConnector(settings.outputs[slot]!, { s3: new S3Client({ region: REGION }), logger: pino({ level: "silent" }), secrets });
          try {
            for (const [stage, seen] of [["JOBWORKER_OUTPUTS", rendered], ["settings", settings.outputs[slot]], ["connector", connector.binding]] as const) {
              assert.deepEqual(seen, binding, stage);
              for (const field of fields) assert.deepEqual((seen as Record<string, unknown>)[field], binding[field], `${stage}: ${field}`);
            }
            assert.equal(connector.type, type);
            assert.deepEqual(secrets.asked, secretRefsOf(binding as ResolvedOutputBinding), "the connector resolves every secret field");
          } finally {
            await connector.close();
          }
        });

        // The FTP run is the regression of issue 12: `tlsCaSecret` was never granted.
        it(`${worker}.${slot} (${type}): the task role may read every secret field's reference, and no other secret`, () => {
          const policy = JSON.parse(named("aws:iam/rolePolicy:RolePolicy", `${worker}-task-policy`).inputs.policy) as { Statement: Array<{ Sid: string; Action: string | string[]; Resource: string | string[] }> };
          const granted = (sid: string) => [policy.Statement.find((s) => s.Sid === sid)?.Resource ?? []].flat().sort();
          const refs = secretRefsOf(binding as OutputBinding);
          const parameters = refs.filter((r) => r.startsWith("ssm:")).map((r) => `arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter${r.slice("ssm:".length)}`);
          const secretValues = refs.filter((r) => r.startsWith("secretsmanager:")).map((r) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:${r.slice("secretsmanager:".length)}-??????`);
          assert.deepEqual(granted("ReadConnectorParameters"), parameters.sort());
          assert.deepEqual(granted("ReadConnectorSecretValues"), secretValues.sort());
          assert.equal(refs.length, secretFieldsOf(type).length, "every secret field is set in this walk");
        });
      }
    });
  }
});
