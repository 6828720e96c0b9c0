/**
 * `orders-webhook`: an orders file (CSV with a header, or NDJSON) → order records, one per line; the
 * REST connector (binding `mode: "records"`) POSTs them in JSON batches. Orders are all or nothing: one
 * invalid order fails the file permanently (dead-letter queue) before anything is sent, because a
 * half-imported order file is worse than a held one.
 */
import { extname } from "node:path";
import type { Readable } from "node:stream";
import { ordersWebhook } from "../../../catalog/kinds";
import { PermanentError } from "../../errors";
import { endStream, readNdjson, writeChunk } from "../../runtime/records";
import { defineWorker, type HandlerContext, type JobInput } from "../../runtime/types";
import { headerIndex, readCsv } from "../csv";
import { isCurrency, toMinorUnits } from "../money";

export const ORDER_COLUMNS = ["order_id", "customer_id", "total", "currency", "placed_at"] as const;

export interface OrderRecord {
  readonly order_id: string;
  readonly customer_id: string;
  readonly total_minor: number;
  readonly currency: string;
  readonly placed_at: string;
}

/** Validates one order (string fields as in the file); throws `PermanentError` naming the line and field. */
export function toOrder(get: (field: string) => unknown, line: number): OrderRecord {
  const fail = (field: string, why: string) => new PermanentError(`line ${line}: \`${field}\` ${why}`, { context: { line, field } });
  const text = (field: string): string => {
    const v = get(field);
    const s = typeof v === "number" ? String(v) : typeof v === "string" ? v.trim() : "";
    if (s === "") throw fail(field, `is missing`);
    return s;
  };
  const currency = text("currency").toUpperCase();
  if (!isCurrency(currency)) throw fail("currency", `is "${currency}", not an ISO 4217 code`);
  const total = toMinorUnits(text("total"), currency);
  if (total === undefined || total < 0) throw fail("total", `is "${text("total")}", not a non-negative amount in ${currency}`);
  const placedAt = text("placed_at");
  if (Number.isNaN(Date.parse(placedAt))) throw fail("placed_at", `is "${placedAt}", not a timestamp`);
  return {
    order_id: text("order_id"),
    customer_id: text("customer_id"),
    total_minor: total,
    currency,
    placed_at: new Date(placedAt).toISOString(),
  };
}

/** CSV unless the key or content type says NDJSON. */
export function isNdjson(object: { readonly key: string; readonly contentType?: string }): boolean {
  const ext = extname(object.key).toLowerCase();
  return [".ndjson", ".jsonl", ".json"].includes(ext) || /ndjson|jsonl/.test(object.contentType ?? "");
}

async function* orders(input: Readable, meta: JobInput): AsyncGenerator<OrderRecord> {
  const source = `${meta.bucket}/${meta.key}`;
  // The headers come with the body's GetObject, which reading starts anyway.
  const { contentType } = await meta.head();
  if (isNdjson({ key: meta.key, contentType })) {
    for await (const { record, lineNumber } of readNdjson(input, source)) yield toOrder((f) => record[f], lineNumber);
    return;
  }
  let header: Map<string, number> | undefined;
  for await (const row of readCsv(input, source)) {
    if (header === undefined) {
      header = headerIndex(row.fields, ORDER_COLUMNS, source);
      continue;
    }
    const columns = header;
    yield toOrder((f) => row.fields[columns.get(f)!], row.line);
  }
}

export async function convertOrders(input: Readable, meta: JobInput, ctx: HandlerContext): Promise<void> {
  // Validate everything before the first byte goes out: write to the scratch file, deliver after.
  const out = ctx.output("api", { extension: ".ndjson", contentType: "application/x-ndjson" });
  let count = 0;
  const seen = new Set<string>();
  for await (const order of orders(input, meta)) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    // Duplicate ids within one file would be deduplicated (or double-booked) downstream: refuse them.
    if (seen.has(order.order_id))
      throw new PermanentError(`order \`${order.order_id}\` appears twice in ${meta.key}`, { context: { orderId: order.order_id } });
    if (seen.size < 1_000_000) seen.add(order.order_id);
    await writeChunk(out, `${JSON.stringify(order)}\n`);
    count++;
  }
  await endStream(out);
  ctx.logger.info({ orders: count }, "orders converted");
}

export const ordersWebhookWorker = defineWorker(ordersWebhook, convertOrders);
