import assert from "node:assert/strict";
import { Writable } from "node:stream";
import pino from "pino";
import { sdkLogger } from "../../../workers/runtime/clients";

describe("sdkLogger (the AWS SDK's logger, fed to pino)", () => {
  function recorded(level: string) {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        for (const l of chunk.toString().split("\n")) if (l.trim()) lines.push(JSON.parse(l));
        cb();
      },
    });
    return { logger: pino({ level }, sink), lines };
  }

  it("keeps the SDK's warnings as warn lines tagged source aws-sdk, with the text as the message", () => {
    const { logger, lines } = recorded("info");
    sdkLogger(logger).warn("QueueUrl=http://a differs from SQSClient resolved endpoint=http://b, using QueueUrl host as endpoint.");
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.level, 40);
    assert.equal(lines[0]!.source, "aws-sdk");
    assert.match(String(lines[0]!.msg), /^QueueUrl=http:\/\/a differs/);
  });

  it("demotes the warning about unretried stream bodies to debug (the S3 connector retries them itself)", () => {
    const { logger, lines } = recorded("info");
    sdkLogger(logger).warn("An error was encountered in a non-retryable streaming request.");
    assert.deepEqual(lines, []);
  });

  it("drops the per-request info lines and demotes the per-request error objects to debug, as data", () => {
    const { logger, lines } = recorded("debug");
    const log = sdkLogger(logger);
    log.info();
    log.error({ clientName: "SQSClient", commandName: "ReceiveMessageCommand", error: { name: "AbortError" } });
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.level, 20);
    assert.equal(lines[0]!.msg, "AWS SDK message");
    assert.deepEqual(lines[0]!.detail, { clientName: "SQSClient", commandName: "ReceiveMessageCommand", error: { name: "AbortError" } });
  });

  it("never logs a request's input (its Body may hold payload bytes)", () => {
    const { logger, lines } = recorded("debug");
    sdkLogger(logger).error({
      commandName: "UploadPartCommand",
      input: { Bucket: "b", Body: Buffer.from("secret payload") },
      error: { name: "SlowDown" },
    });
    assert.deepEqual(lines[0]!.detail, { commandName: "UploadPartCommand", error: { name: "SlowDown" } });
    assert.doesNotMatch(JSON.stringify(lines), /secret payload|Body/);
  });

  it("prints nothing at the worker's default level for a failed request", () => {
    const { logger, lines } = recorded("info");
    sdkLogger(logger).error({ commandName: "ReceiveMessageCommand" });
    assert.deepEqual(lines, []);
  });
});
