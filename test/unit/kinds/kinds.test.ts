import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { Readable, Writable } from "node:stream";
import pino from "pino";
import { workerKinds } from "../../../catalog/kinds";
import { ConfigError, PermanentError } from "../../../workers/errors";
import { readCsv } from "../../../workers/kinds/csv";
import { KINDS_DIR, loadWorkerKind, loadWorkerKinds, workerKindNames } from "../../../workers/kinds";
import { normalizeFeedRow } from "../../../workers/kinds/feed-normalize/handler";
import { isNdjson } from "../../../workers/kinds/orders-webhook/handler";
import { toPartnerRecord } from "../../../workers/kinds/partner-protobuf-sftp/handler";
import { toMinorUnits } from "../../../workers/kinds/money";
import type { HandlerContext, JobInput, WorkerKind } from "../../../workers/runtime/types";

// Loaded as mocha loads this file, together with the modules imported above: the program tests
// re-import project modules later, and a handler loaded after that would throw another copy's
// `PermanentError` and hold another copy's definitions.
const shippedKinds = loadWorkerKinds();
const shipped = (name: string): WorkerKind => shippedKinds.find((k) => k.definition.name === name)!;

/** Runs a handler on `body`, returning what it wrote per slot. */
async function runHandler(kind: WorkerKind, key: string, body: string, chunkSize = 7): Promise<Record<string, string>> {
  const outputs: Record<string, string> = {};
  const chunks: string[] = [];
  for (let i = 0; i < body.length; i += chunkSize) chunks.push(body.slice(i, i + chunkSize));
  const meta: JobInput = {
    bucket: "in",
    key,
    size: body.length,
    eventName: "ObjectCreated:Put",
    head: async () => ({ size: body.length, metadata: {} }),
  };
  const ctx: HandlerContext = {
    logger: pino({ level: "silent" }),
    signal: new AbortController().signal,
    connectors: {},
    messageId: "m",
    receiveCount: 1,
    output(slot) {
      outputs[slot] = "";
      return new Writable({
        write(chunk: Buffer, _e, cb) {
          outputs[slot] += chunk.toString();
          cb();
        },
      });
    },
  };
  await kind.handler(Readable.from(chunks.map((c) => Buffer.from(c))), meta, ctx);
  return outputs;
}
const lines = (text: string | undefined) =>
  (text ?? "")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));

describe("worker kinds", () => {
  it("has a handler for every catalog kind, loaded by name from workers/kinds/<kind>/handler", () => {
    assert.deepEqual(workerKindNames(), Object.keys(workerKinds).sort());
    assert.deepEqual(
      shippedKinds.map((k) => k.definition.name),
      workerKindNames(),
    );
    for (const kind of shippedKinds) {
      assert.equal(kind.definition, workerKinds[kind.definition.name]);
      assert.equal(typeof kind.handler, "function");
    }
  });

  it("names the known kinds when asked for an unknown one", () => {
    assert.throws(
      () => loadWorkerKind("nope"),
      (e: unknown) =>
        e instanceof ConfigError &&
        /unknown worker `nope`: known workers are `feed-normalize`, `orders-webhook`, `partner-protobuf-sftp`/.test(e.message),
    );
  });

  describe("lookup in a kinds folder", () => {
    let dir: string;
    const handler = (body: string) => `"use strict";\n${body}\n`;
    const kind = (name: string) => `{ definition: { name: "${name}" }, handler: async () => {} }`;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "jw-kinds-"));
      const files: Record<string, string> = {
        "alpha/handler.js": handler(`exports.helper = 1; exports.alphaWorker = ${kind("alpha")};`),
        "no-export/handler.js": handler("exports.helper = 1;"),
        "misnamed/handler.js": handler(`exports.worker = ${kind("other")};`),
        "twice/handler.js": handler(`exports.a = ${kind("twice")}; exports.b = ${kind("twice")};`),
        "no-handler/index.js": handler(`exports.worker = ${kind("no-handler")};`),
        "Not_Kebab/handler.js": handler(`exports.worker = ${kind("Not_Kebab")};`),
        "shared.js": handler("exports.helper = 1;"),
      };
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, file)), { recursive: true });
        writeFileSync(join(dir, file), text);
      }
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("lists only kebab-case folders with a handler module", () => {
      assert.deepEqual(workerKindNames(dir), ["alpha", "misnamed", "no-export", "twice"]);
      assert.deepEqual(workerKindNames(join(dir, "absent")), []);
    });

    it("loads the one WorkerKind a handler exports under the folder's name", () => {
      assert.equal(loadWorkerKind("alpha", dir).definition.name, "alpha");
    });

    const refused: Array<[string, string, RegExp]> = [
      [
        "a folder without a handler module",
        "no-handler",
        /unknown worker `no-handler`: known workers are `alpha`, `misnamed`, `no-export`, `twice`/,
      ],
      ["a path outside the kinds folder", "../alpha", /unknown worker `\.\.\/alpha`/],
      [
        "a handler that exports no WorkerKind",
        "no-export",
        /workers\/kinds\/no-export\/handler must export exactly one `defineWorker\(\.\.\.\)` whose definition is named `no-export`; it exports no WorkerKind/,
      ],
      ["a handler whose kind has another name", "misnamed", /named `misnamed`; it exports `other`/],
      ["a handler that exports the kind twice", "twice", /it exports `twice`, `twice`/],
    ];
    for (const [what, name, message] of refused) {
      it(`refuses ${what} with a ConfigError`, () => {
        assert.throws(
          () => loadWorkerKind(name, dir),
          (e: unknown) => e instanceof ConfigError && message.test(e.message),
        );
      });
    }
  });

  it("keeps kinds apart: the runtime imports no kind's folder and no kind imports another's (an image holds one kind)", () => {
    const workersDir = resolve(KINDS_DIR, "..");
    const kinds = workerKindNames();
    const kindOf = (file: string): string | undefined => {
      const [folder, ...inside] = relative(KINDS_DIR, file).split("/");
      return inside.length > 0 && kinds.includes(folder!) ? folder : undefined;
    };
    const sources = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) =>
        e.name === "node_modules" || e.name === "dist"
          ? []
          : e.isDirectory()
            ? sources(join(d, e.name))
            : e.name.endsWith(".ts")
              ? [join(d, e.name)]
              : [],
      );
    const crossings: string[] = [];
    for (const file of sources(workersDir)) {
      for (const [, spec] of readFileSync(file, "utf8").matchAll(/(?:from|import|require)\s*\(?\s*"(\.[^"]+)"/g)) {
        const target = kindOf(resolve(dirname(file), spec!));
        if (target !== undefined && target !== kindOf(file)) crossings.push(`${relative(workersDir, file)} imports ${spec}`);
      }
    }
    assert.deepEqual(crossings, []);
  });

  describe("CSV reader", () => {
    const cases: Array<[string, string, string[][]]> = [
      [
        "plain rows",
        "a,b\n1,2\n",
        [
          ["a", "b"],
          ["1", "2"],
        ],
      ],
      [
        "CRLF and no final newline",
        "a,b\r\n1,2",
        [
          ["a", "b"],
          ["1", "2"],
        ],
      ],
      ["quoted commas, quotes and newlines", 'x,"a, ""b""\nc"\n', [["x", 'a, "b"\nc']]],
      ["blank lines", "a\n\n\nb\n", [["a"], ["b"]]],
      ["a byte-order mark", "\ufeffid\n1\n", [["id"], ["1"]]],
      ["empty fields", ",,\n", [["", "", ""]]],
    ];
    for (const [what, text, rows] of cases) {
      it(`reads ${what}, whatever the chunking`, async () => {
        for (const size of [1, 3, 1000]) {
          const chunks: Buffer[] = [];
          const bytes = Buffer.from(text);
          for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
          const got: string[][] = [];
          for await (const row of readCsv(Readable.from(chunks))) got.push([...row.fields]);
          assert.deepEqual(got, rows, `chunk size ${size}`);
        }
      });
    }
    it("refuses an unclosed quote with the line", async () => {
      await assert.rejects(async () => {
        for await (const _ of readCsv(Readable.from([Buffer.from('a\n"open\n')]), "f.csv"));
      }, /f\.csv: unclosed quote in the row starting on line 2/);
    });
  });

  const amounts: Array<[string, string, number | undefined]> = [
    ["19.90", "EUR", 1990],
    ["21.5", "EUR", 2150],
    ["7", "EUR", 700],
    ["1200", "JPY", 1200],
    ["12.5", "JPY", undefined],
    ["1.999", "EUR", undefined],
    ["1e3", "EUR", undefined],
    ["-3.10", "USD", -310],
  ];
  for (const [amount, currency, minor] of amounts) {
    it(`converts ${amount} ${currency} to ${minor ?? "nothing"} minor units`, () => assert.equal(toMinorUnits(amount, currency), minor));
  }

  describe("feed-normalize", () => {
    it("turns the partner CSV into NDJSON records, extra columns as attributes, bad rows skipped", async () => {
      const csv =
        "ID,Sku,quantity,price,currency,updated_at,colour\nA-1,ts-1,3,9.99,eur,2026-01-01T00:00:00Z,red\nA-2,ts-2,x,1,EUR,2026-01-01T00:00:00Z,\n";
      const out = await runHandler(shipped("feed-normalize"), "f.csv", csv);
      assert.deepEqual(lines(out.records), [
        {
          id: "A-1",
          sku: "TS-1",
          quantity: 3,
          price_minor: 999,
          currency: "EUR",
          updated_at: "2026-01-01T00:00:00Z",
          attributes: { colour: "red" },
        },
      ]);
    });
    const rejects: Array<[string, Record<string, string>, RegExp]> = [
      ["an empty id", { id: "" }, /`id` is empty/],
      ["a fractional quantity", { quantity: "1.5" }, /`quantity` is "1.5"/],
      ["a bad currency", { currency: "EURO" }, /`currency` is "EURO"/],
      ["too many decimals", { price: "1.234" }, /`price` is "1.234"/],
      ["a date without time", { updated_at: "2026-01-01" }, /`updated_at` is "2026-01-01"/],
    ];
    for (const [what, change, reason] of rejects) {
      it(`rejects a row with ${what}`, () => {
        const row: Record<string, string> = {
          id: "1",
          sku: "s",
          quantity: "1",
          price: "1.00",
          currency: "EUR",
          updated_at: "2026-01-01T00:00:00Z",
          ...change,
        };
        const result = normalizeFeedRow((c) => row[c] ?? "", []);
        assert.ok("error" in result);
        assert.match((result as { error: string }).error, reason);
      });
    }
    it("fails permanently without the required columns", async () => {
      await assert.rejects(
        runHandler(shipped("feed-normalize"), "f.csv", "id,sku\n1,2\n"),
        (e: unknown) => e instanceof PermanentError && /header lacks columns quantity, price, currency, updated_at/.test(e.message),
      );
    });
    it("fails permanently when every row is rejected", async () => {
      await assert.rejects(
        runHandler(shipped("feed-normalize"), "f.csv", "id,sku,quantity,price,currency,updated_at\n,,,,,\n"),
        /all 1 rows were rejected/,
      );
    });
  });

  describe("partner-protobuf-sftp", () => {
    it("maps records to partner.v1.Record fields, carrying unknown scalars in attributes", async () => {
      const ndjson =
        '{"id":"1","sku":"S","quantity":2,"price_minor":100,"currency":"EUR","updated_at":"t","attributes":{"a":"b"},"colour":"red"}\n';
      const out = await runHandler(shipped("partner-protobuf-sftp"), "r.ndjson", ndjson);
      assert.deepEqual(lines(out.partner), [
        { id: "1", sku: "S", quantity: 2, price_minor: 100, currency: "EUR", updated_at: "t", attributes: { a: "b", colour: "red" } },
      ]);
    });
    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
      ["a missing id", { id: undefined }, /line 3: `id` must be a non-empty string/],
      ["a fractional quantity", { quantity: 1.5 }, /line 3: `quantity` must be a whole number, got 1\.5/],
      ["a lower-case currency", { currency: "eur" }, /line 3: `currency` must be an ISO 4217 code/],
      ["a list as attributes", { attributes: [] }, /line 3: `attributes` must be an object of strings/],
    ];
    for (const [what, change, message] of bad) {
      it(`fails permanently on ${what}, naming the line`, () => {
        const record = { id: "1", sku: "S", quantity: 2, price_minor: 100, currency: "EUR", updated_at: "t", ...change };
        assert.throws(
          () => toPartnerRecord(record, 3),
          (e: unknown) => e instanceof PermanentError && message.test(e.message),
        );
      });
    }
  });

  describe("orders-webhook", () => {
    const expected = [
      { order_id: "O-1", customer_id: "C-1", total_minor: 4990, currency: "EUR", placed_at: "2026-11-24T09:00:00.000Z" },
      { order_id: "O-2", customer_id: "C-2", total_minor: 1200, currency: "JPY", placed_at: "2026-11-24T09:01:30.000Z" },
    ];
    it("reads CSV orders", async () => {
      const csv =
        "order_id,customer_id,total,currency,placed_at\nO-1,C-1,49.90,eur,2026-11-24T09:00:00Z\nO-2,C-2,1200,JPY,2026-11-24T09:01:30Z\n";
      assert.deepEqual(lines((await runHandler(shipped("orders-webhook"), "o.csv", csv)).api), expected);
    });
    it("reads NDJSON orders", async () => {
      const ndjson =
        '{"order_id":"O-1","customer_id":"C-1","total":"49.90","currency":"EUR","placed_at":"2026-11-24T09:00:00Z"}\n{"order_id":"O-2","customer_id":"C-2","total":1200,"currency":"JPY","placed_at":"2026-11-24T09:01:30Z"}\n';
      assert.deepEqual(lines((await runHandler(shipped("orders-webhook"), "o.ndjson", ndjson)).api), expected);
    });
    const bad: Array<[string, string, RegExp]> = [
      ["a negative total", "O-1,C-1,-1,EUR,2026-11-24T09:00:00Z", /line 2: `total` is "-1"/],
      ["a missing customer", "O-1,,1,EUR,2026-11-24T09:00:00Z", /line 2: `customer_id` is missing/],
      ["a bad timestamp", "O-1,C-1,1,EUR,yesterday", /line 2: `placed_at` is "yesterday"/],
      ["a duplicate order id", "O-1,C-1,1,EUR,2026-11-24T09:00:00Z\nO-1,C-1,1,EUR,2026-11-24T09:00:00Z", /order `O-1` appears twice/],
    ];
    for (const [what, row, message] of bad) {
      it(`fails the whole file permanently on ${what}`, async () => {
        await assert.rejects(
          runHandler(shipped("orders-webhook"), "o.csv", `order_id,customer_id,total,currency,placed_at\n${row}\n`),
          (e: unknown) => e instanceof PermanentError && message.test(e.message),
        );
      });
    }
    const formats: Array<[string, string | undefined, boolean]> = [
      ["o.ndjson", undefined, true],
      ["o.JSONL", undefined, true],
      ["o.csv", undefined, false],
      ["o", "application/x-ndjson", true],
    ];
    for (const [key, contentType, ndjson] of formats) {
      it(`reads ${key}${contentType ? ` (${contentType})` : ""} as ${ndjson ? "NDJSON" : "CSV"}`, () =>
        assert.equal(isNdjson({ key, contentType }), ndjson));
    }
  });
});
