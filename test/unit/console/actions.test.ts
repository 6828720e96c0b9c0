import assert from "node:assert/strict";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { ActionRequest, Actions, parseActionRequest } from "../../../console/actions";
import type { ConsoleClients } from "../../../console/aws/clients";
import type { Collector } from "../../../console/collect";
import { ActionRefusedError } from "../../../console/errors";

/** Clients that fail the test if any AWS call is made. */
const noAws = new Proxy({}, { get: () => ({ send: () => assert.fail("no AWS call may be made") }) }) as unknown as ConsoleClients;
const collector = { cluster: "c" } as unknown as Collector;

describe("console/actions", () => {
  describe("parseActionRequest", () => {
    const valid: [string, Record<string, unknown>, ActionRequest][] = [
      ["stop-task", { service: "s", taskArn: "t" }, { action: "stop-task", service: "s", taskArn: "t" }],
      ["stop-service-tasks", { service: "s" }, { action: "stop-service-tasks", service: "s" }],
      ["set-desired-count", { service: "s", desiredCount: 0 }, { action: "set-desired-count", service: "s", desiredCount: 0 }],
      ["redrive-dlq", { service: "s" }, { action: "redrive-dlq", service: "s" }],
      ["deregister-instance", { containerInstanceArn: "arn" }, { action: "deregister-instance", containerInstanceArn: "arn" }],
    ];
    for (const [action, body, expected] of valid) {
      it(`accepts a confirmed ${action}`, () => assert.deepEqual(parseActionRequest(action, { confirm: true, ...body }), expected));
    }
    const invalid: [string, string, unknown, RegExp][] = [
      ["an unknown action", "reboot", { confirm: true }, /unknown action `reboot`; expected one of stop-task/],
      ["a body that is not an object", "stop-task", [1], /body of `stop-task` must be a JSON object/],
      [
        "a missing confirmation",
        "stop-task",
        { service: "s", taskArn: "t" },
        /`confirm` must be true to run `stop-task` \(got undefined\)/,
      ],
      ["confirm as a string", "stop-task", { confirm: "yes", service: "s", taskArn: "t" }, /`confirm` must be true .*got "yes"/],
      ["a missing task", "stop-task", { confirm: true, service: "s" }, /`taskArn` must be a non-empty string, got undefined/],
      [
        "a negative desired count",
        "set-desired-count",
        { confirm: true, service: "s", desiredCount: -1 },
        /`desiredCount` must be an integer from 0 to 1000, got -1/,
      ],
      ["a fractional desired count", "set-desired-count", { confirm: true, service: "s", desiredCount: 1.5 }, /got 1.5/],
      ["a desired count as text", "set-desired-count", { confirm: true, service: "s", desiredCount: "3" }, /got "3"/],
    ];
    for (const [title, action, body, message] of invalid) {
      it(`refuses ${title} with a 400 naming the field`, () => {
        assert.throws(
          () => parseActionRequest(action, body),
          (err: unknown) => err instanceof ActionRefusedError && err.status === 400 && message.test(err.message),
        );
      });
    }
  });

  it("refuses every action in read-only mode (403) without calling AWS, and logs the refusal", async () => {
    const log: Record<string, unknown>[] = [];
    const actions = new Actions(noAws, collector, { log: (e) => log.push({ ...e }) });
    assert.equal(actions.allowActions, false, "read-only is the default");
    await assert.rejects(
      actions.run({ action: "stop-service-tasks", service: "jw-a" }, "127.0.0.1"),
      (err: unknown) =>
        err instanceof ActionRefusedError &&
        err.status === 403 &&
        /read-only mode: `stop-service-tasks` was refused\. Restart the console with --allow-actions/.test(err.message),
    );
    assert.deepEqual(log, [
      {
        event: "console-action",
        action: "stop-service-tasks",
        target: "jw-a",
        cluster: "c",
        requester: "127.0.0.1",
        outcome: "refused",
        reason: "read-only",
      },
    ]);
  });

  it("redrives the DLQ back to the service's own queue with StartMessageMoveTask", async () => {
    const sent: unknown[] = [];
    const sqs = {
      send: async (command: { input: unknown }) => (sent.push(command.input), { TaskHandle: "handle-1" }),
    } as unknown as SQSClient;
    const detail = {
      cluster: "c",
      serviceDetail: async () => ({ row: { queue: { name: "jw-a", arn: "arn:aws:sqs:r:1:jw-a", dlqArn: "arn:aws:sqs:r:1:jw-a-dlq" } } }),
    } as unknown as Collector;
    const log: Record<string, unknown>[] = [];
    const actions = new Actions({ ...noAws, sqs }, detail, { allowActions: true, log: (e) => log.push({ ...e }) });
    const result = await actions.run({ action: "redrive-dlq", service: "jw-a" }, "test");
    assert.deepEqual(sent, [{ SourceArn: "arn:aws:sqs:r:1:jw-a-dlq", DestinationArn: "arn:aws:sqs:r:1:jw-a" }]);
    assert.deepEqual(result, { action: "redrive-dlq", message: "moving messages from jw-a-dlq back to jw-a", changed: ["handle-1"] });
    assert.equal(log[0]?.outcome, "done");
  });

  it("logs a failed action with the AWS error and rethrows it wrapped with the call's name", async () => {
    const sqs = {
      send: async () => Promise.reject(Object.assign(new Error("not authorized"), { name: "AccessDenied" })),
    } as unknown as SQSClient;
    const detail = {
      cluster: "c",
      serviceDetail: async () => ({ row: { queue: { name: "q", arn: "arn:q", dlqArn: "arn:d" } } }),
    } as unknown as Collector;
    const log: Record<string, unknown>[] = [];
    const actions = new Actions({ ...noAws, sqs }, detail, { allowActions: true, log: (e) => log.push({ ...e }) });
    await assert.rejects(actions.run({ action: "redrive-dlq", service: "s" }, "t"), /sqs:StartMessageMoveTask failed: not authorized/);
    assert.equal(log[0]?.outcome, "failed");
    assert.match(String(log[0]?.error), /ActionFailedError: sqs:StartMessageMoveTask failed: not authorized/);
  });

  it("refuses to redrive an empty DLQ (400) without calling StartMessageMoveTask", async () => {
    const detail = {
      cluster: "c",
      serviceDetail: async () => ({ row: { dlqDepth: 0, queue: { name: "q", arn: "arn:q", dlqArn: "arn:d" } } }),
    } as unknown as Collector;
    const actions = new Actions(noAws, detail, { allowActions: true, log: () => undefined });
    await assert.rejects(
      actions.run({ action: "redrive-dlq", service: "s" }, "t"),
      (err: unknown) =>
        err instanceof ActionRefusedError && err.status === 400 && /the DLQ of service `s` is empty: nothing to redrive/.test(err.message),
    );
  });
});
