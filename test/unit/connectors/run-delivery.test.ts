import assert from "node:assert/strict";
import { Readable, Writable } from "node:stream";
import pino from "pino";
import { runDelivery } from "../../../workers/connectors/run-delivery";

/** Raw JSON lines as pino writes them (JSON.parse would hide a repeated key). */
function rawSink(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      cb();
    },
  });
  return { stream, lines };
}

describe("runDelivery log lines", () => {
  const loggers: Array<[string, (l: pino.Logger) => pino.Logger]> = [
    ["a connector's child logger that binds `connector`", (l) => l.child({ connector: "rest", host: "h" })],
    ["a logger without it", (l) => l],
  ];
  for (const [what, child] of loggers) {
    it(`names the connector exactly once on the delivered line, given ${what}`, async () => {
      const sink = rawSink();
      const logger = child(pino({ level: "debug" }, sink.stream));
      await runDelivery(
        {
          connector: "rest",
          target: "https://h/p",
          logger,
          delivery: { name: "n", open: () => Readable.from([Buffer.from("x")]), idempotencyKey: "k", signal: new AbortController().signal },
        },
        async ({ stream }) => {
          for await (const _ of stream) void _;
        },
      );
      const delivered = sink.lines.filter((l) => l.includes('"msg":"delivered"'));
      assert.equal(delivered.length, 1);
      assert.equal(delivered[0]!.split('"connector":').length - 1, 1, delivered[0]);
      assert.equal(JSON.parse(delivered[0]!).connector, "rest");
    });
  }
});
