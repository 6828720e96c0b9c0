import assert from "node:assert/strict";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { createSecretResolver } from "../../../workers/secrets";
import { ConfigError } from "../../../workers/errors";
import { startMoto, type MotoServer } from "../../support/moto";

describe("secrets: SSM Parameter Store and Secrets Manager (moto server)", function () {
  let moto: MotoServer;
  let ssm: SSMClient;
  let secretsManager: SecretsManagerClient;
  before(async () => {
    moto = await startMoto();
    ssm = new SSMClient(moto.clientConfig);
    secretsManager = new SecretsManagerClient(moto.clientConfig);
    await ssm.send(new PutParameterCommand({ Name: "/partner/api-token", Value: "Bearer from-ssm", Type: "SecureString" }));
    await secretsManager.send(new CreateSecretCommand({ Name: "partner/sftp-password", SecretString: "from-secrets-manager" }));
    await secretsManager.send(new CreateSecretCommand({ Name: "partner/binary", SecretBinary: Buffer.from("from-binary") }));
  });
  after(async () => {
    ssm?.destroy();
    secretsManager?.destroy();
    await moto?.stop();
  });

  const found: Array<[string, string]> = [
    ["ssm:/partner/api-token", "Bearer from-ssm"],
    ["secretsmanager:partner/sftp-password", "from-secrets-manager"],
    ["secretsmanager:partner/binary", "from-binary"],
  ];
  for (const [ref, value] of found) {
    it(`resolves ${ref} (decrypted)`, async () => {
      assert.equal(await createSecretResolver({ ssm, secretsManager }).resolve(ref), value);
    });
  }

  for (const ref of ["ssm:/partner/missing", "secretsmanager:partner/missing"]) {
    it(`fails ${ref} with a ConfigError naming the reference and the AWS error`, async () => {
      await assert.rejects(
        createSecretResolver({ ssm, secretsManager }).resolve(ref),
        (e: unknown) =>
          e instanceof ConfigError && e.message.includes(`\`${ref}\``) && /ParameterNotFound|ResourceNotFound/.test(e.message),
      );
    });
  }
});
