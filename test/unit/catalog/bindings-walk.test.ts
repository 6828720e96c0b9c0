/**
 * Every binding field docs/connectors.md documents, walked from a stack file to a worker: the config
 * loader (`loadWorkersConfig` through `pulumi.Config`), the JobWorker component under mocks (the
 * container's `JOBWORKER_OUTPUTS` and the task role's secret grants), the runtime's settings parser
 * and a constructed connector (built, never connected). One kind has a slot per binding type, so one
 * stack walks them all; the workers are created as `index.ts` creates them.
 */
import assert from "node:assert/strict";
import { S3Client } from "@aws-sdk/client-s3";
import pino from "pino";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { secretFieldsOf, secretRefsOf, type OutputBinding, type OutputType } from "../../../catalog/bindings";
import { WORKER_ENV, type WorkerDefinition } from "../../../catalog/contract";
import type { ChainTarget } from "../../../components/job-worker/args";
import { jobWorkerArgsFor, loadWorkersConfig, orderWorkers, withConfigKeys } from "../../../config/workers";
import { createConnector } from "../../../workers/connectors";
import { loadSettings } from "../../../workers/runtime/settings";
import type { SecretResolver } from "../../../workers/secrets/resolver";
import { fakeCluster } from "../components/job-worker.fixtures";
import { documentedBindings } from "../../support/connectors-doc";
import { ACCOUNT_ID, type MockStack, REGION, startMocks } from "../../support/pulumi";

const FORMAT = { type: "protobuf", schema: "partner/v1/record.proto", messageType: "partner.v1.Record", delimited: true };
/** Partner file delivery (catalog/binding-delivery.ts): every field, on every file binding. */
const FILES = {
  fileName: "ACME_{date}_{time}_{stem}_{id:8}.{ext}.zip.pgp",
  timeZone: "Europe/Berlin",
  compression: "zip",
  zipEntryName: "{stem}_{records}.csv",
  pgpPublicKeySecret: "ssm:/jobworker/test/partner-pgp-public",
  pgpSigningKeySecret: "secretsmanager:jobworker/test/our-pgp-key",
  pgpPassphraseSecret: "ssm:/jobworker/test/our-pgp-passphrase",
  pgpArmor: true,
  checksumFiles: ["sha256", "md5"],
  triggerFile: { name: "{file}.ok", content: "sha256" },
};
const ARRIVAL = { arrival: "temp-suffix", tempAffix: ".uploading" };

/** A valid stack value for every documented field, per binding type (the slot is named after the type). */
const BINDINGS: Record<OutputType, Record<string, unknown>> = {
  worker: { type: "worker", worker: "next-stage" },
  s3: {
    type: "s3",
    bucket: "partner-archive",
    prefix: "copies/",
    kmsKeyId: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    bucketOwnerFullControl: true,
    format: FORMAT,
    ...FILES,
  },
  rest: {
    type: "rest",
    url: "https://orders.example.com/v1/orders/batch",
    method: "PUT",
    mode: "payload",
    batchSize: 200,
    authHeader: "X-Api-Key",
    authSecret: "ssm:/jobworker/test/orders-api-key",
    timeoutSeconds: 20,
    headers: { "X-Partner-Id": "acme-42" },
    clientCertSecret: "secretsmanager:jobworker/test/orders-client-cert",
    clientKeySecret: "secretsmanager:jobworker/test/orders-client-key",
    tlsCaSecret: "ssm:/jobworker/test/orders-ca",
    oauth2: { tokenUrl: "https://auth.example.com/oauth2/token", scope: "orders.write", audience: "https://orders.example.com" },
    oauth2ClientIdSecret: "ssm:/jobworker/test/orders-client-id",
    oauth2ClientSecret: "secretsmanager:jobworker/test/orders-client-secret",
    multipart: { field: "document", fields: { kind: "orders" } },
    captureResponse: { jsonPointer: "/receipt/id", maxBytes: 4096 },
    format: FORMAT,
  },
  sftp: {
    type: "sftp",
    host: "sftp.partner.example.com",
    port: 2222,
    username: "jobworker",
    hostKeySha256: ["SHA256:ttUpeVNRm/wHHpQBGL+Vx5ZZ+oiXBipsCz8aA4utKnU", "SHA256:Ykq0a3tM8nTg7nNUsCs9oWrC6ZOZqYfIhqkzLwcnHjQ"],
    passwordSecret: "ssm:/jobworker/test/sftp-password",
    privateKeySecret: "secretsmanager:jobworker/test/sftp-key",
    privateKeyPassphraseSecret: "secretsmanager:jobworker/test/sftp-key-passphrase",
    directory: "/inbound/jobworker",
    createDirectory: true,
    concurrency: 4,
    algorithms: { kex: ["diffie-hellman-group14-sha1"], cipher: ["aes128-cbc"], serverHostKey: ["ssh-rsa"], hmac: ["hmac-sha1"] },
    proxy: { type: "socks5", host: "10.0.1.20", port: 1080, username: "jobworker" },
    proxyPasswordSecret: "ssm:/jobworker/test/proxy-password",
    format: FORMAT,
    ...FILES,
    ...ARRIVAL,
  },
  ftp: {
    type: "ftp",
    host: "ftp.partner.example.com",
    port: 2121,
    username: "jobworker",
    passwordSecret: "secretsmanager:jobworker/test/ftp-password",
    directory: "inbound/jobworker",
    secure: "implicit",
    tlsCaSecret: "ssm:/jobworker/test/ftp-ca",
    clientCertSecret: "secretsmanager:jobworker/test/ftp-client-cert",
    clientKeySecret: "secretsmanager:jobworker/test/ftp-client-key",
    proxy: { type: "http", host: "proxy.internal.example", port: 3128, username: "jobworker" },
    proxyPasswordSecret: "secretsmanager:jobworker/test/ftp-proxy-password",
    createDirectory: true,
    // "active" cannot go with the proxy this binding walks; the schema's refusal has its own test.
    dataConnection: "passive",
    format: FORMAT,
    ...FILES,
    ...ARRIVAL,
  },
};
const TYPES = Object.keys(BINDINGS) as OutputType[];

const everyBinding: WorkerDefinition = {
  name: "every-binding",
  description: "one slot per binding type",
  concurrency: 1,
  maxProcessingSeconds: 60,
  outputs: Object.fromEntries(TYPES.map((t) => [t, { description: `a ${t} binding`, accepts: [t] }])),
};
const nextStage: WorkerDefinition = {
  name: "next-stage",
  description: "chained into",
  concurrency: 1,
  maxProcessingSeconds: 60,
  outputs: {},
};
const KINDS = { [everyBinding.name]: everyBinding, [nextStage.name]: nextStage };

/** The stack file, as text: what `pulumi up` reads. */
const STACK_FILE = stringifyYaml({
  config: {
    "jobworker:workers": {
      "every-binding": { cpu: 256, memory: 512, outputs: BINDINGS },
      "next-stage": { cpu: 256, memory: 512, input: { type: "own", prefix: "stage/" } },
    },
  },
});

/** A resolver that records the references it is asked for and never looks one up. */
function recordingSecrets(): SecretResolver & { readonly asked: string[] } {
  const asked: string[] = [];
  return { asked, resolve: async (ref) => (asked.push(ref), `value of ${ref}`) };
}

describe("every documented binding field, from a stack file to a constructed connector", () => {
  const doc = documentedBindings();
  let stack: MockStack;
  let loaded: ReturnType<typeof loadWorkersConfig>;
  const named = (type: string, name: string) => stack.resources.find((r) => r.type === type && r.name === name)!;
  const environment = (): Record<string, string> => {
    const [container] = JSON.parse(named("aws:ecs/taskDefinition:TaskDefinition", "every-binding-task").inputs.containerDefinitions);
    return Object.fromEntries(container.environment.map((e: { name: string; value: string }) => [e.name, e.value]));
  };

  before(async () => {
    stack = startMocks({ config: (parseYaml(STACK_FILE) as { config: Record<string, unknown> }).config });
    const pulumi = await import("@pulumi/pulumi");
    const { JobWorker } = await import("../../../components/job-worker");
    loaded = loadWorkersConfig(new pulumi.Config("jobworker"), KINDS);
    const created = new Map<string, ChainTarget>();
    for (const name of orderWorkers(loaded)) {
      const args = jobWorkerArgsFor(name, loaded[name]!, {
        cluster: fakeCluster,
        kinds: KINDS,
        defaultImage: { uri: "public.ecr.aws/x/y:1" },
        sharedBucket: assert.fail,
        worker: (n) => created.get(n)!,
      });
      created.set(
        name,
        withConfigKeys(name, () => new JobWorker(name, args)),
      );
    }
    await stack.settle();
  });

  it("has a value for every field docs/connectors.md documents, of every binding type, and only those", () => {
    assert.deepEqual([...TYPES].sort(), Object.keys(doc.fields).sort());
    for (const type of TYPES) assert.deepEqual(Object.keys(BINDINGS[type]).sort(), ["type", ...doc.fields[type]!].sort(), type);
  });

  it("the config loader keeps every field of every binding", () => {
    for (const type of TYPES) {
      const binding = loaded["every-binding"]!.outputs[type] as Record<string, unknown>;
      for (const field of doc.fields[type]!) assert.deepEqual(binding[field], BINDINGS[type][field], `${type}.${field}`);
      assert.deepEqual(binding, BINDINGS[type], type);
    }
  });

  it("the container gets a `worker` binding as s3 into the next worker's input", () => {
    const outputs = JSON.parse(environment()[WORKER_ENV.outputs]!);
    assert.deepEqual(outputs.worker, {
      type: "s3",
      bucket: named("aws:s3/bucket:Bucket", "next-stage-input").state.bucket,
      prefix: "stage/",
    });
  });

  for (const type of TYPES.filter((t) => t !== "worker")) {
    it(`a \`${type}\` binding reaches JOBWORKER_OUTPUTS, the runtime's settings and its connector with every field, and its connector resolves every secret field`, async () => {
      const env = environment();
      const settings = loadSettings(env, everyBinding);
      const secrets = recordingSecrets();
      const connector = await createConnector(settings.outputs[type]!, {
        s3: new S3Client({ region: REGION }),
        logger: pino({ level: "silent" }),
        secrets,
        // The keys are "value of <ref>": a keyring that is never asked to encrypt stands in for GnuPG.
        pgp: async () => ({ encrypt: () => assert.fail("no delivery in this walk"), close: async () => undefined }),
      });
      try {
        const stages = [
          ["JOBWORKER_OUTPUTS", JSON.parse(env[WORKER_ENV.outputs]!)[type]],
          ["settings", settings.outputs[type]],
          ["connector", connector.binding],
        ] as const;
        for (const [stage, seen] of stages) {
          for (const field of doc.fields[type]!)
            assert.deepEqual((seen as Record<string, unknown>)[field], BINDINGS[type][field], `${stage}: ${field}`);
          assert.deepEqual(seen, BINDINGS[type], stage);
        }
        assert.equal(connector.type, type);
        assert.deepEqual(secrets.asked, secretRefsOf(BINDINGS[type] as OutputBinding));
        assert.equal(secrets.asked.length, secretFieldsOf(type).length, "every secret field is set in this walk");
      } finally {
        await connector.close();
      }
    });
  }

  it("grants the task role every secret field's reference, `tlsCaSecret` included, and no other secret", () => {
    const policy = JSON.parse(named("aws:iam/rolePolicy:RolePolicy", "every-binding-task-policy").inputs.policy) as {
      Statement: Array<{ Sid: string; Action: string | string[]; Resource: string | string[] }>;
    };
    const statement = (sid: string) => policy.Statement.find((s) => s.Sid === sid);
    const refs = TYPES.flatMap((t) => secretRefsOf(BINDINGS[t] as OutputBinding));
    // One grant per reference, however many bindings hold it (each file binding holds the same PGP keys here).
    const arnsOf = (source: string, arn: (name: string) => string) =>
      [...new Set(refs.filter((r) => r.startsWith(`${source}:`)).map((r) => arn(r.slice(source.length + 1))))].sort();
    assert.deepEqual(statement("ReadConnectorParameters"), {
      Sid: "ReadConnectorParameters",
      Effect: "Allow",
      Action: ["ssm:GetParameters", "ssm:GetParameter"],
      Resource: arnsOf("ssm", (path) => `arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter${path}`),
    });
    assert.deepEqual(statement("ReadConnectorSecretValues"), {
      Sid: "ReadConnectorSecretValues",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: arnsOf("secretsmanager", (name) => `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:${name}-??????`),
    });
    assert.ok(
      [statement("ReadConnectorParameters")!.Resource]
        .flat()
        .includes(`arn:aws:ssm:${REGION}:${ACCOUNT_ID}:parameter/jobworker/test/ftp-ca`),
      "the FTP CA certificate is readable",
    );
  });
});
