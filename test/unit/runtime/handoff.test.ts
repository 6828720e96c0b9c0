import assert from "node:assert/strict";
import type { Message } from "@aws-sdk/client-sqs";
import { HANDOFF_ATTRIBUTE, handoffCount, planHandoff } from "../../../workers/runtime/handoff";

const QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/jw-feed";
const message = (change: Partial<Message> = {}): Message => ({ MessageId: "m-1", ReceiptHandle: "r", Body: '{"Records":[]}', ...change });
const counter = (n: string) => ({ [HANDOFF_ATTRIBUTE]: { DataType: "Number", StringValue: n } });

describe("hand-off plan (a copy instead of a charged receive)", () => {
  it("copies the body and the original's attributes and starts the counter at 1", () => {
    const plan = planHandoff(
      message({
        MessageAttributes: {
          trace: { DataType: "String", StringValue: "abc" },
          blob: { DataType: "Binary", BinaryValue: Uint8Array.of(1, 2) },
        },
      }),
      QUEUE,
      20,
    );
    assert.deepEqual(plan, {
      kind: "copy",
      handoffs: 1,
      input: {
        QueueUrl: QUEUE,
        MessageBody: '{"Records":[]}',
        MessageAttributes: {
          trace: { DataType: "String", StringValue: "abc", BinaryValue: undefined },
          blob: { DataType: "Binary", StringValue: undefined, BinaryValue: Uint8Array.of(1, 2) },
          [HANDOFF_ATTRIBUTE]: { DataType: "Number", StringValue: "1" },
        },
      },
    });
  });

  it("increments the counter of a message handed back before", () => {
    const plan = planHandoff(message({ MessageAttributes: counter("7") }), QUEUE, 20);
    assert.equal(plan.kind === "copy" && plan.input.MessageAttributes?.[HANDOFF_ATTRIBUTE]?.StringValue, "8");
  });

  const releases: Array<[string, Message, string, number, RegExp]> = [
    [
      "at the limit",
      message({ MessageAttributes: counter("20") }),
      QUEUE,
      20,
      /handed back 20 times already \(JOBWORKER_MAX_HANDOFFS is 20\)/,
    ],
    ["with hand-off turned off (0)", message(), QUEUE, 0, /handed back 0 times already \(JOBWORKER_MAX_HANDOFFS is 0\)/],
    ["on a FIFO queue", message(), `${QUEUE}.fifo`, 20, /FIFO queue/],
    ["without a body", message({ Body: "" }), QUEUE, 20, /no body/],
    [
      "with 10 attributes already (SQS's maximum)",
      message({
        MessageAttributes: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, { DataType: "String", StringValue: "v" }])),
      }),
      QUEUE,
      20,
      /already carries 10 attributes/,
    ],
  ];
  for (const [what, m, queue, max, why] of releases) {
    it(`releases normally ${what}`, () => {
      const plan = planHandoff(m, queue, max);
      assert.equal(plan.kind, "release");
      assert.match(plan.kind === "release" ? plan.why : "", why);
    });
  }

  it("reads a missing or malformed counter as 0", () => {
    assert.equal(handoffCount(message()), 0);
    assert.equal(handoffCount(message({ MessageAttributes: counter("x") })), 0);
    assert.equal(handoffCount(message({ MessageAttributes: counter("-1") })), 0);
    assert.equal(handoffCount(message({ MessageAttributes: counter("3") })), 3);
  });
});
