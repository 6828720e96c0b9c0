/**
 * `feed-normalize`: a partner's CSV feed → normalised NDJSON records (the `partner.v1.Record` shape:
 * snake_case keys, integer minor units), for the next stage. Columns are matched by header name, in
 * any order; columns beyond the known ones become `attributes`. A row that does not validate is
 * skipped and counted (a partner feed with one bad line should still flow); a feed with no valid row,
 * or without the required columns, is a permanent failure (dead-letter queue).
 */
import type { Readable } from "node:stream";
import { feedNormalize } from "../../../catalog/kinds";
import { PermanentError } from "../../errors";
import { endStream, writeChunk } from "../../runtime/records";
import { defineWorker, type HandlerContext, type JobInput } from "../../runtime/types";
import { headerIndex, readCsv } from "../csv";
import { isCurrency, toMinorUnits } from "../money";
import type { PartnerRecord } from "../partner-record";

export const FEED_COLUMNS = ["id", "sku", "quantity", "price", "currency", "updated_at"] as const;

/** Validates and normalises one row; returns the record or why it was rejected. */
export function normalizeFeedRow(
  get: (column: string) => string,
  extras: ReadonlyArray<[string, string]>,
): PartnerRecord | { error: string } {
  const id = get("id").trim();
  const sku = get("sku").trim().toUpperCase();
  const quantityText = get("quantity").trim();
  const currency = get("currency").trim().toUpperCase();
  const updatedAt = get("updated_at").trim();
  if (id === "") return { error: "`id` is empty" };
  if (sku === "") return { error: "`sku` is empty" };
  if (!/^-?\d+$/.test(quantityText)) return { error: `\`quantity\` is "${quantityText}", not a whole number` };
  if (!isCurrency(currency)) return { error: `\`currency\` is "${get("currency")}", not an ISO 4217 code` };
  const priceMinor = toMinorUnits(get("price"), currency);
  if (priceMinor === undefined) return { error: `\`price\` is "${get("price")}", not a decimal amount in ${currency}` };
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(updatedAt) || Number.isNaN(Date.parse(updatedAt))) {
    return { error: `\`updated_at\` is "${updatedAt}", not an RFC 3339 timestamp` };
  }
  const attributes = Object.fromEntries(extras.filter(([, v]) => v.trim() !== "").map(([k, v]) => [k, v.trim()]));
  return { id, sku, quantity: Number(quantityText), price_minor: priceMinor, currency, updated_at: updatedAt, attributes };
}

/** Rejected rows logged individually; beyond this, only counted. */
const LOGGED_REJECTS = 5;

export async function normalizeFeed(input: Readable, meta: JobInput, ctx: HandlerContext): Promise<void> {
  const source = `${meta.bucket}/${meta.key}`;
  let header: Map<string, number> | undefined;
  let extras: Array<[string, number]> = [];
  let accepted = 0;
  let rejected = 0;
  const out = ctx.output("records", { extension: ".ndjson", contentType: "application/x-ndjson" });
  for await (const row of readCsv(input, source)) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (header === undefined) {
      header = headerIndex(row.fields, FEED_COLUMNS, source);
      const known = new Set<string>(FEED_COLUMNS);
      extras = [...header.entries()].filter(([name]) => !known.has(name) && name !== "");
      continue;
    }
    const fields = row.fields;
    const columns = header;
    const record = normalizeFeedRow(
      (column) => fields[columns.get(column)!] ?? "",
      extras.map(([name, i]) => [name, fields[i] ?? ""]),
    );
    if ("error" in record) {
      rejected++;
      if (rejected <= LOGGED_REJECTS) ctx.logger.warn({ line: row.line, reason: record.error }, "row rejected");
      continue;
    }
    accepted++;
    await writeChunk(out, `${JSON.stringify(record)}\n`);
  }
  await endStream(out);
  if (header === undefined) throw new PermanentError(`${source} is empty: a feed needs a header row (${FEED_COLUMNS.join(",")})`);
  if (accepted === 0 && rejected > 0) throw new PermanentError(`${source}: all ${rejected} rows were rejected`, { context: { rejected } });
  ctx.logger.info({ accepted, rejected }, "feed normalised");
}

export const feedNormalizeWorker = defineWorker(feedNormalize, normalizeFeed);
