/**
 * Secret values never reach a log line or an error the runtime writes: `jobworker run orders-webhook`
 * against moto and a REST server that echoes the `Authorization` header in its 401 body (the REST
 * connector as is). The token reaches the error message; the logger and the dead-letter reason drop it.
 */
import assert from "node:assert/strict";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { WORKER_ENV } from "../../../catalog/contract";
import { REDACTED } from "../../../workers/secrets";
import { RUNTIME_TUNING_ENV } from "../../../workers/runtime/settings";
import { startHttpRecorder, type HttpRecorder } from "../../support/http-recorder";
import { startMoto, type MotoServer } from "../../support/moto";
import { waitFor } from "../../support/wait";
import { createPipeline, ensureStopped, receiveAll, ROOT, spawnWorker, waitForLine, type ChildWorker } from "./helpers";

const BIN = join(ROOT, "workers", "bin", "jobworker.js");

describe("runtime secret redaction (moto server, REST server echoing credentials)", function () {
  this.timeout(120_000);
  let moto: MotoServer;
  let s3: S3Client;
  let sqs: SQSClient;
  let server: HttpRecorder;
  let child: ChildWorker | undefined;

  before(async () => {
    moto = await startMoto();
    s3 = new S3Client(moto.clientConfig);
    sqs = new SQSClient(moto.clientConfig);
    server = await startHttpRecorder();
  });
  afterEach(async () => {
    await ensureStopped(child);
    child = undefined;
  });
  after(async () => {
    s3?.destroy();
    sqs?.destroy();
    await server?.stop();
    await moto?.stop();
  });

  it("keeps a token the server echoes in its 401 body out of the `delivery failed` line, every other line and the DLQ reason", async () => {
    const token = `Bearer tok-${randomBytes(12).toString("hex")}`;
    server.script((req) => ({ status: 401, body: `unauthorized: ${String(req.headers.authorization)}` }));
    const pipeline = await createPipeline(moto);
    child = spawnWorker([BIN, "run", "orders-webhook"], {
      ...moto.env,
      API_TOKEN: token,
      [WORKER_ENV.queueUrl]: pipeline.queueUrl,
      [WORKER_ENV.outputs]: JSON.stringify({
        api: { type: "rest", url: `${server.url}/orders`, mode: "records", authSecret: "env:API_TOKEN" },
      }),
      [RUNTIME_TUNING_ENV.pollWaitSeconds]: "1",
    });
    await waitForLine(child, "worker started");
    const csv = readFileSync(join(ROOT, "workers", "kinds", "orders-webhook", "samples", "orders.csv"));
    await s3.send(new PutObjectCommand({ Bucket: pipeline.inputBucket, Key: "orders.csv", Body: csv }));
    const failed = await waitForLine(child, "delivery failed");
    // The server did echo it: the request carried the token, and the error quotes the body.
    assert.equal(server.requests[0]?.headers.authorization, token);
    const message = String((failed.err as { message?: string }).message);
    assert.match(message, new RegExp(`HTTP 401: unauthorized: \\${REDACTED.replace(/]/g, "\\]")}`));
    const dead = await waitFor("message in the DLQ", async () => {
      const m = await receiveAll(sqs, pipeline.dlqUrl);
      return m.length > 0 ? m : undefined;
    });
    const reason = dead[0]!.MessageAttributes?.["jobworker.reason"]?.StringValue ?? "";
    assert.match(reason, /HTTP 401/);
    await waitForLine(child, "message sent to the dead-letter queue");
    child.child.kill("SIGTERM");
    assert.equal((await child.exited).code, 0);
    const secretPart = token.slice("Bearer ".length);
    const leaks = child.lines.filter((l) => JSON.stringify(l).includes(secretPart));
    assert.deepEqual(leaks, []);
    assert.equal(reason.includes(secretPart), false, reason);
    assert.equal(child.stderr().includes(secretPart), false);
  });
});
