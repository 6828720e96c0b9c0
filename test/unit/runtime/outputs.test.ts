import assert from "node:assert/strict";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import pino from "pino";
import { ConfigError } from "../../../workers/errors";
import { createOutputs } from "../../../workers/runtime/run";
import type { RuntimeSettings } from "../../../workers/runtime/settings";
import { SecretRedactor } from "../../../workers/secrets";

const region = { region: "eu-west-1" };
const clients = {
  s3: new S3Client(region),
  sqs: new SQSClient(region),
  ssm: new SSMClient(region),
  secretsManager: new SecretsManagerClient(region),
};
const settings = (outputs: RuntimeSettings["outputs"]): RuntimeSettings => ({
  worker: "w",
  queueUrl: "https://sqs.eu-west-1.amazonaws.com/1/q",
  outputs,
  concurrency: 1,
  maxProcessingSeconds: 60,
  shutdownSeconds: 30,
  scratchDir: "/tmp/jobworker-unit",
  logLevel: "silent",
  pollWaitSeconds: 20,
  retryBaseSeconds: 10,
  retryCapSeconds: 300,
  maxHandoffs: 20,
});

describe("createOutputs (connectors of every bound slot, at start)", () => {
  after(() => Object.values(clients).forEach((c) => c.destroy()));

  it("names a refused binding field as `JOBWORKER_OUTPUTS.<slot>.<field>`, never `binding.<field>`", async () => {
    await assert.rejects(
      createOutputs(settings({ out: { type: "s3", bucket: "Bad_Bucket" } }), clients, pino({ level: "silent" })),
      (err: unknown) => err instanceof ConfigError && /^`JOBWORKER_OUTPUTS\.out\.bucket` is "Bad_Bucket"/.test(err.message),
    );
  });

  it("registers every secret it resolves with the redactor", async () => {
    process.env.JOBWORKER_UNIT_TOKEN = "Bearer unit-token-1234";
    try {
      const redactor = new SecretRedactor();
      const { connectors } = await createOutputs(
        settings({ api: { type: "rest", url: "https://api.example.com/x", authSecret: "env:JOBWORKER_UNIT_TOKEN" } }),
        clients,
        pino({ level: "silent" }),
        redactor,
      );
      assert.equal(redactor.redact("401: Bearer unit-token-1234"), "401: [redacted]");
      await connectors.api!.close();
    } finally {
      delete process.env.JOBWORKER_UNIT_TOKEN;
    }
  });
});
