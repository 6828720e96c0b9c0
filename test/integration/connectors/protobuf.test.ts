import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { loadProtobufEncoder } from "../../../workers/connectors/protobuf";
import { ConfigError, PermanentError } from "../../../workers/errors";
import { protocDecode, splitDelimited } from "../../support/protoc";

const SCHEMA = "partner/v1/record.proto";

async function encodeAll(format: Parameters<typeof loadProtobufEncoder>[0], records: unknown[]): Promise<Buffer> {
  const encoder = await loadProtobufEncoder(format);
  const chunks: Buffer[] = [];
  await pipeline(Readable.from(records), encoder.createStream(), async function* (source) {
    for await (const c of source) chunks.push(c as Buffer);
  });
  return Buffer.concat(chunks);
}

const records = [
  {
    id: "r1",
    sku: "SKU-1",
    quantity: 3,
    price_minor: 1999,
    currency: "EUR",
    updated_at: "2024-05-01T10:00:00Z",
    attributes: { colour: "red" },
  },
  { id: "r2", sku: "SKU-2", quantity: 0, price_minor: 5, currency: "USD" },
  { id: "r3", quantity: 4000000000 },
];
const expectedText = [
  'id: "r1"\nsku: "SKU-1"\nquantity: 3\nprice_minor: 1999\ncurrency: "EUR"\nupdated_at: "2024-05-01T10:00:00Z"\nattributes {\n  key: "colour"\n  value: "red"\n}\n',
  'id: "r2"\nsku: "SKU-2"\nprice_minor: 5\ncurrency: "USD"\n',
  'id: "r3"\nquantity: 4000000000\n',
];

describe("Protocol Buffers encoder (checked with protoc --decode)", function () {
  it("writes a length-delimited stream whose messages decode to exactly the records", async () => {
    const bytes = await encodeAll({ type: "protobuf", schema: "partner/v1/record.proto", messageType: "partner.v1.Record" }, records);
    const messages = splitDelimited(bytes);
    assert.equal(messages.length, records.length);
    assert.deepEqual(
      messages.map((m) => protocDecode("partner.v1.Record", SCHEMA, m)),
      expectedText,
    );
  });

  it("writes one container message whose repeated field decodes to exactly the records", async () => {
    const bytes = await encodeAll(
      { type: "protobuf", schema: "partner/v1/record.proto", messageType: "partner.v1.RecordBatch", delimited: false },
      records,
    );
    const indent = (t: string) =>
      t
        .split("\n")
        .filter(Boolean)
        .map((l) => `  ${l}\n`)
        .join("");
    assert.equal(protocDecode("partner.v1.RecordBatch", SCHEMA, bytes), expectedText.map((t) => `records {\n${indent(t)}}\n`).join(""));
  });

  const badFormats: Array<[string, Parameters<typeof loadProtobufEncoder>[0], RegExp]> = [
    [
      "a missing schema file",
      { type: "protobuf", schema: "partner/v9/none.proto", messageType: "partner.v1.Record" },
      /`format.schema` is "partner\/v9\/none.proto"/,
    ],
    [
      "an unknown message type",
      { type: "protobuf", schema: "partner/v1/record.proto", messageType: "partner.v1.Nope" },
      /`format.messageType` is "partner.v1.Nope"/,
    ],
    [
      "a non-container type with delimited: false",
      { type: "protobuf", schema: "partner/v1/record.proto", messageType: "partner.v1.Record", delimited: false },
      /exactly one field, a repeated message/,
    ],
    ["a schema outside workers/schemas", { type: "protobuf", schema: "../secrets/x.proto", messageType: "a.B" }, /`format.schema`/],
  ];
  for (const [what, format, message] of badFormats) {
    it(`refuses ${what} at start with a ConfigError naming the field`, async () => {
      await assert.rejects(loadProtobufEncoder(format), (err: unknown) => err instanceof ConfigError && message.test(err.message));
    });
  }

  // The line of issue 13, item 6, with 64-bit values as the proto3 JSON mapping writes them (strings).
  const RECORD_FORMAT = { type: "protobuf", schema: SCHEMA, messageType: "partner.v1.Record" } as const;
  it("encodes 64-bit integers given as decimal strings exactly, as protoc decodes them", async () => {
    const line = '{"id":"big","quantity":"9007199254740993","price_minor":"-9223372036854775807"}';
    const bytes = await encodeAll(RECORD_FORMAT, [JSON.parse(line), { id: "max", quantity: "9223372036854775807", price_minor: -42 }]);
    assert.deepEqual(
      splitDelimited(bytes).map((m) => protocDecode("partner.v1.Record", SCHEMA, m)),
      [
        'id: "big"\nquantity: 9007199254740993\nprice_minor: -9223372036854775807\n',
        'id: "max"\nquantity: 9223372036854775807\nprice_minor: -42\n',
      ],
    );
  });

  const unsafe: Array<[string, string, RegExp]> = [
    [
      "a JSON number beyond 2^53 (which JSON.parse rounds)",
      '{"id":"big","quantity":9007199254740993}',
      /^record 2, field `quantity`: a JSON number beyond 2\^53 - 1 \(9007199254740991\) cannot be read exactly .*decimal strings/,
    ],
    [
      "a negative JSON number beyond -2^53",
      '{"id":"big","price_minor":-9223372036854775807}',
      /^record 2, field `price_minor`: a JSON number beyond 2\^53 - 1/,
    ],
    [
      "a string beyond int64",
      '{"id":"big","quantity":"9223372036854775808"}',
      /^record 2, field `quantity`: 9223372036854775808 is outside the int64 range/,
    ],
    [
      "a string that is not a decimal integer",
      '{"id":"big","quantity":"12.5"}',
      /^record 2, field `quantity`: "12.5" is not a decimal integer/,
    ],
  ];
  for (const [what, line, message] of unsafe) {
    it(`refuses ${what} in a 64-bit field (PermanentError naming the record and field), never rounding it`, async () => {
      await assert.rejects(encodeAll(RECORD_FORMAT, [{ id: "ok", quantity: 9007199254740991 }, JSON.parse(line)]), (err: unknown) => {
        assert.ok(err instanceof PermanentError, String(err));
        assert.match(err.message, message);
        assert.equal(err.context.record, 2);
        return true;
      });
    });
  }

  const badRecords: Array<[string, unknown, RegExp]> = [
    ["an unknown field", { id: "x", colour: "red" }, /record 1 has fields not in partner.v1.Record: colour/],
    ["a wrong type", { id: 7 }, /record 1 does not fit partner.v1.Record: id: string expected/],
    ["a non-object", "just text", /record 1 is not an object/],
  ];
  for (const [what, record, message] of badRecords) {
    it(`fails the stream on a record with ${what} (PermanentError)`, async () => {
      await assert.rejects(
        encodeAll({ type: "protobuf", schema: "partner/v1/record.proto", messageType: "partner.v1.Record" }, [record]),
        (err: unknown) => err instanceof PermanentError && message.test(err.message),
      );
    });
  }
});
